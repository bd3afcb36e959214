package davapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"sync"
	"sync/atomic"

	"github.com/sealgate/sealgate/gateway"
)

// reqState is what davapi's FileSystem learns about the request it serves,
// passed in the request context (x/net/webdav hands r.Context() to every
// FileSystem call).
type reqState struct {
	method      string
	path        string // cleaned request path
	contentType string
	ifMatch     string // PUT conditions, passed to the gateway
	ifNoneMatch string
	body        *countingBody
	ns          gateway.Namespace // the authenticated user's namespace
	copyDest    string            // COPY: cleaned Destination path
	live        bool              // PROPFIND naming DAV: live properties only

	mu      sync.Mutex
	err     error                // first recorded non-"not found" error
	bodyErr error                // first failure reading a file's data (GET)
	cache   map[string]*fileInfo // Stat results of this request
}

type stateKey struct{}

func withState(ctx context.Context, st *reqState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// stateOf returns the request state; nil outside a request (the methods of
// a nil *reqState are no-ops).
func stateOf(ctx context.Context) *reqState {
	st, _ := ctx.Value(stateKey{}).(*reqState)
	return st
}

func newState(r *http.Request) *reqState {
	st := &reqState{method: r.Method, path: cleanPath(r.URL.Path), cache: map[string]*fileInfo{}}
	if r.Method == http.MethodPut {
		st.contentType = r.Header.Get("Content-Type")
		st.ifMatch = r.Header.Get("If-Match")
		st.ifNoneMatch = r.Header.Get("If-None-Match")
	}
	if r.Method == "COPY" {
		if u, err := url.Parse(r.Header.Get("Destination")); err == nil && u.Path != "" {
			st.copyDest = cleanPath(u.Path)
		}
	}
	return st
}

// bind returns the request the file system serves: a shallow copy carrying
// the state in its context and, for PUT, a counted body. The server's own
// request keeps its body, so that net/http still sees its
// expect-continue reader (a wrapped body made it wait for a body that an
// Expect: 100-continue client never sends after a final status).
func (st *reqState) bind(r *http.Request) *http.Request {
	r2 := r.WithContext(withState(r.Context(), st))
	if r.Method == http.MethodPut {
		st.body = &countingBody{rc: r.Body, want: r.ContentLength}
		r2.Body = st.body
	}
	return r2
}

func cleanPath(p string) string { return path.Clean("/" + p) }

// record keeps the first error that the status table should report.
func (st *reqState) record(err error) {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err == nil {
		st.err = err
	}
}

// readFailed keeps the first error of a read of a file's data: if the
// response had started, the door must abort it (failure.go).
func (st *reqState) readFailed(err error) {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.bodyErr == nil {
		st.bodyErr = err
	}
}

func (st *reqState) readError() error {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.bodyErr
}

func (st *reqState) recorded() error {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.err
}

func (st *reqState) cached(name string) *fileInfo {
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.cache[name]
}

func (st *reqState) prime(name string, fi *fileInfo) {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.cache[name] = fi
}

// invalidate forgets cached Stats after a change.
func (st *reqState) invalidate() {
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	clear(st.cache)
}

// isPutTarget tells whether name receives this request's body: only then
// does a write commit depend on the body ending cleanly.
func (st *reqState) isPutTarget(name string) bool {
	return st != nil && st.body != nil && cleanPath(name) == st.path
}

// putSize is the announced body length for name, or -1.
func (st *reqState) putSize(name string) int64 {
	if !st.isPutTarget(name) || st.body.want < 0 {
		return -1
	}
	return st.body.want
}

// countingBody wraps a PUT body and records whether it ended cleanly: io.EOF
// after exactly the announced length (any length when unknown).
type countingBody struct {
	rc    io.ReadCloser
	want  int64
	n     atomic.Int64
	clean atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	total := b.n.Add(int64(n))
	if errors.Is(err, io.EOF) && (b.want < 0 || total == b.want) {
		b.clean.Store(true)
	}
	return n, err
}

func (b *countingBody) Close() error { return b.rc.Close() }

// ended reports a clean end of the body.
func (b *countingBody) ended() bool { return b != nil && b.clean.Load() }

// statusWriter counts the response and replaces the error status x/net
// picked by the one of the recorded error (errors.go), with its text (and
// Retry-After on a 503). It remembers a failed write: the client is gone.
type statusWriter struct {
	http.ResponseWriter
	st       *reqState
	status   int
	bytes    int64
	replaced bool
	writeErr error
	// logStatus, if set, is what logs and metrics show instead of status
	// (failure.go).
	logStatus int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	if err := w.st.recorded(); err != nil && code >= 400 {
		status, text := statusOf(err)
		w.status, w.replaced = status, true
		h := w.Header()
		h.Del("Content-Length")
		h.Set("Content-Type", "text/plain; charset=utf-8")
		if status == http.StatusServiceUnavailable {
			h.Set("Retry-After", "1")
		}
		w.ResponseWriter.WriteHeader(status)
		n, _ := io.WriteString(w.ResponseWriter, text+"\n")
		w.bytes += int64(n)
		return
	}
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil // x/net's own text for the status it picked
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	if err != nil && w.writeErr == nil {
		w.writeErr = err
	}
	return n, err
}

// Flush lets streamed responses (large PROPFINDs, GETs) go out as written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
