package fs

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"path/filepath"

	"github.com/sealgate/sealgate/backends"
)

var _ backends.Copier = (*Store)(nil)

// Copy implements [backends.Copier] with a hard link: the copy shares the
// source's file, so it costs a link and a rename whatever the size. That is
// safe because no Store ever writes into an installed file: every Put
// renames a new file into place, so the source key moving on leaves the
// copy's file (and its bytes) as they were.
//
// A dst that does not exist yet (the usual case: a version set aside) is
// one hard link, made under the locks of both keys after checking that src
// is the version whose ETag is srcETag (same size, mtime and inode), else
// [backends.ErrPreconditionFailed]; the locks keep any commit or delete of
// either key out from between the check and the link (linkNew).
//
// A dst that exists is replaced: the source is linked into this Store's
// temp directory first and checked there, so a source replaced at any
// moment is never copied by mistake, and the link is then installed under
// dst like a Put's temp file (under dst's lock, the parent fsynced).
//
// The copy has the source's ETag and modification time: an ETag names one
// key's contents, and a key's ETag still changes on every write of that
// key.
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
	if fi, ok, err := s.linkNew(src, srel, srcETag, dst, drel); ok {
		if err != nil {
			return backends.ObjectInfo{}, noSpace(fmt.Errorf("fs: copy %q: %w", dst, err))
		}
		return objectInfo(dst, fi), nil
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

// linkNew is Copy to a dst that does not exist yet (a version set aside):
// one hard link from src to dst, under the locks of both keys, so that no
// commit or delete of either, by this process or another, falls between
// the check of src's ETag and the link; then dst's parent is fsynced. ok
// is false when dst exists: Copy then replaces it through a temp link.
func (s *Store) linkNew(src, srel, srcETag, dst, drel string) (fi iofs.FileInfo, ok bool, err error) {
	unlock, err := s.lockKeys(src, dst)
	if err != nil {
		return nil, true, err
	}
	defer unlock()
	if fi, err = s.lstatObject(src, srel); err != nil {
		return nil, true, err
	}
	if etag(fi) != srcETag {
		return nil, true, keyError(src, "changed since it was read", backends.ErrPreconditionFailed)
	}
	ok, err = s.linkBeneath(srel, drel)
	if !ok {
		ok, err = s.linkWalk(dst, srel, drel)
	}
	if err != nil {
		return nil, true, mapWriteErr(dst, err)
	}
	return fi, ok, nil
}

// linkWalk is linkNew's link through the os.Root, making dst's parent
// directories: ok is false when drel exists.
func (s *Store) linkWalk(dst, srel, drel string) (ok bool, err error) {
	parent := filepath.Dir(drel)
	for try := 0; ; try++ {
		if err := s.checkParents(dst, drel, backends.ErrInvalidKey); err != nil {
			return true, err
		}
		err = s.fault(opMkdir)
		if err == nil {
			err = s.root.MkdirAll(parent, dirPerm)
		}
		if err == nil {
			err = s.root.Link(srel, drel)
		}
		switch {
		case err == nil:
			return true, s.syncDir(parent)
		case errors.Is(err, iofs.ErrExist) && try == 0:
			return false, nil
		case (errors.Is(err, iofs.ErrNotExist) || errors.Is(err, iofs.ErrExist)) && try < installRetries:
			continue // a concurrent Delete pruned the new parent
		}
		return true, err
	}
}
