package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"time"
)

// progressDeadlines wraps a door so that a request must make progress:
// each read of its body pushes the connection's read deadline idle into the
// future, and each write of its response the write deadline. A client that
// stalls an upload or stops reading a download is cut off after idle and
// frees its in-flight slots; a slow but moving transfer of any size is never
// cut. (Absolute http.Server Read/WriteTimeouts would cut large transfers.)
//
// The server's own time is never counted against the client: a request
// without a body, and one whose body has been read to its end, has no read
// deadline (net/http's background read would otherwise fail at the deadline
// and cancel the request's context while the gateway is still working, e.g.
// on a first login's Argon2id or a long copy), and the write deadline is set
// only when the response is written.
func progressDeadlines(h http.Handler, idle time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		d := &deadlines{rc: rc, idle: idle}
		_ = rc.SetWriteDeadline(time.Time{})
		if r.Body == nil || r.Body == http.NoBody {
			_ = rc.SetReadDeadline(time.Time{})
		} else {
			d.extendRead()
			// A shallow copy: net/http keeps the original request, whose
			// body it recognises, to decide after the handler whether to
			// drain the body or close. Replacing r.Body in place would
			// make it drain a body it never sent 100 Continue for, hanging
			// a client that sent Expect: 100-continue and got an early
			// answer (a 401, 503 or 400).
			r = r.WithContext(r.Context())
			r.Body = &deadlineBody{ReadCloser: r.Body, d: d}
		}
		h.ServeHTTP(&deadlineWriter{ResponseWriter: w, d: d}, r)
	})
}

type deadlines struct {
	rc                  *http.ResponseController
	idle                time.Duration
	lastRead, lastWrite time.Time
}

// extendRead moves the read deadline, at most every second (a timer reset
// per 32 KiB read would cost more than it saves).
func (d *deadlines) extendRead() {
	if now := time.Now(); now.Sub(d.lastRead) >= time.Second {
		d.lastRead = now
		_ = d.rc.SetReadDeadline(now.Add(d.idle))
	}
}

// extendWrite moves the write deadline, at most every second.
func (d *deadlines) extendWrite() {
	if now := time.Now(); now.Sub(d.lastWrite) >= time.Second {
		d.lastWrite = now
		_ = d.rc.SetWriteDeadline(now.Add(d.idle))
	}
}

type deadlineBody struct {
	io.ReadCloser
	d    *deadlines
	done bool
}

// Read extends the read deadline while the body flows, and clears it at
// the body's clean end: what follows is the server's time, not the
// client's. After a failed read (a stall past the deadline) the deadline
// stays, so that nothing waits on that client again (net/http's or the
// door's draining of the rest of the body).
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case errors.Is(err, io.EOF) && !b.done:
		b.done = true
		_ = b.d.rc.SetReadDeadline(time.Time{})
	case n > 0:
		b.d.extendRead()
	}
	return n, err
}

type deadlineWriter struct {
	http.ResponseWriter
	d *deadlines
}

func (w *deadlineWriter) WriteHeader(code int) {
	w.d.extendWrite()
	w.ResponseWriter.WriteHeader(code)
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.d.extendWrite()
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes through.
func (w *deadlineWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes hijacking through (not used by the doors, kept honest).
func (w *deadlineWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("sealgate: hijack not supported")
}
