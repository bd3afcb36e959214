package gateway

import (
	"context"
	"sync"
	"time"
)

// AuthThrottle paces authentication failures per client address (the
// accounts layer also slows each account name): after throttleFree
// failures within throttleWindow, each further failure is answered after a
// delay doubling up to throttleMax. It forgets old addresses and is bounded
// in size. Both doors use one each.
type AuthThrottle struct {
	mu  sync.Mutex
	now func() time.Time
	by  map[string]failRec
}

const (
	throttleFree     = 5
	throttleWindow   = 5 * time.Minute
	throttleBase     = 100 * time.Millisecond
	throttleMax      = 3 * time.Second
	throttleMaxAddrs = 65536
)

type failRec struct {
	n     int
	first time.Time
}

// NewAuthThrottle returns an empty throttle; now nil means time.Now.
func NewAuthThrottle(now func() time.Time) *AuthThrottle {
	if now == nil {
		now = time.Now
	}
	return &AuthThrottle{now: now, by: map[string]failRec{}}
}

// Fail records one failure of addr and returns the delay to apply before
// answering it.
func (t *AuthThrottle) Fail(addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.by) >= throttleMaxAddrs {
		t.prune(now)
	}
	rec := t.by[addr]
	if rec.n == 0 || now.Sub(rec.first) > throttleWindow {
		rec = failRec{first: now}
	}
	rec.n++
	t.by[addr] = rec
	return throttleDelay(rec.n)
}

// Wait records a failure of addr and sleeps its delay (or until ctx ends).
func (t *AuthThrottle) Wait(ctx context.Context, addr string) {
	d := t.Fail(addr)
	if d <= 0 {
		return
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// throttleDelay is the delay after n failures in the window.
func throttleDelay(n int) time.Duration {
	if n <= throttleFree {
		return 0
	}
	d := throttleBase
	for i := throttleFree + 1; i < n && d < throttleMax; i++ {
		d *= 2
	}
	return min(d, throttleMax)
}

func (t *AuthThrottle) prune(now time.Time) {
	for k, r := range t.by {
		if now.Sub(r.first) > throttleWindow {
			delete(t.by, k)
		}
	}
	if len(t.by) >= throttleMaxAddrs { // all recent: start over rather than grow
		clear(t.by)
	}
}
