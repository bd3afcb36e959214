package davapi

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Failure pacing per client address (the accounts layer also slows each
// account name): after failFree failures within failWindow, each further
// failure is answered after a delay doubling up to failMaxDelay.
const (
	failFree     = 5
	failWindow   = 5 * time.Minute
	failBase     = 100 * time.Millisecond
	failMaxDelay = 3 * time.Second
	failMaxAddrs = 65536
)

// authenticate checks Basic credentials; on failure it has answered 401.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (User, bool) {
	name, pw, ok := r.BasicAuth()
	if ok {
		u, err := s.cfg.Logins.Login(name, []byte(pw))
		if err == nil {
			return u, true
		}
		if !errors.Is(err, gateway.ErrAccessDenied) {
			s.cfg.Logger.Warn().Err(err).Msg("webdav login failed")
		}
		s.slowDown(r)
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="sealgate", charset="UTF-8"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return User{}, false
}

// slowDown records a failure of the client's address and waits its delay.
func (s *server) slowDown(r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	d := s.fails.fail(host)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// failures counts recent authentication failures per address.
type failures struct {
	mu  sync.Mutex
	now func() time.Time
	by  map[string]failRec
}

type failRec struct {
	n     int
	first time.Time
}

func newFailures(now func() time.Time) *failures {
	return &failures{now: now, by: map[string]failRec{}}
}

// fail records one failure of addr and returns the delay to apply.
func (f *failures) fail(addr string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.by) >= failMaxAddrs {
		f.prune(now)
	}
	rec := f.by[addr]
	if rec.n == 0 || now.Sub(rec.first) > failWindow {
		rec = failRec{first: now}
	}
	rec.n++
	f.by[addr] = rec
	return failDelay(rec.n)
}

// failDelay is the delay after n failures in the window.
func failDelay(n int) time.Duration {
	if n <= failFree {
		return 0
	}
	d := failBase
	for i := failFree + 1; i < n && d < failMaxDelay; i++ {
		d *= 2
	}
	return min(d, failMaxDelay)
}

func (f *failures) prune(now time.Time) {
	for k, r := range f.by {
		if now.Sub(r.first) > failWindow {
			delete(f.by, k)
		}
	}
	if len(f.by) >= failMaxAddrs { // all recent: start over rather than grow
		clear(f.by)
	}
}
