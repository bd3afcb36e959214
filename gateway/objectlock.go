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

// Object Lock (S3's WORM retention), enforced by the gateway on every door:
//
//   - A bucket's lock configuration lives in its record (bucketrec.go):
//     enabled, and a default retention applied to every new version.
//     Object Lock needs versioning: a locked bucket's versioning stays
//     Enabled.
//   - A version's retention (mode and date) and legal hold are a sealed
//     record at .sealgate/locks/<upstream key>/<version id> (user key
//     "object lock", context "lock\x00<bucket>\x00<key>\x00<version id>";
//     plaintext: mode byte, retain-until unix nanoseconds, legal hold byte),
//     changed by compare-and-swap. A write stores it before the version
//     itself commits, so no version of a locked bucket is ever visible
//     without its lock.
//   - A version under retention or legal hold cannot be deleted (by its
//     version id: a delete without one leaves a delete marker, as in S3)
//     until the retention date passes and the hold is off; GOVERNANCE
//     retention yields to BypassGovernance. COMPLIANCE retention can be
//     extended, never shortened or removed.
//
// What an untrusted upstream can do: delete a lock record (then the
// version is deletable through the gateway), or serve an older one, as it
// can delete the data itself. The lock binds the gateway, not the
// upstream's operator, unless the upstream keeps retention itself: when
// the store is a backends.Retainer (S3 with Object Lock on the upstream
// bucket), every locked version's upstream object gets the same retention
// and legal hold (retainUpstream), so that not even the holder of the
// upstream's credentials can delete it before its date.

// RetentionMode is an Object Lock retention mode.
type RetentionMode string

// The retention modes.
const (
	RetentionNone       RetentionMode = ""
	RetentionGovernance RetentionMode = "GOVERNANCE"
	RetentionCompliance RetentionMode = "COMPLIANCE"
)

// LockConfig is a bucket's Object Lock configuration.
type LockConfig struct {
	Enabled bool
	// The default retention of new versions: Mode with Days or Years
	// (one of them), or no default (Mode "").
	Mode        RetentionMode
	Days, Years int
}

// ObjectLock is a version's retention and legal hold.
type ObjectLock struct {
	Mode        RetentionMode
	RetainUntil time.Time // zero without retention
	LegalHold   bool
}

// active reports whether the lock forbids deleting the version at now
// (bypass: GOVERNANCE retention yields).
func (l ObjectLock) active(now time.Time, bypass bool) bool {
	if l.LegalHold {
		return true
	}
	if l.Mode == RetentionNone || !now.Before(l.RetainUntil) {
		return false
	}
	return l.Mode == RetentionCompliance || !bypass
}

// Errors of Object Lock.
var (
	// ErrObjectLocked: the version is under retention or legal hold.
	ErrObjectLocked = errors.New("gateway: object protected by object lock")
	// ErrNoLockConfig: the bucket has no Object Lock (a lock was asked for,
	// or its configuration read).
	ErrNoLockConfig = errors.New("gateway: bucket is missing Object Lock configuration")
	// ErrInvalidBucketState: the change conflicts with the bucket's state
	// (suspending versioning on a bucket with Object Lock).
	ErrInvalidBucketState = errors.New("gateway: invalid bucket state")
)

var modeBytes = map[RetentionMode]byte{RetentionNone: '-', RetentionGovernance: 'G', RetentionCompliance: 'C'}

func modeOf(b byte) (RetentionMode, bool) {
	for m, c := range modeBytes {
		if c == b {
			return m, true
		}
	}
	return "", false
}

// marshalLockConfig is the 6 bytes of an enabled configuration in a
// bucket record: mode, unit, period.
func marshalLockConfig(c LockConfig) []byte {
	unit, period := byte('-'), 0
	switch {
	case c.Days > 0:
		unit, period = 'D', c.Days
	case c.Years > 0:
		unit, period = 'Y', c.Years
	}
	return binary.BigEndian.AppendUint32([]byte{modeBytes[c.Mode], unit}, uint32(period))
}

func parseLockConfig(b []byte) (LockConfig, bool) {
	mode, ok := modeOf(b[0])
	if !ok || len(b) != 6 {
		return LockConfig{}, false
	}
	c := LockConfig{Enabled: true, Mode: mode}
	period := int(binary.BigEndian.Uint32(b[2:]))
	switch {
	case b[1] == 'D' && period > 0 && mode != RetentionNone:
		c.Days = period
	case b[1] == 'Y' && period > 0 && mode != RetentionNone:
		c.Years = period
	case b[1] == '-' && period == 0 && mode == RetentionNone:
	default:
		return LockConfig{}, false // not the one encoding of a configuration
	}
	return c, true
}

// checkLockConfig validates a configuration to store.
func checkLockConfig(c LockConfig) error {
	switch {
	case !c.Enabled:
		return fmt.Errorf("%w: Object Lock cannot be disabled", ErrInvalidArgument)
	case c.Mode == RetentionNone && (c.Days != 0 || c.Years != 0):
		return fmt.Errorf("%w: a retention period without a mode", ErrInvalidArgument)
	case c.Mode != RetentionNone && (c.Days > 0) == (c.Years > 0):
		return fmt.Errorf("%w: a default retention needs either Days or Years", ErrInvalidArgument)
	case c.Days < 0 || c.Years < 0 || c.Days > 36500 || c.Years > 100:
		return fmt.Errorf("%w: retention period out of range", ErrInvalidArgument)
	case c.Mode != RetentionNone && c.Mode != RetentionGovernance && c.Mode != RetentionCompliance:
		return fmt.Errorf("%w: retention mode %q", ErrInvalidArgument, string(c.Mode))
	}
	return nil
}

// defaultLock is the lock a new version written at now gets from the
// bucket's configuration.
func (c LockConfig) defaultLock(now time.Time) ObjectLock {
	switch {
	case c.Mode == RetentionNone:
		return ObjectLock{}
	case c.Days > 0:
		return ObjectLock{Mode: c.Mode, RetainUntil: now.AddDate(0, 0, c.Days)}
	}
	return ObjectLock{Mode: c.Mode, RetainUntil: now.AddDate(c.Years, 0, 0)}
}

// GetObjectLockConfiguration implements Namespace.
func (n *userNS) GetObjectLockConfiguration(ctx context.Context, bucket string) (LockConfig, error) {
	rec, err := n.headBucket(ctx, bucket)
	if err == nil && !rec.lock.Enabled {
		err = fmt.Errorf("%w: %s", ErrNoLockConfig, bucket)
	}
	return rec.lock, err
}

// PutObjectLockConfiguration implements Namespace: it enables Object Lock
// on a bucket with versioning enabled, or changes its default retention.
func (n *userNS) PutObjectLockConfiguration(ctx context.Context, bucket string, c LockConfig) error {
	if err := checkLockConfig(c); err != nil {
		return err
	}
	return n.changeSettings(ctx, bucket, func(s *bucketSettings) error {
		if s.versioning != VersioningEnabled {
			return fmt.Errorf("%w: Object Lock needs versioning enabled", ErrInvalidBucketState)
		}
		s.lock = c
		return nil
	})
}

// locksRoot is the prefix of every lock record.
const locksRoot = ".sealgate/locks/"

// lockKey is the upstream key of the lock record of version vid of the
// key stored at up.
func lockKey(up, vid string) string { return locksRoot + up + "/" + vid }

func lockContext(bucket, key, vid string) string {
	return "lock\x00" + bucket + "\x00" + key + "\x00" + vid
}

// lockRecordSize is the plaintext size of a lock record.
const lockRecordSize = 1 + 8 + 1

// readLock reads the lock of a version: its record's upstream ETag ("" if
// there is none, and then no lock).
func (n *userNS) readLock(ctx context.Context, bucket, key, up, vid string) (ObjectLock, string, error) {
	rc, info, err := n.svc.store.Get(ctx, lockKey(up, vid), 0, -1)
	if isNotExist(err) {
		return ObjectLock{}, "", nil
	}
	if err != nil {
		return ObjectLock{}, "", upstreamErr(err, ErrNoSuchKey)
	}
	defer func() { _ = rc.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, 256)); err != nil {
		return ObjectLock{}, "", upstreamErr(err, ErrNoSuchKey)
	}
	pt, err := cryptolayer.OpenRecord(n.user.DeriveUserKey("object lock"), lockContext(bucket, key, vid), buf.Bytes())
	mode, ok := RetentionNone, false
	if err == nil && len(pt) == lockRecordSize {
		mode, ok = modeOf(pt[0])
	}
	if !ok {
		n.svc.integrityFailure("lock")
		return ObjectLock{}, "", fmt.Errorf("%w: lock record", ErrIntegrity)
	}
	l := ObjectLock{Mode: mode, LegalHold: pt[9] == 1}
	if mode != RetentionNone {
		l.RetainUntil = nanoTime(pt[1:9])
	}
	return l, info.ETag, nil
}

// writeLock stores a version's lock if it is still at etag ("": absent).
func (n *userNS) writeLock(ctx context.Context, bucket, key, up, vid string, l ObjectLock, etag string) error {
	pt := []byte{modeBytes[l.Mode]}
	pt = binary.BigEndian.AppendUint64(pt, uint64(l.RetainUntil.UnixNano()))
	hold := byte(0)
	if l.LegalHold {
		hold = 1
	}
	rec := cryptolayer.SealRecord(n.user.DeriveUserKey("object lock"), lockContext(bucket, key, vid), append(pt, hold))
	cond := backends.PutOptions{IfAbsent: true}
	if etag != "" {
		cond = backends.PutOptions{IfMatch: etag}
	}
	_, err := n.svc.store.Put(ctx, lockKey(up, vid), bytes.NewReader(rec), int64(len(rec)), cond)
	if errors.Is(err, backends.ErrPreconditionFailed) {
		return fmt.Errorf("%w: the lock changed meanwhile", ErrConflict)
	}
	return upstreamErr(err, ErrNoSuchKey)
}

// checkUnlocked fails with ErrObjectLocked if version vid of the key at up
// may not be deleted now, in a bucket with lock configuration lc.
func (n *userNS) checkUnlocked(ctx context.Context, bucket, key, up, vid string, lc LockConfig, bypass bool) error {
	if !lc.Enabled || vid == NullVersion {
		return nil
	}
	l, _, err := n.readLock(ctx, bucket, key, up, vid)
	if err != nil {
		return err
	}
	if l.active(n.svc.cfg.Now(), bypass) {
		return fmt.Errorf("%w: %s version %s", ErrObjectLocked, key, vid)
	}
	return nil
}

// retainUpstream gives the upstream object at key (a locked version's
// current place) the version's lock, if the upstream keeps retention. An
// upstream without Object Lock is not an error: the gateway's lock holds.
func (n *userNS) retainUpstream(ctx context.Context, key string, l ObjectLock) error {
	r, ok := n.svc.store.(backends.Retainer)
	if !ok || l == (ObjectLock{}) {
		return nil
	}
	mode := ""
	if l.Mode != RetentionNone && n.svc.cfg.Now().Before(l.RetainUntil) {
		mode = string(l.Mode)
	}
	err := r.Retain(ctx, key, mode, l.RetainUntil, l.LegalHold)
	if errors.Is(err, backends.ErrNoRetention) {
		return nil
	}
	return upstreamErr(err, ErrNoSuchKey)
}

// dropLock removes the lock record of a deleted version (best effort: an
// orphan record locks nothing).
func (n *userNS) dropLock(ctx context.Context, up, vid string) {
	_ = n.svc.store.Delete(context.WithoutCancel(ctx), lockKey(up, vid))
}
