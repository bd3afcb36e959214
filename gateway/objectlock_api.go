package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// CreateLockedBucket implements Namespace.
func (n *userNS) CreateLockedBucket(ctx context.Context, bucket string) error {
	return n.createBucket(ctx, bucket, bucketSettings{versioning: VersioningEnabled, lock: LockConfig{Enabled: true}})
}

// GetObjectLock implements Namespace.
func (n *userNS) GetObjectLock(ctx context.Context, bucket, key, vid string) (ObjectLock, error) {
	up, vid, err := n.lockTarget(ctx, bucket, key, vid) // a missing object first, as S3
	if err != nil {
		return ObjectLock{}, err
	}
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return ObjectLock{}, err
	}
	if !rec.lock.Enabled {
		return ObjectLock{}, fmt.Errorf("%w: %s", ErrNoLockConfig, bucket)
	}
	l, _, err := n.readLock(ctx, bucket, key, up, vid)
	return l, err
}

// lockTarget resolves the version a lock request names ("": the current
// one) to the upstream key of its key and its version id. A delete marker
// cannot be locked (ErrMethodNotAllowed).
func (n *userNS) lockTarget(ctx context.Context, bucket, key, vid string) (string, string, error) {
	up, err := n.readKey(ctx, bucket, key)
	if err != nil {
		return "", "", err
	}
	info, err := n.HeadObject(ctx, bucket, key, GetOptions{VersionID: vid})
	var dm *DeleteMarkerError
	if errors.As(err, &dm) {
		return "", "", fmt.Errorf("%w: a delete marker has no lock", ErrMethodNotAllowed)
	}
	if err != nil {
		return "", "", err
	}
	if info.VersionID == "" || info.VersionID == NullVersion {
		return "", "", fmt.Errorf("%w: the null version cannot be locked", ErrNoLockConfig)
	}
	return up, info.VersionID, nil
}

// PutObjectRetention implements Namespace.
func (n *userNS) PutObjectRetention(ctx context.Context, bucket, key, vid string, mode RetentionMode, until time.Time, bypass bool) error {
	now := n.svc.cfg.Now()
	if mode != RetentionNone && !until.After(now) {
		return fmt.Errorf("%w: the retain until date must be in the future", ErrInvalidArgument)
	}
	return n.changeLock(ctx, bucket, key, vid, func(l *ObjectLock) error {
		old := *l
		locked := old.Mode != RetentionNone && now.Before(old.RetainUntil)
		switch {
		case locked && old.Mode == RetentionCompliance && (mode != RetentionCompliance || until.Before(old.RetainUntil)):
			return fmt.Errorf("%w: COMPLIANCE retention can only be extended", ErrObjectLocked)
		case locked && old.Mode == RetentionGovernance && !bypass && (mode != old.Mode || until.Before(old.RetainUntil)):
			return fmt.Errorf("%w: GOVERNANCE retention needs the bypass to be shortened", ErrObjectLocked)
		}
		l.Mode, l.RetainUntil = mode, until
		if mode == RetentionNone {
			l.RetainUntil = time.Time{}
		}
		return nil
	})
}

// PutObjectLegalHold implements Namespace.
func (n *userNS) PutObjectLegalHold(ctx context.Context, bucket, key, vid string, on bool) error {
	return n.changeLock(ctx, bucket, key, vid, func(l *ObjectLock) error {
		l.LegalHold = on
		return nil
	})
}

// changeLock applies change to a version's lock with a compare-and-swap
// of its record.
func (n *userNS) changeLock(ctx context.Context, bucket, key, vid string, change func(*ObjectLock) error) error {
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return err
	}
	if !rec.lock.Enabled {
		return fmt.Errorf("%w: %s", ErrNoLockConfig, bucket)
	}
	up, vid, err := n.lockTarget(ctx, bucket, key, vid)
	if err != nil {
		return err
	}
	for range maxSwapAttempts {
		l, etag, err := n.readLock(ctx, bucket, key, up, vid)
		if err != nil {
			return err
		}
		if err := change(&l); err != nil {
			return err
		}
		if err = n.writeLock(ctx, bucket, key, up, vid, l, etag); errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return err
		}
		return n.retainVersion(ctx, bucket, key, vid, l)
	}
	return fmt.Errorf("%w: lock of %s changed %d times in a row", ErrConflict, key, maxSwapAttempts)
}

// addLock sets info.Lock for a read of a version written in a bucket with
// Object Lock (its sealed metadata says so: other reads cost nothing more).
func (n *userNS) addLock(ctx context.Context, bucket, key string, info *ObjectInfo) error {
	if !info.lockable || info.VersionID == "" || info.VersionID == NullVersion {
		return nil
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return err
	}
	l, _, err := n.readLock(ctx, bucket, key, up, info.VersionID)
	if err == nil {
		info.Lock = &l
	}
	return err
}

// ActiveLocks counts an account's versions that Object Lock protects now
// (retention not yet passed, or a legal hold): what deleting the account
// would destroy despite their locks. A record that fails to open counts
// as a lock.
func (s *Service) ActiveLocks(ctx context.Context, a Account) (int, error) {
	n := s.namespaceFor(a.KeyRecord())
	buckets, err := n.ListBuckets(ctx)
	if err != nil {
		return 0, err
	}
	count := 0
	for _, b := range buckets {
		err := s.eachObject(ctx, locksRoot+n.bucketPrefix(b.Name), func(o backends.ObjectInfo) error {
			up := strings.TrimPrefix(o.Key, locksRoot)
			i := strings.LastIndexByte(up, '/')
			key, err := n.nameOf(ctx, b.Name, backends.ObjectInfo{Key: up[:i]}, "", "")
			if err != nil {
				count++
				return nil
			}
			l, _, err := n.readLock(ctx, b.Name, key, up[:i], up[i+1:])
			if err != nil || l.active(s.cfg.Now(), false) {
				count++
			}
			return nil
		})
		if err != nil {
			return count, err
		}
	}
	return count, nil
}

// retainVersion gives a version's upstream object, wherever it is now, its
// lock (retainUpstream).
func (n *userNS) retainVersion(ctx context.Context, bucket, key, vid string, l ObjectLock) error {
	if _, ok := n.svc.store.(backends.Retainer); !ok {
		return nil
	}
	at, err := n.versionKey(ctx, bucket, key, vid)
	if err != nil {
		return err
	}
	return n.retainUpstream(ctx, at, l)
}
