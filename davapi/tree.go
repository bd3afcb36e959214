package davapi

import (
	"context"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// deleteBatch is the most keys one DeleteObjects call removes.
const deleteBatch = 1000

// RemoveAll deletes a file, a folder's whole tree, or a bucket with
// everything in it. The root cannot be removed. Dead properties go with
// their resources: the gateway deletes them with the object (a file, a
// folder marker) or the bucket.
func (f *davFS) RemoveAll(ctx context.Context, name string) error {
	st := stateOf(ctx)
	t, err := resolve(name)
	if err != nil {
		return fsErr(st, "remove", name, err)
	}
	defer st.invalidate()
	switch {
	case t.isRoot():
		return fsErr(st, "remove", name, errRootReadOnly)
	case t.isBucket():
		if err := f.deleteTree(ctx, t.bucket, ""); err != nil {
			return fsErr(st, "remove", name, err)
		}
		return fsErr(st, "remove", name, f.ns(ctx).DeleteBucket(ctx, t.bucket))
	}
	fi, err := f.stat(ctx, name)
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return err
	}
	return fsErr(st, "remove", name, f.removeTarget(ctx, t, fi.dir))
}

func (f *davFS) removeTarget(ctx context.Context, t target, dir bool) error {
	if !dir {
		return f.ns(ctx).DeleteObject(ctx, t.bucket, t.key)
	}
	return f.deleteTree(ctx, t.bucket, t.key+"/")
}

// deleteTree deletes every key under prefix ("" is the whole bucket).
//
// It lists the whole tree before deleting on purpose. Paging while deleting
// would be correct (the marker excludes everything listed, so deleting
// listed keys neither skips nor repeats one), but every write bumps the
// bucket's listing generation in the gateway, so each next page would miss
// the listing cache and re-read and decrypt the whole remaining subtree
// upstream: O(N²/page) instead of O(N). The gateway holds the subtree's
// listing anyway; the key slice adds only its string headers.
func (f *davFS) deleteTree(ctx context.Context, bucket, prefix string) error {
	keys, err := f.allKeys(ctx, bucket, prefix)
	if err != nil {
		return err
	}
	ns := f.ns(ctx)
	for len(keys) > 0 {
		n := min(len(keys), deleteBatch)
		objs := make([]gateway.ObjectVersion, n)
		for i, k := range keys[:n] {
			objs[i] = gateway.ObjectVersion{Key: k}
		}
		for _, r := range ns.DeleteObjects(ctx, bucket, objs, gateway.DeleteOptions{}) {
			if r.Err != nil {
				return r.Err
			}
		}
		keys = keys[n:]
	}
	return nil
}

// Rename moves a file or a folder tree (copy, then delete, per object; not
// atomic), with the dead properties of every file and folder marker. Buckets cannot be moved. The
// destination's parent must exist (409).
func (f *davFS) Rename(ctx context.Context, oldName, newName string) error {
	st := stateOf(ctx)
	src, err := resolve(oldName)
	if err != nil {
		return fsErr(st, "rename", oldName, err)
	}
	dst, err := resolve(newName)
	if err != nil {
		return fsErr(st, "rename", newName, err)
	}
	defer st.invalidate()
	if src.key == "" || dst.key == "" {
		return fsErr(st, "rename", oldName, errBucketMove)
	}
	if err := f.requireFolder(ctx, dst.parent()); err != nil {
		return fsErr(st, "rename", newName, err)
	}
	fi, err := f.stat(ctx, oldName)
	if err != nil {
		return err
	}
	if err := f.copyTarget(ctx, src, dst, fi.dir); err != nil {
		return fsErr(st, "rename", oldName, err)
	}
	return fsErr(st, "rename", oldName, f.removeTarget(ctx, src, fi.dir))
}

// copyTarget copies a file or a folder tree (every key under the prefix,
// the folder markers included) with their dead properties.
func (f *davFS) copyTarget(ctx context.Context, src, dst target, dir bool) error {
	if !dir {
		return f.copyKey(ctx, src.bucket, src.key, dst.bucket, dst.key)
	}
	return f.copyTree(ctx, src.bucket, src.key+"/", dst.bucket, dst.key+"/")
}

// copyTree copies every key under sp to the same relative key under dp. It
// lists first for the reason deleteTree does: a copy into the source bucket
// would make every next page re-list the subtree upstream.
func (f *davFS) copyTree(ctx context.Context, sb, sp, db, dp string) error {
	keys, err := f.allKeys(ctx, sb, sp)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := f.copyKey(ctx, sb, k, db, dp+strings.TrimPrefix(k, sp)); err != nil {
			return err
		}
	}
	return nil
}

// copyKey copies one object and its dead properties.
func (f *davFS) copyKey(ctx context.Context, sb, sk, db, dk string) error {
	ns := f.ns(ctx)
	if _, err := ns.CopyObject(ctx, sb, sk, db, dk, gateway.CopyOptions{}); err != nil {
		return err
	}
	return copyProps(ctx, ns, sb, sk, db, dk)
}
