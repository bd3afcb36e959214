package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Versions (S3 versioning) in the upstream:
//
//	<upstream key>                               the current version of a key
//	.sealgate/versions/<upstream key>/<vname>    its noncurrent versions
//
// Either may be an object or a delete marker. The current version stays
// where an unversioned object lives, so that reading it costs what it
// costs without versioning. Overwriting or deleting a key of a versioned
// bucket first copies the current version aside (the same sealed bytes:
// the binding does not name the upstream key), then replaces it with a
// compare-and-swap on its upstream ETag; a lost swap is ErrConflict and
// stores nothing. A copy left aside by a write that then failed is the
// current version's own bytes under its own name: listing versions shows
// each version id once.
//
// A version id is 16 hex digits of (2^64-1 - unix nanoseconds) and 16
// random hex digits, so that the newest sorts first; vname is the id, or,
// for the null version, 16 such digits of its modification time and
// "null". Objects bind their version id into the header MAC
// (cryptolayer.Binding.Version): a noncurrent version is opened under the
// id its name claims, so an upstream that serves another version under it
// is caught. The current version is opened under the id its sealed
// metadata names (cryptolayer.AnyVersion); an upstream that puts an older
// version of the same key back in its place is not caught (SECURITY.md).
//
// A delete marker is a sealed record (context "marker\x00<bucket>\x00<key>",
// user key "delete marker") of its modification time (8 bytes, unix
// nanoseconds) and version id; its upstream size, below any object's,
// tells it apart unread.
const versionsRoot = ".sealgate/versions/"

// versionsDir is the upstream prefix of the noncurrent versions of the
// key stored at up.
func versionsDir(up string) string { return versionsRoot + up + "/" }

// versionIDLen is the length of a version id other than NullVersion.
const versionIDLen = 32

// newVersionID returns a fresh version id for a version written at t.
func newVersionID(t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], math.MaxUint64-uint64(t.UnixNano()))
	if _, err := io.ReadFull(rand.Reader, b[8:]); err != nil {
		panic("gateway: randomness failed: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// validVersionID reports whether v is a version id this gateway makes
// (or NullVersion).
func validVersionID(v string) bool {
	if v == NullVersion {
		return true
	}
	if len(v) != versionIDLen {
		return false
	}
	_, err := hex.DecodeString(v)
	return err == nil && strings.ToLower(v) == v
}

// wellFormedVersionID reports whether a version id a request names is
// well formed: letters and digits, as the ids of S3 and its peers are.
// One that is but that this gateway never made names no version
// (ErrNoSuchVersion); one that is not is ErrInvalidVersionID.
func wellFormedVersionID(v string) bool {
	if v == "" || len(v) > 128 {
		return false
	}
	for _, c := range v {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// versionName is the vname of a noncurrent version.
func versionName(vid string, mtime time.Time) string {
	if vid != NullVersion {
		return vid
	}
	return fmt.Sprintf("%016x", math.MaxUint64-uint64(mtime.UnixNano())) + NullVersion
}

// versionOfName returns the version id a vname names.
func versionOfName(vname string) (string, bool) {
	if len(vname) == 16+len(NullVersion) && strings.HasSuffix(vname, NullVersion) {
		return NullVersion, true
	}
	return vname, validVersionID(vname) && vname != NullVersion
}

// splitVersionKey splits the upstream key of a noncurrent version into the
// upstream key of its object and its version id.
func splitVersionKey(vk string) (up, vid string, ok bool) {
	rest, found := strings.CutPrefix(vk, versionsRoot)
	i := strings.LastIndexByte(rest, '/')
	if !found || i <= 0 {
		return "", "", false
	}
	vid, ok = versionOfName(rest[i+1:])
	return rest[:i], vid, ok
}

// markerSize is the upstream size of a delete marker of a version id of
// length idLen; isMarkerSize tells a marker from an object by size.
func markerSize(idLen int) int64 { return int64(cryptolayer.RecordOverhead + 8 + idLen) }

func isMarkerSize(size int64) bool {
	return size == markerSize(versionIDLen) || size == markerSize(len(NullVersion))
}

func markerContext(bucket, key string) string { return "marker\x00" + bucket + "\x00" + key }

// sealMarker returns a delete marker of version vid.
func (n *userNS) sealMarker(bucket, key, vid string, mtime time.Time) []byte {
	pt := append(binary.BigEndian.AppendUint64(nil, uint64(mtime.UnixNano())), vid...)
	return cryptolayer.SealRecord(n.user.DeriveUserKey("delete marker"), markerContext(bucket, key), pt)
}

// readMarker reads and opens the delete marker stored at up (version st).
func (n *userNS) readMarker(ctx context.Context, bucket, key, up string, st backends.ObjectInfo) (ObjectInfo, error) {
	rc, err := n.pinned(up, st.ETag)(ctx, 0, -1)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer func() { _ = rc.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, markerSize(versionIDLen)+1)); err != nil {
		return ObjectInfo{}, upstreamErr(err, ErrNoSuchKey)
	}
	pt, err := cryptolayer.OpenRecord(n.user.DeriveUserKey("delete marker"), markerContext(bucket, key), buf.Bytes())
	if err != nil || len(pt) < 8 || !validVersionID(string(pt[8:])) {
		n.svc.integrityFailure("marker")
		return ObjectInfo{}, fmt.Errorf("%w: delete marker", ErrIntegrity)
	}
	return ObjectInfo{Key: key, VersionID: string(pt[8:]), DeleteMarker: true, LastModified: nanoTime(pt[:8]), Meta: Meta{}}, nil
}

// DeleteMarkerError is the error of a read that found a delete marker: the
// current version of the key (it is ErrNoSuchKey) or the version asked for
// (it is ErrMethodNotAllowed). Doors name the marker's version.
type DeleteMarkerError struct {
	VersionID    string
	LastModified time.Time
	Named        bool // the request named the marker's version
}

func (e *DeleteMarkerError) Error() string {
	return "gateway: delete marker " + e.VersionID
}

// Is makes the error ErrMethodNotAllowed for a named version, else ErrNoSuchKey.
func (e *DeleteMarkerError) Is(target error) bool {
	if e.Named {
		return target == ErrMethodNotAllowed
	}
	return target == ErrNoSuchKey
}

// current is what the upstream holds at a key's name.
type current struct {
	exists bool
	info   ObjectInfo // VersionID never "" (the null version is NullVersion)
	st     backends.ObjectInfo
}

// currentVersion reads the current version of the key stored at up.
func (n *userNS) currentVersion(ctx context.Context, bucket, key, up string) (current, error) {
	st, err := n.svc.store.Stat(ctx, up)
	if isNotExist(err) {
		return current{}, nil
	}
	if err != nil {
		return current{}, upstreamErr(err, ErrNoSuchKey)
	}
	var info ObjectInfo
	if isMarkerSize(st.Size) {
		info, err = n.readMarker(ctx, bucket, key, up, st)
	} else {
		info, err = n.objectInfo(ctx, bucket, key, up, st)
	}
	if err != nil {
		return current{}, err
	}
	if info.VersionID == "" {
		info.VersionID = NullVersion
	}
	return current{exists: true, info: info, st: st}, nil
}

// asideJob returns the copy of the current version cur of the key stored
// at up to its noncurrent name (setAside), for versionWrite.put to run.
// A name too long for the upstream is refused now, before any body.
func (n *userNS) asideJob(bucket, key, up string, cur current, lc LockConfig) (func(context.Context) error, error) {
	dst := versionsDir(up) + versionName(cur.info.VersionID, cur.info.LastModified)
	if len(dst) > backends.MaxKeyLen {
		return nil, fmt.Errorf("%w: %d bytes upstream with its version", ErrKeyTooLong, len(dst))
	}
	return func(ctx context.Context) error { return n.setAside(ctx, bucket, key, up, dst, cur, lc) }, nil
}

// setAside copies the current version cur of the key stored at up to dst,
// its noncurrent name. The copy is the same sealed bytes; if the current
// version changed meanwhile, the answer is ErrConflict. In a bucket with
// Object Lock, a locked version's copy gets its upstream retention too.
func (n *userNS) setAside(ctx context.Context, bucket, key, up, dst string, cur current, lc LockConfig) error {
	if err := n.copyUpstream(ctx, up, cur.st, dst, backends.PutOptions{}); err != nil {
		return err
	}
	if _, ok := n.svc.store.(backends.Retainer); !ok || !lc.Enabled || cur.info.DeleteMarker || cur.info.VersionID == NullVersion {
		return nil
	}
	l, _, err := n.readLock(ctx, bucket, key, up, cur.info.VersionID)
	if err != nil {
		return err
	}
	return n.retainUpstream(ctx, dst, l)
}

// copyUpstream copies the upstream object src (version st) to dst as it
// is: inside the upstream when the store can (backends.Copier) and dst
// has no condition, else streaming it through the gateway.
func (n *userNS) copyUpstream(ctx context.Context, src string, st backends.ObjectInfo, dst string, cond backends.PutOptions) error {
	if c, ok := n.svc.store.(backends.Copier); ok && cond == (backends.PutOptions{}) {
		_, err := c.Copy(ctx, src, st.ETag, dst)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, backends.ErrPreconditionFailed), errors.Is(err, backends.ErrNotExist):
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case !errors.Is(err, backends.ErrTooLarge):
			return upstreamErr(err, ErrNoSuchKey)
		}
	}
	rc, err := n.pinned(src, st.ETag)(ctx, 0, -1)
	if errors.Is(err, errChanged) || errors.Is(err, ErrNoSuchKey) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	if _, err := n.svc.store.Put(ctx, dst, rc, st.Size, cond); err != nil {
		if errors.Is(err, backends.ErrPreconditionFailed) {
			return fmt.Errorf("%w: %w", ErrConflict, err)
		}
		return upstreamErr(err, ErrNoSuchKey)
	}
	return nil
}

// noncurrent returns the noncurrent versions of the key stored at up,
// newest first.
func (n *userNS) noncurrent(ctx context.Context, up string) ([]backends.ObjectInfo, error) {
	var out []backends.ObjectInfo
	err := n.svc.eachObject(ctx, versionsDir(up), func(o backends.ObjectInfo) error {
		if _, _, ok := splitVersionKey(o.Key); ok {
			out = append(out, o)
		}
		return nil
	})
	return out, err
}

// dropNoncurrentNull deletes the noncurrent null version of the key at up,
// if there is one: a write or delete of a suspended bucket replaces the
// null version wherever it is.
func (n *userNS) dropNoncurrentNull(ctx context.Context, up string) error {
	vs, err := n.noncurrent(ctx, up)
	if err != nil {
		return err
	}
	for _, o := range vs {
		if _, vid, _ := splitVersionKey(o.Key); vid == NullVersion {
			if err := n.svc.store.Delete(ctx, o.Key); err != nil && !isNotExist(err) {
				return upstreamErr(err, ErrNoSuchKey)
			}
			n.freed(ctx, upstreamFootprint(o.Size))
		}
	}
	return nil
}

// GetBucketVersioning implements Namespace: always a fresh read.
func (n *userNS) GetBucketVersioning(ctx context.Context, bucket string) (Versioning, error) {
	rec, err := n.headBucket(ctx, bucket)
	return rec.versioning, err
}

// PutBucketVersioning implements Namespace: a compare-and-swap of the
// bucket's record.
func (n *userNS) PutBucketVersioning(ctx context.Context, bucket string, v Versioning) error {
	if v != VersioningEnabled && v != VersioningSuspended {
		return fmt.Errorf("%w: versioning state %q", ErrInvalidArgument, string(v))
	}
	return n.changeSettings(ctx, bucket, func(s *bucketSettings) error {
		if s.lock.Enabled && v != VersioningEnabled {
			return fmt.Errorf("%w: versioning cannot be suspended on a bucket with Object Lock", ErrInvalidBucketState)
		}
		s.versioning = v
		return nil
	})
}

// changeSettings applies change to a bucket's settings with a
// compare-and-swap of its record.
func (n *userNS) changeSettings(ctx context.Context, bucket string, change func(*bucketSettings) error) error {
	for range maxSwapAttempts {
		rec, err := n.headBucket(ctx, bucket)
		if err != nil {
			return err
		}
		s := rec.bucketSettings
		if err := change(&s); err != nil || s == rec.bucketSettings {
			return err
		}
		next, err := n.swapBucketRecord(ctx, bucket, rec, rec.phase, rec.created, s)
		if err == nil {
			n.sawLive(bucket, next)
			return nil
		}
		if !errors.Is(err, errBucketRaced) {
			return err
		}
	}
	return errRecordContended(bucket)
}
