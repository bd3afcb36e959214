package davapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
)

// statusClientClosed is nginx's "499 Client Closed Request": what logs and
// metrics show for a request whose client went away before its response
// was complete.
const statusClientClosed = 499

// settle looks at a request x/net has served (r is the door's request):
//   - A file's data failed to read after the response had started (the
//     upstream failed, or served data that failed authentication): the
//     response is aborted, so that the client never takes a truncated body
//     for a complete one, and logged with the error's status.
//   - The request failed (an error status, a failed write or read) and its
//     client is gone — a write to it failed, or net/http cancelled the
//     request's context because the connection's read side failed or ended
//     (a disconnect mid-upload or mid-download, or a stall past the idle
//     timeout): it is logged and counted as 499, not as an error. An error
//     response already written is harmless: a client that only half-closed
//     after a short body still reads it.
//   - Another failed PUT has the rest of its body read (drainPut).
func (s *server) settle(w *statusWriter, r *http.Request, rid, user string) {
	readErr := w.st.readError()
	aborted := readErr != nil && w.status != 0 && w.status < 300
	failed := aborted || w.status >= 400 || w.writeErr != nil
	gone := failed && (w.writeErr != nil || errors.Is(r.Context().Err(), context.Canceled))
	switch {
	case gone:
		w.logStatus = statusClientClosed
		cause := errors.Join(w.writeErr, readErr, w.st.recorded(), r.Context().Err())
		s.cfg.Logger.Debug().Str("request_id", rid).Str("user", user).Str("op", r.Method).Err(cause).
			Msg("webdav client closed the request")
	case aborted:
		w.logStatus, _ = statusOf(readErr)
		s.cfg.Logger.Debug().Str("request_id", rid).Str("user", user).Str("op", r.Method).Err(readErr).
			Msg("webdav response aborted")
	case failed:
		drainPut(w.st, r)
	}
	if aborted {
		panic(http.ErrAbortHandler)
	}
}

// maxDrain bounds what is left of a PUT body the door reads to deliver
// its error: more than common clients send at once.
const maxDrain = 32 << 20

// drainPut reads the rest of a failed PUT's body, up to maxDrain, before
// the handler returns and its (buffered) answer goes out: an upload the
// upstream gave up on, or had no space for, midway. net/http closes a
// connection with more than 256 KiB of body unread; the client, still
// sending, then gets its writes reset, never reads the 507 or 503, and
// retries blindly. A body the client holds back for "100 Continue" and
// that was never started is left alone.
func drainPut(st *reqState, r *http.Request) {
	b := st.body
	if b == nil || b.ended() {
		return
	}
	if b.n.Load() == 0 && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	_, _ = io.CopyN(io.Discard, b.rc, maxDrain)
}
