package davapi

import (
	"errors"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/webdav"
)

// lockSys is one user's webdav.LockSystem: x/net's memory lock system with
// durations capped (infinite included), and a registry of live tokens so
// that davapi can evaluate If headers itself.
type lockSys struct {
	inner webdav.LockSystem
	max   time.Duration

	mu   sync.Mutex
	live map[string]lockRec
}

type lockRec struct {
	root      string
	zeroDepth bool
	expires   time.Time
}

func newLockSys(maxTimeout time.Duration) *lockSys {
	return &lockSys{inner: webdav.NewMemLS(), max: maxTimeout, live: map[string]lockRec{}}
}

func (l *lockSys) capped(d time.Duration) time.Duration {
	if d < 0 || d > l.max {
		return l.max
	}
	return d
}

func (l *lockSys) Confirm(now time.Time, name0, name1 string, conds ...webdav.Condition) (func(), error) {
	return l.inner.Confirm(now, name0, name1, conds...)
}

// maxLocksPerUser bounds one user's live locks: a client cannot grow the
// gateway's memory (and each LOCK's bookkeeping) without bound.
const maxLocksPerUser = 10000

// errTooManyLocks is answered as 503 by x/net/webdav (an unknown error).
var errTooManyLocks = errors.New("davapi: too many locks")

func (l *lockSys) Create(now time.Time, d webdav.LockDetails) (string, error) {
	d.Duration = l.capped(d.Duration)
	if l.count(now) >= maxLocksPerUser {
		return "", errTooManyLocks
	}
	token, err := l.inner.Create(now, d)
	if err == nil {
		l.remember(token, d, now)
	}
	return token, err
}

func (l *lockSys) Refresh(now time.Time, token string, d time.Duration) (webdav.LockDetails, error) {
	ld, err := l.inner.Refresh(now, token, l.capped(d))
	if err == nil {
		l.remember(token, ld, now)
	}
	return ld, err
}

func (l *lockSys) Unlock(now time.Time, token string) error {
	err := l.inner.Unlock(now, token)
	if err == nil || err == webdav.ErrNoSuchLock {
		l.mu.Lock()
		delete(l.live, token)
		l.mu.Unlock()
	}
	return err
}

// count returns the live locks, dropping expired records.
func (l *lockSys) count(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, r := range l.live {
		if now.After(r.expires) {
			delete(l.live, t)
		}
	}
	return len(l.live)
}

func (l *lockSys) remember(token string, d webdav.LockDetails, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for t, r := range l.live { // drop expired records
		if now.After(r.expires) {
			delete(l.live, t)
		}
	}
	l.live[token] = lockRec{root: cleanPath(d.Root), zeroDepth: d.ZeroDepth, expires: now.Add(d.Duration)}
}

// covers tells whether token is a live lock of this user on name.
func (l *lockSys) covers(token, name string, now time.Time) bool {
	l.mu.Lock()
	r, ok := l.live[token]
	l.mu.Unlock()
	if !ok || now.After(r.expires) {
		return false
	}
	name = cleanPath(name)
	if name == r.root {
		return true
	}
	return !r.zeroDepth && (r.root == "/" || strings.HasPrefix(name, r.root+"/"))
}
