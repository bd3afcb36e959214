package davapi

import (
	"bytes"
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// davFS is a webdav.FileSystem over the namespace of the request's user,
// found in the request context (reqstate.go).
type davFS struct{}

var _ webdav.FileSystem = (*davFS)(nil)

// ns is the namespace of the request's user; nil outside a request.
func (f *davFS) ns(ctx context.Context) gateway.Namespace {
	if st := stateOf(ctx); st != nil {
		return st.ns
	}
	return nil
}

// Stat describes the root, a bucket, a file (HeadObject) or a folder (a
// marker or any key under the prefix: one listing of at most one entry).
func (f *davFS) Stat(ctx context.Context, name string) (os.FileInfo, error) {
	fi, err := f.stat(ctx, name)
	if err != nil {
		return nil, err
	}
	return fi, nil
}

func (f *davFS) stat(ctx context.Context, name string) (*fileInfo, error) {
	st := stateOf(ctx)
	t, err := resolve(name)
	if err != nil {
		return nil, fsErr(st, "stat", name, err)
	}
	if fi := st.cached(t.name); fi != nil {
		return fi, nil
	}
	fi, err := f.statTarget(ctx, t)
	if err != nil {
		return nil, fsErr(st, "stat", name, err)
	}
	st.prime(t.name, fi)
	return fi, nil
}

func (f *davFS) statTarget(ctx context.Context, t target) (*fileInfo, error) {
	ns := f.ns(ctx)
	switch {
	case t.isRoot():
		return dirInfo("/", time.Unix(0, 0).UTC()), nil
	case t.isBucket():
		bi, err := ns.HeadBucket(ctx, t.bucket)
		if err != nil {
			return nil, err
		}
		return dirInfo(t.bucket, bi.Created), nil
	}
	oi, err := ns.HeadObject(ctx, t.bucket, t.key, gateway.GetOptions{})
	if err == nil {
		return objectInfo(f, t.bucket, oi), nil
	}
	if !errors.Is(err, gateway.ErrNoSuchKey) {
		return nil, err
	}
	return f.statFolder(ctx, t)
}

// statFolder finds a folder by its marker or by any entry under it
// (gateway.HeadFolder: O(1), not a listing of the folder).
func (f *davFS) statFolder(ctx context.Context, t target) (*fileInfo, error) {
	fi, err := f.ns(ctx).HeadFolder(ctx, t.bucket, t.key+"/")
	if errors.Is(err, gateway.ErrNoSuchKey) {
		return nil, os.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	if !fi.Marker {
		info := dirInfo(t.base(), time.Unix(0, 0).UTC())
		info.marker = markerAbsent
		return info, nil
	}
	info := dirInfo(t.base(), fi.Modified)
	info.marker = markerPresent
	return info, nil
}

// requireFolder checks that t exists as a collection (for a new child).
func (f *davFS) requireFolder(ctx context.Context, t target) error {
	fi, err := f.stat(ctx, t.name)
	if err != nil {
		if isNotExist(err) {
			return errConflict
		}
		return err
	}
	if !fi.dir {
		return errConflict
	}
	return nil
}

// Mkdir creates a bucket at the root, else a folder marker "dir/".
func (f *davFS) Mkdir(ctx context.Context, name string, _ os.FileMode) error {
	st := stateOf(ctx)
	t, err := resolve(name)
	if err != nil {
		return fsErr(st, "mkdir", name, err)
	}
	defer st.invalidate()
	switch {
	case t.isRoot():
		return fsErr(st, "mkdir", name, os.ErrExist)
	case t.isBucket():
		if err := gateway.CheckBucketName(t.bucket); err != nil {
			return fsErr(st, "mkdir", name, err)
		}
		if err := f.ns(ctx).CreateBucket(ctx, t.bucket); err != nil {
			return fsErr(st, "mkdir", name, err)
		}
		return fsErr(st, "mkdir", name, f.copySourceProps(ctx, t))
	}
	if err := f.requireFolder(ctx, t.parent()); err != nil {
		return fsErr(st, "mkdir", name, err)
	}
	if _, err := f.stat(ctx, name); err == nil {
		return fsErr(st, "mkdir", name, os.ErrExist)
	} else if !isNotExist(err) {
		return err
	}
	if err := f.putMarker(ctx, t); err != nil {
		return fsErr(st, "mkdir", name, err)
	}
	return fsErr(st, "mkdir", name, f.copySourceProps(ctx, t))
}

func (f *davFS) putMarker(ctx context.Context, t target) error {
	_, err := f.ns(ctx).PutObject(ctx, t.bucket, t.key+"/", bytes.NewReader(nil), 0, gateway.PutOptions{})
	return err
}

// ensureMarker creates the marker of a folder that exists only as a prefix.
// The folder's Stat (fi) usually knows already whether the marker exists.
func (f *davFS) ensureMarker(ctx context.Context, t target, fi *fileInfo) error {
	missing, err := f.markerMissing(ctx, t, fi)
	if err == nil && missing {
		err = f.putMarker(ctx, t)
	}
	if err != nil {
		return err
	}
	fi.marker = markerPresent
	return nil
}

// markerMissing tells whether a folder has no marker object, asking the
// gateway only when fi does not know.
func (f *davFS) markerMissing(ctx context.Context, t target, fi *fileInfo) (bool, error) {
	if fi.marker != markerUnknown {
		return fi.marker == markerAbsent, nil
	}
	_, err := f.ns(ctx).HeadObject(ctx, t.bucket, t.key+"/", gateway.GetOptions{})
	if errors.Is(err, gateway.ErrNoSuchKey) {
		return true, nil
	}
	return false, err
}

// copySourceProps gives a collection that a COPY creates (x/net copies a
// tree by Mkdir and file copies, and copies dead properties of files only)
// the properties of its source collection.
func (f *davFS) copySourceProps(ctx context.Context, dst target) error {
	name, ok := stateOf(ctx).copySource(dst.name)
	if !ok {
		return nil
	}
	src, err := resolve(name)
	if err != nil || src.isRoot() {
		return err
	}
	return copyProps(ctx, f.ns(ctx), src.bucket, propsKeyOf(src, true), dst.bucket, propsKeyOf(dst, true))
}

// OpenFile opens a collection (listing handle), a file for reading (lazy
// ranged reader, also used for PROPPATCH), or, with O_TRUNC, a streaming
// writer whose content replaces the file only when it is closed after a
// clean body.
func (f *davFS) OpenFile(ctx context.Context, name string, flag int, _ os.FileMode) (webdav.File, error) {
	st := stateOf(ctx)
	t, err := resolve(name)
	if err != nil {
		return nil, fsErr(st, "open", name, err)
	}
	if flag&os.O_TRUNC != 0 {
		return f.openWriter(ctx, t)
	}
	fi, err := f.stat(ctx, name)
	if err != nil {
		if flag&os.O_CREATE != 0 && isNotExist(err) {
			return f.openWriter(ctx, t)
		}
		return nil, err
	}
	if fi.dir {
		return &dirHandle{fs: f, ctx: ctx, t: t, info: fi}, nil
	}
	return &reader{fs: f, ctx: ctx, t: t, info: fi}, nil
}

func (f *davFS) openWriter(ctx context.Context, t target) (webdav.File, error) {
	st := stateOf(ctx)
	if t.isRoot() || t.isBucket() {
		return nil, fsErr(st, "open", t.name, errIsFolder)
	}
	if err := f.requireFolder(ctx, t.parent()); err != nil {
		return nil, fsErr(st, "open", t.name, err)
	}
	// A folder cached by this request answers without asking the gateway;
	// a cached file does not rule out a folder of the same name.
	if fi := st.cached(t.name); fi != nil && fi.dir {
		return nil, fsErr(st, "open", t.name, errIsFolder)
	}
	if _, err := f.statFolder(ctx, t); err == nil {
		return nil, fsErr(st, "open", t.name, errIsFolder)
	}
	return newWriter(ctx, f, t), nil
}
