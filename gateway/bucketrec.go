package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// A bucket record is a sealed record (context "bucket\x00<name>", under the
// user key "bucket record"):
//
//	0 bytes   gone: a tombstone left by DeleteBucket
//	8 bytes   the creation time, unix nanoseconds, big-endian, then flags:
//	          'd'           deleting (a DeleteBucket runs); else live
//	          'v' and 'E'   versioning Enabled
//	          'v' and 'S'   versioning Suspended
//	          'l' and 6 bytes   Object Lock enabled, with the default
//	                        retention: mode ('-', 'G'overnance, 'C'ompliance),
//	                        unit ('-', 'D'ays, 'Y'ears), period (uint32)
//
// in that order, each at most once. A record of the first release is the
// 8 or 9 bytes of a live or deleting bucket without versioning.
//
// Every change of a record is a compare-and-swap on its upstream ETag (or
// create-if-absent), never a delete: see bucketdel.go for why. The phase is
// visible in the record's upstream size, so ListBuckets skips tombstones
// without reading them.

// bucketPhase is the state of a bucket record.
type bucketPhase int

const (
	bucketAbsent   bucketPhase = iota // no record
	bucketLive                        // the bucket exists
	bucketDeleting                    // it exists; a DeleteBucket is checking that it is empty
	bucketGone                        // tombstone: the bucket was deleted
)

// exists reports whether the phase is a bucket that exists: a bucket being
// deleted exists until its DeleteBucket commits.
func (p bucketPhase) exists() bool { return p == bucketLive || p == bucketDeleting }

// bucketRecord is a read bucket record with its upstream version.
type bucketRecord struct {
	phase   bucketPhase
	created time.Time // live and deleting
	bucketSettings
	etag string // upstream ETag; "" when absent
}

// bucketSettings are the settings a bucket record holds besides its phase.
type bucketSettings struct {
	versioning Versioning
	lock       LockConfig // Object Lock, when lock.Enabled
}

// errBucketRaced: a compare-and-swap of a bucket record lost against
// another change.
var errBucketRaced = errors.New("gateway: bucket record changed concurrently")

// goneRecordSize is the upstream size of a tombstone.
const goneRecordSize = cryptolayer.RecordOverhead

func (n *userNS) recordKey() cryptolayer.Key { return n.user.DeriveUserKey("bucket record") }

func bucketContext(bucket string) string { return "bucket\x00" + bucket }

// readBucket reads and opens a bucket's record. An absent record is phase
// bucketAbsent, not an error; a record that fails authentication is
// ErrIntegrity (counted).
func (n *userNS) readBucket(ctx context.Context, bucket string) (bucketRecord, error) {
	rc, info, err := n.svc.store.Get(ctx, n.bucketRecordKey(bucket), 0, 1024)
	if isNotExist(err) {
		return bucketRecord{phase: bucketAbsent}, nil
	}
	if err != nil {
		return bucketRecord{}, upstreamErr(err, ErrNoSuchBucket)
	}
	defer func() { _ = rc.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, 1024)); err != nil {
		return bucketRecord{}, upstreamErr(err, ErrNoSuchBucket)
	}
	pt, err := cryptolayer.OpenRecord(n.recordKey(), bucketContext(bucket), buf.Bytes())
	rec, ok := parseBucketRecord(pt)
	if err != nil || !ok {
		n.svc.integrityFailure("record")
		return bucketRecord{}, fmt.Errorf("%w: bucket record", ErrIntegrity)
	}
	rec.etag = info.ETag
	return rec, nil
}

func parseBucketRecord(pt []byte) (bucketRecord, bool) {
	switch {
	case len(pt) == 0:
		return bucketRecord{phase: bucketGone}, true
	case len(pt) < 8:
		return bucketRecord{}, false
	}
	rec := bucketRecord{phase: bucketLive, created: nanoTime(pt)}
	flags := pt[8:]
	if len(flags) > 0 && flags[0] == 'd' {
		rec.phase, flags = bucketDeleting, flags[1:]
	}
	if len(flags) >= 2 && flags[0] == 'v' {
		switch flags[1] {
		case 'E':
			rec.versioning = VersioningEnabled
		case 'S':
			rec.versioning = VersioningSuspended
		default:
			return bucketRecord{}, false
		}
		flags = flags[2:]
	}
	if len(flags) == 7 && flags[0] == 'l' {
		lc, ok := parseLockConfig(flags[1:])
		if !ok {
			return bucketRecord{}, false
		}
		rec.lock, flags = lc, flags[7:]
	}
	return rec, len(flags) == 0
}

// marshalBucketRecord is the plaintext of a record in phase with the
// creation time and settings.
func marshalBucketRecord(phase bucketPhase, created time.Time, s bucketSettings) []byte {
	if phase == bucketGone {
		return []byte{}
	}
	pt := binary.BigEndian.AppendUint64(nil, uint64(created.UnixNano()))
	if phase == bucketDeleting {
		pt = append(pt, 'd')
	}
	switch s.versioning {
	case VersioningEnabled:
		pt = append(pt, 'v', 'E')
	case VersioningSuspended:
		pt = append(pt, 'v', 'S')
	}
	if s.lock.Enabled {
		pt = append(append(pt, 'l'), marshalLockConfig(s.lock)...)
	}
	return pt
}

func nanoTime(b []byte) time.Time { return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC() }

// swapBucket replaces the record prev (as read, or absent) by one in phase
// next, keeping prev's creation time unless created is set, and prev's
// settings. It fails with errBucketRaced if the record is no longer prev.
func (n *userNS) swapBucket(ctx context.Context, bucket string, prev bucketRecord, next bucketPhase, created time.Time) (bucketRecord, error) {
	return n.swapBucketRecord(ctx, bucket, prev, next, created, prev.bucketSettings)
}

// swapBucketRecord is swapBucket with the settings to store.
func (n *userNS) swapBucketRecord(ctx context.Context, bucket string, prev bucketRecord, next bucketPhase, created time.Time, s bucketSettings) (bucketRecord, error) {
	if created.IsZero() {
		created = prev.created
	}
	switch next {
	case bucketLive, bucketDeleting:
	case bucketGone:
		created, s = time.Time{}, bucketSettings{}
	default:
		panic("gateway: swapBucket: invalid phase")
	}
	pt := marshalBucketRecord(next, created, s)
	cond := backends.PutOptions{IfAbsent: true}
	if prev.phase != bucketAbsent {
		cond = backends.PutOptions{IfMatch: prev.etag}
	}
	rec := cryptolayer.SealRecord(n.recordKey(), bucketContext(bucket), pt)
	info, err := n.svc.store.Put(ctx, n.bucketRecordKey(bucket), bytes.NewReader(rec), int64(len(rec)), cond)
	if errors.Is(err, backends.ErrPreconditionFailed) {
		return bucketRecord{}, fmt.Errorf("%w: %s", errBucketRaced, bucket)
	}
	if err != nil {
		return bucketRecord{}, upstreamErr(err, ErrNoSuchBucket)
	}
	return bucketRecord{phase: next, created: created, bucketSettings: s, etag: info.ETag}, nil
}

// readBucketRecord returns the creation time of an existing bucket, for
// verify; ErrNoSuchBucket if it does not exist.
func (n *userNS) readBucketRecord(ctx context.Context, bucket string) (time.Time, error) {
	rec, err := n.readBucket(ctx, bucket)
	if err != nil {
		return time.Time{}, err
	}
	if !rec.phase.exists() {
		return time.Time{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	return rec.created, nil
}
