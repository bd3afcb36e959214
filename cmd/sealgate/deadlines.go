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
// each read of its body and each write of its response pushes the
// connection's deadlines idle into the future. A client that stalls an
// upload or stops reading a download is cut off after idle and frees its
// in-flight slots; a slow but moving transfer of any size is never cut.
// (Absolute http.Server Read/WriteTimeouts would cut large transfers.)
func progressDeadlines(h http.Handler, idle time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		d := &deadlines{rc: rc, idle: idle}
		d.extend()
		if r.Body != nil && r.Body != http.NoBody {
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
	rc   *http.ResponseController
	idle time.Duration
	last time.Time
}

// extend moves both deadlines, at most every second (a timer reset per
// 32 KiB read would cost more than it saves).
func (d *deadlines) extend() {
	now := time.Now()
	if now.Sub(d.last) < time.Second {
		return
	}
	d.last = now
	_ = d.rc.SetReadDeadline(now.Add(d.idle))
	_ = d.rc.SetWriteDeadline(now.Add(d.idle))
}

type deadlineBody struct {
	io.ReadCloser
	d *deadlines
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.d.extend()
	}
	return n, err
}

type deadlineWriter struct {
	http.ResponseWriter
	d *deadlines
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.d.extend()
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
