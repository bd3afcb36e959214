package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// versionWrite is how a write commits in its bucket's versioning state.
type versionWrite struct {
	id   string              // the new version's id; "" when versioning is off
	cond backends.PutOptions // the commit's upstream condition
	// swapped: cond is the gateway's own compare-and-swap, not the
	// client's: a failure is ErrConflict, not ErrPreconditionFailed.
	swapped bool
	// dropNull: a suspended bucket's write replaces a noncurrent null
	// version too.
	dropNull bool
	lock     LockConfig // the bucket's Object Lock
	// replaced is the footprint of the version the write replaces in
	// place (a suspended bucket's null version), when replacedKnown; with
	// versioning off the current object was not read.
	replaced      footprint
	replacedKnown bool
	// release gives up the key's lock (keylock.go) once the write has
	// committed or failed; nil when the write took none.
	release func()
	// aside copies the current version to its noncurrent name (aside.go);
	// nil when there is none to keep. put runs it.
	aside func(context.Context) error
}

// done releases what beginVersion took.
func (vw versionWrite) done() {
	if vw.release != nil {
		vw.release()
	}
}

// beginVersion prepares a write of key (stored at up) under the client's
// condition cond: in a bucket with versioning, the current version is set
// aside unless the write replaces it (a null version of a suspended
// bucket), and the commit becomes a compare-and-swap on it. keep rewrites
// a version in place (re-encryption).
func (n *userNS) beginVersion(ctx context.Context, bucket, key, up string, cond backends.PutOptions, keep *string, now time.Time) (versionWrite, error) {
	if keep != nil {
		return versionWrite{id: *keep, cond: cond}, nil
	}
	bs, err := n.bucketState(ctx, bucket)
	if err != nil || bs.versioning == VersioningOff {
		return versionWrite{cond: cond, lock: bs.lock}, err
	}
	// The commit swaps the version read here: take turns with this
	// gateway's other writes of the key, so that they do not lose the swap.
	_, release, err := n.svc.keyLocks.lock(ctx, up)
	if err != nil {
		return versionWrite{}, err
	}
	vw, err := n.beginVersioned(ctx, bucket, key, up, cond, bs, now)
	if err != nil {
		release()
		return versionWrite{}, err
	}
	vw.release = release
	return vw, nil
}

// beginVersioned is beginVersion in a bucket whose versioning is on or
// suspended, under the key's lock.
func (n *userNS) beginVersioned(ctx context.Context, bucket, key, up string, cond backends.PutOptions, bs bucketState, now time.Time) (versionWrite, error) {
	cur, err := n.currentVersion(ctx, bucket, key, up)
	if err != nil {
		return versionWrite{}, err
	}
	if err := cur.check(cond); err != nil {
		return versionWrite{}, err
	}
	vw := versionWrite{cond: backends.PutOptions{IfAbsent: true}, swapped: !cond.IfAbsent && cond.IfMatch == "", lock: bs.lock,
		replacedKnown: true}
	if cur.exists {
		vw.cond = backends.PutOptions{IfMatch: cur.st.ETag}
		if bs.versioning == VersioningEnabled || cur.info.VersionID != NullVersion {
			if vw.aside, err = n.asideJob(bucket, key, up, cur, bs.lock); err != nil {
				return versionWrite{}, err
			}
		} else if !cur.info.DeleteMarker {
			vw.replaced = versionFootprint(cur.info.Size)
		}
	}
	if bs.versioning == VersioningEnabled {
		vw.id = newVersionID(now)
	} else {
		vw.id, vw.dropNull = NullVersion, true
	}
	return vw, nil
}

// check applies the client's condition to the current version: a delete
// marker counts as no object.
func (c current) check(cond backends.PutOptions) error {
	live := c.exists && !c.info.DeleteMarker
	switch {
	case cond.IfAbsent && live:
		return fmt.Errorf("%w: If-None-Match", ErrPreconditionFailed)
	case cond.IfMatch != "" && (!c.exists || c.st.ETag != cond.IfMatch): // a door's If-Match never names a marker (putConditions)
		return fmt.Errorf("%w: If-Match", ErrPreconditionFailed)
	}
	return nil
}

// lockVersion stores the lock of the version about to commit: the one
// asked for, else the bucket's default retention. It runs before the
// commit, so that the version is never visible unlocked; it returns the
// lock, for the upstream object once committed (retainUpstream).
func (vw versionWrite) lockVersion(ctx context.Context, n *userNS, bucket, key, up string, asked *ObjectLock, now time.Time) (ObjectLock, error) {
	if !vw.lock.Enabled {
		if asked != nil {
			return ObjectLock{}, fmt.Errorf("%w: %s", ErrNoLockConfig, bucket)
		}
		return ObjectLock{}, nil
	}
	l := vw.lock.defaultLock(now)
	if asked != nil {
		l = *asked
	}
	if l == (ObjectLock{}) || vw.id == "" || vw.id == NullVersion {
		return ObjectLock{}, nil
	}
	return l, n.writeLock(ctx, bucket, key, up, vw.id, l, "")
}

// lateDefaultLock gives a committed version the bucket's default retention
// when the bucket hint the write began with did not know it yet (Object
// Lock configured through another gateway in the last bucketHintTTL): the
// record confirmBucket has just read does. The version was then unlocked
// for the length of one upstream write.
func (n *userNS) lateDefaultLock(ctx context.Context, bucket, key, up, vid string, now time.Time) error {
	st, ok := n.svc.buckets.Get(n.bucketCacheKey(bucket))
	if !ok || !st.lock.Enabled || vid == "" || vid == NullVersion {
		return nil
	}
	l := st.lock.defaultLock(now)
	if l == (ObjectLock{}) {
		return nil
	}
	if _, etag, err := n.readLock(ctx, bucket, key, up, vid); err != nil || etag != "" {
		return err // locked already (the write knew the default)
	}
	if err := n.writeLock(ctx, bucket, key, up, vid, l, ""); err != nil && !errors.Is(err, ErrConflict) {
		return err
	}
	return n.retainUpstream(ctx, up, l)
}

// commitErr maps the upstream error of the commit.
func (vw versionWrite) commitErr(err error) error {
	if vw.swapped && errors.Is(err, backends.ErrPreconditionFailed) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return upstreamErr(err, ErrNoSuchKey)
}

// finish runs after the commit.
func (vw versionWrite) finish(ctx context.Context, n *userNS, up string) error {
	if !vw.dropNull {
		return nil
	}
	return n.dropNoncurrentNull(context.WithoutCancel(ctx), up)
}
