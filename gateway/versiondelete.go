package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/sealgate/sealgate/backends"
)

// DeleteObject implements Namespace. It reads the bucket's record first:
// deleting a key of a bucket deleted through another gateway answers
// ErrNoSuchBucket.
func (n *userNS) DeleteObject(ctx context.Context, bucket, key string) error {
	_, err := n.DeleteVersion(ctx, bucket, key, "", DeleteOptions{})
	return err
}

// DeleteVersion implements Namespace.
func (n *userNS) DeleteVersion(ctx context.Context, bucket, key, versionID string, o DeleteOptions) (DeleteResult, error) {
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return DeleteResult{Key: key, VersionID: versionID}, err
	}
	return n.deleteIn(ctx, bucket, key, versionID, rec.bucketSettings, o)
}

// deleteIn deletes without a bucket check, in a bucket of settings s.
func (n *userNS) deleteIn(ctx context.Context, bucket, key, versionID string, s bucketSettings, o DeleteOptions) (DeleteResult, error) {
	res := DeleteResult{Key: key, VersionID: versionID}
	if versionID != "" && !wellFormedVersionID(versionID) {
		return res, ErrInvalidVersionID
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return res, err
	}
	if versionID != "" || s.versioning != VersioningOff {
		// A delete here swaps the key's current version: it takes turns
		// with this gateway's other writes of the key (keylock.go), its
		// conditions checked in its turn.
		lctx, release, err := n.svc.keyLocks.lock(ctx, up)
		if err != nil {
			return res, err
		}
		defer release()
		ctx = lctx
	}
	if err := n.checkDeleteConditions(ctx, bucket, key, versionID, o.Conditions); err != nil {
		return res, err
	}
	defer n.svc.lists.invalidate(n.bucketPrefix(bucket))
	switch {
	case versionID != "":
		res.DeleteMarker, err = n.deleteNamedVersion(ctx, bucket, key, up, versionID, func(vid string) error {
			return n.checkUnlocked(ctx, bucket, key, up, vid, s.lock, o.BypassGovernance)
		})
		if err == nil {
			n.dropLock(ctx, up, versionID)
			n.dropTags(ctx, up, versionID)
		}
	case s.versioning == VersioningOff:
		err = n.deleteKey(ctx, bucket, key, up)
	default:
		res.DeleteMarkerVersionID, err = n.putMarker(ctx, bucket, key, up)
		res.DeleteMarker = err == nil
	}
	return res, err
}

// deleteKey deletes a key of an unversioned bucket and its properties.
func (n *userNS) deleteKey(ctx context.Context, bucket, key, up string) error {
	quota := n.svc.quotas.track(ctx, n)
	release, err := n.lockTracked(ctx, quota, versionWrite{}, up)
	if err != nil {
		return err
	}
	defer release()
	old := n.replaced(ctx, quota, versionWrite{}, up)
	if err := n.svc.store.Delete(ctx, up); err != nil {
		return upstreamErr(err, ErrNoSuchKey)
	}
	quota.done(old.neg())
	n.dropProps(ctx, bucket, key)
	return nil
}

// putMarker makes a delete marker the current version of key, setting the
// current version aside as a write does (beginVersion), and returns the
// marker's version id. A lost compare-and-swap (to another gateway) is
// retried: a delete has no body to lose.
func (n *userNS) putMarker(ctx context.Context, bucket, key, up string) (string, error) {
	for range maxSwapAttempts {
		vid, err := n.putMarkerOnce(ctx, bucket, key, up)
		if errors.Is(err, ErrConflict) || errors.Is(err, backends.ErrPreconditionFailed) {
			continue
		}
		return vid, err
	}
	return "", fmt.Errorf("%w: key changed %d times in a row", ErrConflict, maxSwapAttempts)
}

// putMarkerOnce is one attempt of putMarker.
func (n *userNS) putMarkerOnce(ctx context.Context, bucket, key, up string) (string, error) {
	now := n.svc.cfg.Now().UTC()
	vw, err := n.beginVersion(ctx, bucket, key, up, backends.PutOptions{}, nil, now)
	if err != nil {
		return "", err
	}
	defer vw.done()
	rec := n.sealMarker(bucket, key, vw.id, now)
	if _, err := vw.put(ctx, n, up, bytes.NewReader(rec), int64(len(rec))); err != nil {
		return "", err // a lost swap is ErrConflict: putMarker tries again
	}
	n.dropProps(ctx, bucket, key)
	n.freed(ctx, vw.replaced)
	return vw.id, vw.finish(ctx, n, up)
}

// deleteNamedVersion deletes one version for good, if allowed says so,
// and reports whether it was a delete marker. Deleting the current version
// makes the newest noncurrent one current again. An absent version is not
// an error (S3).
func (n *userNS) deleteNamedVersion(ctx context.Context, bucket, key, up, vid string, allowed func(vid string) error) (bool, error) {
	if err := allowed(vid); err != nil {
		return false, err
	}
	for range maxSwapAttempts {
		cur, err := n.currentVersion(ctx, bucket, key, up)
		if err != nil {
			return false, err
		}
		if cur.exists && cur.info.VersionID == vid {
			err = n.promote(ctx, up, cur)
			if errors.Is(err, ErrConflict) {
				continue
			}
			if err == nil && !cur.info.DeleteMarker {
				n.freed(ctx, versionFootprint(cur.info.Size))
			}
			return cur.info.DeleteMarker, err
		}
		vk, st, err := n.findVersion(ctx, up, vid)
		if errors.Is(err, ErrNoSuchVersion) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if err := n.svc.store.Delete(ctx, vk); err != nil && !isNotExist(err) {
			return false, upstreamErr(err, ErrNoSuchKey)
		}
		n.freed(ctx, upstreamFootprint(st.Size))
		// A concurrent deletion of the current version may have promoted
		// this one meanwhile: then it is current now, and goes again.
		if now, err := n.currentVersion(ctx, bucket, key, up); err != nil || !now.exists || now.info.VersionID != vid {
			return isMarkerSize(st.Size), err
		}
	}
	return false, fmt.Errorf("%w: key changed %d times in a row", ErrConflict, maxSwapAttempts)
}

// promote replaces the current version cur by the newest noncurrent one
// (compare-and-swap), or deletes it if there is none. A leftover copy of
// cur itself (a write that set cur aside, then failed) goes with it.
func (n *userNS) promote(ctx context.Context, up string, cur current) error {
	all, err := n.noncurrent(ctx, up)
	if err != nil {
		return err
	}
	var vs []backends.ObjectInfo
	for _, o := range all {
		if _, vid, _ := splitVersionKey(o.Key); vid != cur.info.VersionID {
			vs = append(vs, o)
		} else if err := n.svc.store.Delete(ctx, o.Key); err != nil && !isNotExist(err) {
			return upstreamErr(err, ErrNoSuchKey)
		}
	}
	if len(vs) == 0 {
		if err := n.svc.store.Delete(ctx, up); err != nil && !isNotExist(err) {
			return upstreamErr(err, ErrNoSuchKey)
		}
		return nil
	}
	next := vs[0]
	if err := n.copyUpstream(ctx, next.Key, next, up, backends.PutOptions{IfMatch: cur.st.ETag}); err != nil {
		return err
	}
	if err := n.svc.store.Delete(ctx, next.Key); err != nil && !isNotExist(err) {
		return upstreamErr(err, ErrNoSuchKey)
	}
	return nil
}

// findVersion returns the upstream key and version of the noncurrent
// version vid of the key at up; ErrNoSuchVersion if there is none.
func (n *userNS) findVersion(ctx context.Context, up, vid string) (string, backends.ObjectInfo, error) {
	if vid != NullVersion {
		if !validVersionID(vid) {
			return "", backends.ObjectInfo{}, fmt.Errorf("%w: %s", ErrNoSuchVersion, vid)
		}
		vk := versionsDir(up) + vid
		st, err := n.svc.store.Stat(ctx, vk)
		if isNotExist(err) {
			return "", st, fmt.Errorf("%w: %s", ErrNoSuchVersion, vid)
		}
		return vk, st, upstreamErr(err, ErrNoSuchVersion)
	}
	vs, err := n.noncurrent(ctx, up)
	if err != nil {
		return "", backends.ObjectInfo{}, err
	}
	for _, o := range vs {
		if _, v, _ := splitVersionKey(o.Key); v == NullVersion {
			return o.Key, o, nil
		}
	}
	return "", backends.ObjectInfo{}, fmt.Errorf("%w: %s", ErrNoSuchVersion, vid)
}

// DeleteObjects implements Namespace: one bucket check, then each key
// independently, a few at a time; the versions of one key in request
// order (deleting a current version promotes the next one).
func (n *userNS) DeleteObjects(ctx context.Context, bucket string, objs []ObjectVersion, opts DeleteOptions) []DeleteResult {
	out := make([]DeleteResult, len(objs))
	rec, berr := n.headBucket(ctx, bucket)
	byKey := map[string][]int{}
	var keys []string
	for i, o := range objs {
		if _, ok := byKey[o.Key]; !ok {
			keys = append(keys, o.Key)
		}
		byKey[o.Key] = append(byKey[o.Key], i)
	}
	var g errgroup.Group
	g.SetLimit(8)
	for _, k := range keys {
		g.Go(func() error {
			for _, i := range byKey[k] {
				o := objs[i]
				if berr != nil {
					out[i] = DeleteResult{Key: o.Key, VersionID: o.VersionID, Err: berr}
					continue
				}
				r, err := n.deleteIn(ctx, bucket, o.Key, o.VersionID, rec.bucketSettings, opts)
				r.Err = err
				out[i] = r
			}
			return nil // each object reports its own result
		})
	}
	_ = g.Wait()
	return out
}
