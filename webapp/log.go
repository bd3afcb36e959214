package webapp

import (
	"net/http"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// statusWriter records what a response came to, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int64
	op, user string
	// logStatus, if set, is logged instead of status: what a response
	// aborted after its header came to.
	logStatus int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setOp names the request's operation in the access log: a fixed set of
// labels, so that metrics series stay bounded.
func setOp(w http.ResponseWriter, op string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.op = op
	}
}

func setUser(w http.ResponseWriter, user string) {
	if sw, ok := w.(*statusWriter); ok {
		sw.user = user
	}
}

func setLogStatus(w http.ResponseWriter, status int) {
	if sw, ok := w.(*statusWriter); ok {
		sw.logStatus = status
	}
}

// logAccess writes the one access line of a request: never a cookie, a
// token, a password or a query (which names files); the user and the
// operation only.
func (s *server) logAccess(r *http.Request, w *statusWriter, rid string, start time.Time) {
	status := w.status
	switch {
	case w.logStatus != 0:
		status = w.logStatus
	case status == 0:
		status = http.StatusOK
	}
	ev := s.cfg.Logger.Info()
	if status >= 500 {
		ev = s.cfg.Logger.Warn()
	}
	dur := s.cfg.Now().Sub(start)
	ev.Str("request_id", rid).Str("user", w.user).Str("op", w.op).Int("status", status).
		Int64("bytes", w.bytes).Dur("duration", dur).Msg("web")
	if s.cfg.Observe != nil {
		s.cfg.Observe(gateway.RequestRecord{Door: "web", Op: w.op, Status: status,
			BytesIn: max(r.ContentLength, 0), BytesOut: w.bytes, Duration: dur})
	}
}
