package s3api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
)

// statusClientClosed is nginx's "499 Client Closed Request": what logs and
// metrics show for a request whose client went away before its response
// was complete.
const statusClientClosed = 499

// clientGone reports whether err comes from the client going away: a
// response write that failed (errClientGone), or the request's context
// cancelled, which net/http does when the connection's read side fails or
// ends — a client that disconnected mid-upload or mid-download, or one
// that stalled past the idle timeout. Failures that follow from it
// (context.Canceled out of the upstream, a body cut short) are not the
// server's errors.
func (rc *reqCtx) clientGone(err error) bool {
	return errors.Is(err, errClientGone) || errors.Is(rc.r.Context().Err(), context.Canceled)
}

// fail answers a request whose handler returned err. If the header is
// already out, the response is aborted: a truncated body must never look
// complete. Otherwise the error is rendered (writeError): a client that
// only half-closed its side after a short body still reads it.
//
// A request whose client is gone is logged and counted as 499, with the
// cause at debug level; it is not a server error. Other errors keep their
// status, and those of 500 and above are logged at error level.
func (rc *reqCtx) fail(rec *recorder, err error) {
	aborted, gone := rec.status != 0, rc.clientGone(err)
	var e *apiError
	if aborted {
		e = rc.apiError(err, rc.r)
		rc.lateStatus = e.status
	} else {
		if !gone && rc.admitted {
			rc.reqBody.drain()
		}
		e = writeError(rec, rc.r, rc, err)
	}
	rc.code = e.Code
	switch {
	case gone:
		rc.code, rc.lateStatus = "", statusClientClosed
		rc.srv.log.Debug().Str("request_id", rc.id).Str("op", rc.op).Err(err).Msg("s3 client closed the request")
	case e.status >= 500:
		rc.logErr(err)
	}
	if aborted {
		panic(http.ErrAbortHandler)
	}
}

// trackedBody is a request body that records whether it was read at all.
// The door may read the rest of a body that was started, or that the
// client sends without waiting (no "Expect: 100-continue"); reading one
// the client holds back would make net/http send it "100 Continue".
type trackedBody struct {
	io.ReadCloser
	started atomic.Bool
	waits   bool // the client sent Expect: 100-continue
}

func (b *trackedBody) Read(p []byte) (int, error) {
	b.started.Store(true)
	return b.ReadCloser.Read(p)
}

// trackBody returns r with its body tracked (nil when it has none), as a
// shallow copy: net/http keeps its own request to decide what to do with
// an unread body after the handler.
func trackBody(r *http.Request) (*http.Request, *trackedBody) {
	if r.Body == nil || r.Body == http.NoBody {
		return r, nil
	}
	b := &trackedBody{ReadCloser: r.Body, waits: strings.EqualFold(r.Header.Get("Expect"), "100-continue")}
	r = r.WithContext(r.Context())
	r.Body = b
	return r, b
}

// maxDrain bounds what is left of a request body that the door reads to
// deliver an early error: more than any single PUT or part common clients
// send at once (aws cli's and rclone's parts are 5 to 16 MiB).
const maxDrain = 32 << 20

// drain reads the rest of the body, up to maxDrain, before an error is
// answered to an admitted request (authenticated, within the limits) that
// failed, typically an upload the upstream gave up on or had no space
// for. net/http closes a connection with more than 256 KiB of body
// unread; the client, still sending, then gets its writes reset, never
// reads the answer, and retries blindly: a 507 would be re-sent, whole,
// to a full upstream. Beyond maxDrain the connection is closed anyway.
func (b *trackedBody) drain() {
	if b != nil && (b.started.Load() || !b.waits) {
		_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain)
	}
}
