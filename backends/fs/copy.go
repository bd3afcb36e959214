package fs

import (
	"context"
	"fmt"

	"github.com/sealgate/sealgate/backends"
)

var _ backends.Copier = (*Store)(nil)

// Copy implements [backends.Copier] with a hard link: the copy shares the
// source's file, so it costs a link and a rename whatever the size. That is
// safe because no Store ever writes into an installed file: every Put
// renames a new file into place, so the source key moving on leaves the
// copy's file (and its bytes) as they were.
//
// The source is linked into this Store's temp directory first and checked
// there: the link is of the version whose ETag is srcETag (same size,
// mtime and inode) or Copy fails with [backends.ErrPreconditionFailed], so
// a source replaced at any moment is never copied by mistake. The link is
// then installed under dst like a Put's temp file (under dst's lock, the
// parent fsynced). The copy has the source's ETag and modification time:
// an ETag names one key's contents, and a key's ETag still changes on
// every write of that key.
func (s *Store) Copy(ctx context.Context, src, srcETag, dst string) (backends.ObjectInfo, error) {
	srel, err := objectPath(src)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	drel, err := objectPath(dst)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return backends.ObjectInfo{}, err
	}
	if err := s.checkParents(dst, drel, backends.ErrInvalidKey); err != nil {
		return backends.ObjectInfo{}, err
	}
	tmp, err := s.linkTemp(src, srel, srcETag)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	fi, err := s.root.Lstat(tmp)
	if err == nil {
		err = s.commit(ctx, dst, drel, tmp, backends.PutOptions{})
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return backends.ObjectInfo{}, noSpace(fmt.Errorf("fs: copy %q: %w", dst, err))
	}
	return objectInfo(dst, fi), nil
}

// linkTemp makes a temp name a hard link to the object of src, checked to
// be a regular file whose ETag is srcETag; on error nothing is left behind.
func (s *Store) linkTemp(src, srel, srcETag string) (string, error) {
	if _, err := s.lstatObject(src, srel); err != nil {
		return "", err
	}
	tmp := s.tempName()
	if err := s.root.Link(srel, tmp); err != nil {
		return "", mapErr(src, err)
	}
	fi, err := s.root.Lstat(tmp)
	switch {
	case err != nil:
		err = fmt.Errorf("fs: copy %q: %w", src, err)
	case !fi.Mode().IsRegular():
		err = keyError(src, "not a regular file", backends.ErrNotExist)
	case etag(fi) != srcETag:
		err = keyError(src, "changed since it was read", backends.ErrPreconditionFailed)
	}
	if err != nil {
		_ = s.root.Remove(tmp)
		return "", err
	}
	return tmp, nil
}
