package gateway

import (
	"errors"
	"sync"
)

// ErrSlowDown means the gateway is at its in-flight limit (in total or for this
// user). Doors answer 503 (S3 SlowDown) with Retry-After; clients back off.
var ErrSlowDown = errors.New("gateway: too many requests in flight")

// Limiter bounds the requests in flight, in total and per user, so that a
// burst (MEGA's launch day) gets quick 503s instead of a crash or unbounded
// memory. It never queues: a request over a limit is refused at once.
// Doors authenticate first, so that a flood of failed logins (slowed down
// by AuthThrottle) holds no slot, then take the total slot and the user's.
// The zero of either limit means no limit. Safe for concurrent use; one
// Limiter serves both doors.
type Limiter struct {
	total   chan struct{}
	perUser int
	mu      sync.Mutex
	users   map[string]int
}

// NewLimiter returns a Limiter; total or perUser 0 disables that bound.
func NewLimiter(total, perUser int) *Limiter {
	l := &Limiter{perUser: perUser, users: map[string]int{}}
	if total > 0 {
		l.total = make(chan struct{}, total)
	}
	return l
}

// Enter takes a slot of the total. The release func must be called once.
// A nil Limiter admits everything.
func (l *Limiter) Enter() (release func(), err error) {
	if l == nil || l.total == nil {
		return func() {}, nil
	}
	select {
	case l.total <- struct{}{}:
		return func() { <-l.total }, nil
	default:
		return nil, ErrSlowDown
	}
}

// EnterUser takes one of the user's slots.
func (l *Limiter) EnterUser(user string) (release func(), err error) {
	if l == nil || l.perUser <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users[user] >= l.perUser {
		return nil, ErrSlowDown
	}
	l.users[user]++
	return func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.users[user]--; l.users[user] == 0 {
			delete(l.users, user)
		}
	}, nil
}

// InFlight reports the requests holding a total slot (for metrics).
func (l *Limiter) InFlight() int {
	if l == nil || l.total == nil {
		return 0
	}
	return len(l.total)
}
