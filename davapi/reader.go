package davapi

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// reader is a lazy handle on a file: Seek records the offset, Read opens a
// ranged GetObject at the current offset (again after a seek), so a range
// request never reads the whole object. The object must keep the ETag it
// had at Stat (If-Match), or the read fails.
type reader struct {
	fs      *davFS
	ctx     context.Context
	t       target
	info    *fileInfo
	off     int64
	body    io.ReadCloser
	bodyOff int64
}

func (r *reader) Stat() (os.FileInfo, error)                       { return r.info, nil }
func (r *reader) Write([]byte) (int, error)                        { return 0, errNotFile }
func (r *reader) Readdir(int) ([]os.FileInfo, error)               { return nil, errNotFile }
func (r *reader) holder() propsHolder                              { return propsHolder{fs: r.fs, ctx: r.ctx, t: r.t, info: r.info} }
func (r *reader) DeadProps() (map[xml.Name]webdav.Property, error) { return r.holder().DeadProps() }
func (r *reader) Patch(p []webdav.Proppatch) ([]webdav.Propstat, error) {
	return r.holder().Patch(p)
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.info.size
	}
	if offset < 0 {
		return r.off, &os.PathError{Op: "seek", Path: r.t.name, Err: os.ErrInvalid}
	}
	r.off = offset
	return offset, nil
}

func (r *reader) Read(p []byte) (int, error) {
	if r.off >= r.info.size {
		return 0, io.EOF
	}
	if r.body == nil || r.bodyOff != r.off {
		if err := r.open(); err != nil {
			return 0, err
		}
	}
	n, err := r.body.Read(p)
	r.off += int64(n)
	r.bodyOff = r.off
	if err != nil && !errors.Is(err, io.EOF) {
		stateOf(r.ctx).readFailed(err)
		err = fsErr(stateOf(r.ctx), "read", r.t.name, err)
	}
	return n, err
}

// open starts a GetObject at the current offset.
func (r *reader) open() error {
	r.closeBody()
	opts := gateway.GetOptions{IfMatch: r.info.etag}
	if r.off > 0 {
		opts.Range = &gateway.Range{Start: r.off, End: -1}
	}
	or, err := r.fs.ns(r.ctx).GetObject(r.ctx, r.t.bucket, r.t.key, opts)
	if err != nil {
		return fsErr(stateOf(r.ctx), "read", r.t.name, err)
	}
	r.body, r.bodyOff = or.Body, r.off
	return nil
}

func (r *reader) closeBody() {
	if r.body != nil {
		_ = r.body.Close()
		r.body = nil
	}
}

func (r *reader) Close() error {
	r.closeBody()
	return nil
}
