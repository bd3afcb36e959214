package davapi

import (
	"context"
	"encoding/xml"
	"io"
	"os"
	"path"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// writer streams a new version of a file into Namespace.PutObject through
// an io.Pipe, with bounded memory. The version is committed only if the
// request body ended cleanly with its announced length when the file is the
// target of a PUT (otherwise the pipe is aborted and the gateway discards
// the write): in Stat, which x/net/webdav calls right after copying the body
// to learn the ETag it answers with, or else in Close. Committing in Stat
// makes that ETag the gateway's own (the MD5 it computes on its own
// goroutine), so the door does not hash. A COPY whose source is a reader of
// the same user is a server-side CopyObject (ReadFrom).
type writer struct {
	fs    *davFS
	ctx   context.Context
	t     target
	st    *reqState
	opts  gateway.PutOptions
	size  int64
	n     int64
	pw    *io.PipeWriter
	done  chan putResult
	src   *reader // server-side copy source
	props []webdav.Proppatch
	final *fileInfo
	res   *putResult // the gateway's answer, once committed
	shut  bool
}

type putResult struct {
	info gateway.ObjectInfo
	err  error
}

func newWriter(ctx context.Context, f *davFS, t target) *writer {
	st := stateOf(ctx)
	w := &writer{fs: f, ctx: ctx, t: t, st: st, size: st.putSize(t.name)}
	ct := defaultType(t.key)
	if st.isPutTarget(t.name) {
		if st.contentType != "" {
			ct = st.contentType
		}
		w.opts.IfMatch, w.opts.IfNoneMatch = st.ifMatch, st.ifNoneMatch
	}
	w.opts.Meta = gateway.Meta{"content-type": ct}
	return w
}

func (w *writer) start() {
	pr, pw := io.Pipe()
	w.pw, w.done = pw, make(chan putResult, 1)
	go func() {
		info, err := w.fs.ns(w.ctx).PutObject(w.ctx, w.t.bucket, w.t.key, pr, w.size, w.opts)
		if err != nil {
			_ = pr.CloseWithError(err)
		} else {
			_ = pr.Close()
		}
		w.done <- putResult{info, err}
	}()
}

func (w *writer) Write(p []byte) (int, error) {
	if w.shut || w.src != nil {
		return 0, os.ErrClosed
	}
	if w.pw == nil {
		w.start()
	}
	n, err := w.pw.Write(p)
	w.n += int64(n)
	return n, err
}

// ReadFrom turns a copy from a reader of this file system into CopyObject.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if src, ok := r.(*reader); ok && w.pw == nil && src.off == 0 && src.fs == w.fs {
		w.src = src
		return src.info.size, nil
	}
	return io.Copy(writeOnly{w}, r)
}

// writeOnly hides ReadFrom from io.Copy.
type writeOnly struct{ io.Writer }

// Stat before Close reports what was written: size and MD5 (the ETag the
// gateway will give the object).
func (w *writer) Stat() (os.FileInfo, error) {
	if w.final != nil {
		return w.final, nil
	}
	if w.src != nil {
		return w.src.info, nil
	}
	if w.bodyComplete() {
		if res := w.finish(); res.err == nil {
			w.final = objectInfo(w.fs, w.t.bucket, res.info)
			return w.final, nil
		}
	}
	return &fileInfo{name: path.Base(w.t.key), size: w.n, mtime: time.Now().UTC(), meta: w.opts.Meta}, nil
}

// bodyComplete reports whether this is a PUT's target whose request body
// ended cleanly: the upload may be committed.
func (w *writer) bodyComplete() bool {
	return w.src == nil && w.st.isPutTarget(w.t.name) && w.st.body.ended()
}

// finish commits (or aborts) the upload once and returns the gateway's answer.
func (w *writer) finish() putResult {
	if w.res == nil {
		r := w.commit()
		w.res = &r
	}
	return *w.res
}

func (w *writer) Close() error {
	if w.shut {
		return nil
	}
	w.shut = true
	defer w.st.invalidate()
	var res putResult
	if w.src != nil {
		res.info, res.err = w.fs.ns(w.ctx).CopyObject(w.ctx, w.src.t.bucket, w.src.t.key, w.t.bucket, w.t.key,
			gateway.CopyOptions{Source: gateway.GetOptions{IfMatch: w.src.info.etag}})
	} else {
		res = w.finish()
	}
	if res.err != nil {
		return fsErr(w.st, "close", w.t.name, res.err)
	}
	w.final = objectInfo(w.fs, w.t.bucket, res.info)
	return w.saveProps()
}

// commit ends the pipe: cleanly if the body is complete, else with an error
// so that the gateway discards the write.
func (w *writer) commit() putResult {
	if w.pw == nil {
		w.start()
	}
	if w.st.isPutTarget(w.t.name) && !w.st.body.ended() {
		_ = w.pw.CloseWithError(errIncomplete)
	} else {
		_ = w.pw.Close()
	}
	return <-w.done
}

// saveProps writes the properties a COPY patched onto the new file (x/net
// patches even when the source has none).
func (w *writer) saveProps() error {
	n := 0
	for _, p := range w.props {
		n += len(p.Props)
	}
	if n == 0 {
		return nil
	}
	h := propsHolder{fs: w.fs, ctx: w.ctx, t: w.t, info: w.final}
	_, err := h.Patch(w.props)
	return err
}

func (w *writer) Read([]byte) (int, error)           { return 0, errNotFile }
func (w *writer) Readdir(int) ([]os.FileInfo, error) { return nil, errNotFile }

// Seek allows only asking for the current position.
func (w *writer) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return w.n, nil
	}
	return 0, errNotFile
}

// DeadProps of a file being written: none yet.
func (w *writer) DeadProps() (map[xml.Name]webdav.Property, error) {
	return map[xml.Name]webdav.Property{}, nil
}

// Patch keeps the properties until the file is committed.
func (w *writer) Patch(p []webdav.Proppatch) ([]webdav.Propstat, error) {
	w.props = append(w.props, p...)
	return patchStatus(p, 200), nil
}
