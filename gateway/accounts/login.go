package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// Login guard limits.
const (
	loginCacheTTL  = 5 * time.Minute // a cached login is trusted this long
	loginCacheMax  = 10000           // cached logins (one per account)
	failWindow     = time.Minute     // failures count within this window
	failFree       = 5               // failures in the window before delays
	failBaseDelay  = 250 * time.Millisecond
	failMaxDelay   = 4 * time.Second
	failTrackMax   = 10000 // names whose failures are tracked
	maxTrackedName = 64    // longer names share one failure record
)

// Login checks a user name and password (WebDAV Basic auth) and returns
// the account. Every failure — unknown or disabled account, wrong
// password — is gateway.ErrAccessDenied, and costs the same Argon2id run (unknown
// names are checked against a dummy verifier). A successful login is
// cached for loginCacheTTL as an HMAC of name and password under a
// per-process key, so that later requests cost no Argon2id; a change of the
// account's password, S3 keys or status, or its deletion, invalidates it at
// once. After failFree failures of one name within failWindow, each further
// attempt of that name (not a cached one) is delayed, doubling up to
// failMaxDelay. When every Argon2id slot is busy it fails at once with
// gateway.ErrSlowDown (the door answers 503).
func (a *Accounts) Login(name string, password []byte) (*Account, error) {
	acc := a.lookup(func(s *snapshot) *Account { return s.byName[name] })
	g, now := a.login, a.now()
	mac := g.mac(name, password)
	if acc != nil && g.cached(name, mac, stampOf(acc.u), now) {
		return acc, nil
	}
	if d := g.delay(name, now); d > 0 {
		a.sleep(d)
	}
	var ok bool
	ran := g.tryArgon(func() {
		if acc != nil {
			ok = acc.u.CheckPassword(password)
		} else {
			g.dummy.Verify(password, name, [16]byte{})
		}
	})
	if !ran {
		return nil, gateway.ErrSlowDown // every Argon2id slot is busy: answer at once, queue nothing
	}
	if !ok || acc.Status() != AccountActive {
		g.failed(name, a.now())
		return nil, gateway.ErrAccessDenied
	}
	g.succeeded(name, mac, stampOf(acc.u), a.now())
	return acc, nil
}

// accountStamp is what a cached login depends on: any change of it (a new
// password verifier, new S3 keys, a status change, a re-created account)
// makes the cached login invalid.
type accountStamp struct {
	id       [16]byte
	status   cryptolayer.UserStatus
	verifier cryptolayer.PasswordVerifier
	access   string
	totp     bool
}

func stampOf(u *cryptolayer.User) accountStamp {
	return accountStamp{id: u.ID, status: u.Status, verifier: u.Password, access: u.AccessKeyID, totp: u.Settings.TOTPEnabled()}
}

// loginEntry is a cached successful login of one account.
type loginEntry struct {
	mac     [sha256.Size]byte
	stamp   accountStamp
	expires time.Time
}

// failures counts the failed logins of one name in the current window.
type failures struct {
	n     int
	first time.Time
}

// loginGuard holds the login cache, the failure counts and the Argon2id
// semaphore of one Accounts.
type loginGuard struct {
	key   [32]byte      // random per process: cached MACs mean nothing elsewhere
	sem   chan struct{} // bounds concurrent Argon2id runs
	dummy cryptolayer.PasswordVerifier
	runs  atomic.Int64 // Argon2id runs so far (tests, metrics)

	mu    sync.Mutex
	cache map[string]loginEntry // by account name
	fails map[string]*failures  // by attempted name
}

func newLoginGuard(p cryptolayer.PasswordParams, argonSlots int) *loginGuard {
	g := &loginGuard{
		sem:   make(chan struct{}, max(argonSlots, 1)),
		dummy: cryptolayer.PasswordVerifier{PasswordParams: p},
		cache: map[string]loginEntry{},
		fails: map[string]*failures{},
	}
	_, _ = rand.Read(g.key[:])
	_, _ = rand.Read(g.dummy.Salt[:])
	_, _ = rand.Read(g.dummy.Hash[:]) // no password has this hash
	return g
}

// tryArgon runs f, which runs Argon2id, if a semaphore slot is free, and
// reports whether it ran. Logins never wait for a slot: a flood of wrong
// passwords must not pile up requests holding connections and limits.
func (g *loginGuard) tryArgon(f func()) bool {
	select {
	case g.sem <- struct{}{}:
	default:
		return false
	}
	defer func() { <-g.sem }()
	g.runs.Add(1)
	f()
	return true
}

// argon runs f, which runs Argon2id, within the semaphore (waiting for a
// slot: account changes from the CLI).
func (g *loginGuard) argon(f func()) {
	g.sem <- struct{}{}
	defer func() { <-g.sem }()
	g.runs.Add(1)
	f()
}

// mac is HMAC-SHA256(key, name || 0 || password).
func (g *loginGuard) mac(name string, password []byte) [sha256.Size]byte {
	h := hmac.New(sha256.New, g.key[:])
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write(password)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// cached reports whether name logged in with this mac recently, and the
// account is still as it was then.
func (g *loginGuard) cached(name string, mac [sha256.Size]byte, st accountStamp, now time.Time) bool {
	g.mu.Lock()
	e, ok := g.cache[name]
	g.mu.Unlock()
	macOK := hmac.Equal(e.mac[:], mac[:])
	return ok && macOK && e.stamp == st && now.Before(e.expires)
}

// succeeded caches a login and clears the name's failures.
func (g *loginGuard) succeeded(name string, mac [sha256.Size]byte, st accountStamp, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.fails, failKey(name))
	if _, ok := g.cache[name]; !ok && len(g.cache) >= loginCacheMax {
		evict(g.cache, func(e loginEntry) bool { return !now.Before(e.expires) })
	}
	g.cache[name] = loginEntry{mac: mac, stamp: st, expires: now.Add(loginCacheTTL)}
}

// failed counts a failure of name.
func (g *loginGuard) failed(name string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := failKey(name)
	f := g.fails[k]
	if f == nil || now.Sub(f.first) > failWindow {
		if f == nil && len(g.fails) >= failTrackMax {
			evict(g.fails, func(f *failures) bool { return now.Sub(f.first) > failWindow })
		}
		g.fails[k] = &failures{n: 1, first: now}
		return
	}
	f.n++
}

// delay is how long an uncached attempt of name waits first.
func (g *loginGuard) delay(name string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	f := g.fails[failKey(name)]
	if f == nil || now.Sub(f.first) > failWindow || f.n < failFree {
		return 0
	}
	shift := min(f.n-failFree, 16)
	return min(failBaseDelay<<shift, failMaxDelay)
}

// forget drops the cached login of name.
func (g *loginGuard) forget(name string) {
	g.mu.Lock()
	delete(g.cache, name)
	g.mu.Unlock()
}

// reset drops every cached login and failure count.
func (g *loginGuard) reset() {
	g.mu.Lock()
	clear(g.cache)
	clear(g.fails)
	g.mu.Unlock()
}

// failKey bounds the memory a long made-up name can take.
func failKey(name string) string {
	if len(name) > maxTrackedName {
		return "\x00long"
	}
	return name
}

// evict deletes the stale entries of a full map, and one more entry if
// none was stale, so that an insert keeps it within its bound.
func evict[V any](m map[string]V, stale func(V) bool) {
	n := len(m)
	for k, v := range m {
		if stale(v) {
			delete(m, k)
		}
	}
	if len(m) < n {
		return
	}
	for k := range m {
		delete(m, k)
		return
	}
}
