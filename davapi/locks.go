package davapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// Locks are shared by every gateway over the upstream: a user's lock table
// is the gateway shared record "dav-locks" (locktable.go), and each request
// gets its own lockSystem over it, holding the request's context, namespace
// and state (x/net's LockSystem methods take no context).
//
// Upstream cost per request: LOCK, refresh and UNLOCK read the table and
// write it conditionally (one GET and one conditional PUT, more when
// another gateway changed it meanwhile). A write (PUT, DELETE, MKCOL, COPY,
// MOVE, PROPPATCH) reads it once, with or without an If header; other
// methods never read it.
//
// Conflicts between locks follow x/net memLS (locktable.go). Writes are
// checked a little more strictly than memLS does: a DELETE, MOVE or COPY
// (whose destination tree is replaced) is also stopped by a lock anywhere
// below its resource (RFC 4918 §9.6.1, §9.9.2), and an If header whose
// tokens lock other resources (tagged lists) does not let a request write
// a resource locked by another token.
//
// A write is checked against the table when it starts, not held against it:
// a LOCK granted through another gateway while a write runs does not stop
// that write (memLS serialised the two inside one process). Likewise a
// lock does not serialise its own holder's requests. Expiry uses each
// gateway's clock (Config.Now), so clock skew between gateways shifts it.

// maxLocksPerUser bounds one user's live locks (the table is also bounded
// by gateway.MaxSharedBytes): a client cannot grow the record every lock
// request rewrites without bound.
const maxLocksPerUser = 10000

// errTooManyLocks: the user's table is full: 507 Insufficient Storage
// (RFC 4918 §11.5: the server cannot store what the request needs), with
// this text.
var errTooManyLocks = fmt.Errorf("davapi: too many locks (at most %d live locks per account)", maxLocksPerUser)

// errLockBusy: the table kept changing under this request's writes
// (answered 503, as an upstream that cannot take the write now).
var errLockBusy = fmt.Errorf("davapi: lock table busy: %w", gateway.ErrUnavailable)

// The compare-and-swap retries: at most casAttempts writes, the n-th retry
// after a random wait below casBackoff·2^(n-1), capped at casMaxWait (about
// 0.5 s of waiting in all at worst).
const (
	casAttempts = 8
	casBackoff  = 5 * time.Millisecond
	casMaxWait  = 200 * time.Millisecond
)

// lockSystem is one request's webdav.LockSystem over its user's shared
// lock table. It ignores the times x/net passes (x/net reads time.Now) and
// uses its own clock. One request's goroutine uses it.
type lockSystem struct {
	ctx    context.Context
	st     *reqState
	max    time.Duration
	now    func() time.Time
	table  *lockTable // the snapshot this request read; nil before
	ver    string     // its version
	checks []string   // tokens of this request's write checks (not stored)
}

var _ webdav.LockSystem = (*lockSystem)(nil)

func newLockSystem(ctx context.Context, st *reqState, maxTimeout time.Duration, now func() time.Time) *lockSystem {
	return &lockSystem{ctx: ctx, st: st, max: maxTimeout, now: now}
}

// load returns the request's snapshot of the table, reading it once.
func (l *lockSystem) load() (*lockTable, error) {
	if l.table != nil {
		return l.table, nil
	}
	data, ver, err := l.st.ns.GetShared(l.ctx, lockTableName)
	if err != nil {
		return nil, l.fail(err)
	}
	t, err := decodeLockTable(data)
	if err != nil {
		return nil, l.fail(err)
	}
	l.table, l.ver = &t, ver
	return l.table, nil
}

// fail records err for the status table (errors.go): x/net answers 500 to
// any error it does not know.
func (l *lockSystem) fail(err error) error {
	l.st.record(err)
	return err
}

func (l *lockSystem) capped(d time.Duration) time.Duration {
	if d < 0 || d > l.max {
		return l.max
	}
	return d
}

// Confirm implements webdav.LockSystem: each named resource must be covered
// by a live lock of the conditions' tokens, and no other live lock may
// cover what the request writes (the request path, except for COPY, and
// name1, its destination). Confirming holds nothing.
func (l *lockSystem) Confirm(_ time.Time, name0, name1 string, conds ...webdav.Condition) (func(), error) {
	t, err := l.load()
	if err != nil {
		return nil, err
	}
	var tokens []string
	for _, c := range conds {
		if !c.Not && c.Token != "" {
			tokens = append(tokens, c.Token)
		}
	}
	now := l.now()
	for _, name := range []string{name0, name1} {
		if name != "" && !t.coveredBy(cleanPath(name), tokens, now) {
			return nil, webdav.ErrConfirmationFailed
		}
	}
	for _, name := range l.written(name1) {
		if t.conflict(name, !l.deep(), tokens, now) != nil {
			return nil, webdav.ErrConfirmationFailed
		}
	}
	return func() {}, nil
}

// written are the resources the request changes: its path (a COPY only
// reads it) and the destination dst, if any.
func (l *lockSystem) written(dst string) []string {
	var out []string
	if l.st.method != "COPY" {
		out = append(out, l.st.path)
	}
	if dst != "" {
		out = append(out, cleanPath(dst))
	}
	return out
}

// deep tells whether the request changes whole trees (DELETE, MOVE, and
// COPY's destination): then a lock below the resource also stops it.
func (l *lockSystem) deep() bool {
	switch l.st.method {
	case "DELETE", "MOVE", "COPY":
		return true
	}
	return false
}

// Create implements webdav.LockSystem. In a LOCK request it adds a lock to
// the table; in any other request x/net calls it to check a write without
// an If header (a "temporary lock"), which only reads the table.
func (l *lockSystem) Create(_ time.Time, d webdav.LockDetails) (string, error) {
	root := cleanPath(d.Root)
	if l.st.method != "LOCK" {
		return l.check(root)
	}
	e := lockEntry{Token: newLockToken(), Root: root, Zero: d.ZeroDepth, Owner: d.OwnerXML, Duration: l.capped(d.Duration)}
	err := l.update(func(t *lockTable, now time.Time) error {
		if t.conflict(root, e.Zero, nil, now) != nil {
			return webdav.ErrLocked
		}
		if len(t.Locks) >= maxLocksPerUser {
			return errTooManyLocks
		}
		e.Expires = now.Add(e.Duration).UnixNano()
		t.Locks = append(t.Locks, e)
		return nil
	})
	if err != nil {
		return "", err
	}
	return e.Token, nil
}

// check is a tokenless write's lock check: ErrLocked if another lock covers
// root (or lies below it, for a tree-changing request).
func (l *lockSystem) check(root string) (string, error) {
	t, err := l.load()
	if err != nil {
		return "", err
	}
	if t.conflict(root, !l.deep(), nil, l.now()) != nil {
		return "", webdav.ErrLocked
	}
	token := fmt.Sprintf("check:%d", len(l.checks))
	l.checks = append(l.checks, token)
	return token, nil
}

// Refresh implements webdav.LockSystem: a new timeout from now.
func (l *lockSystem) Refresh(_ time.Time, token string, d time.Duration) (webdav.LockDetails, error) {
	d = l.capped(d)
	var out webdav.LockDetails
	err := l.update(func(t *lockTable, now time.Time) error {
		i := t.find(token, now)
		if i < 0 {
			return webdav.ErrNoSuchLock
		}
		t.Locks[i].Duration, t.Locks[i].Expires = d, now.Add(d).UnixNano()
		out = t.Locks[i].details()
		return nil
	})
	return out, err
}

// Unlock implements webdav.LockSystem; a write check's token is released
// without touching the table.
func (l *lockSystem) Unlock(_ time.Time, token string) error {
	if i := slices.Index(l.checks, token); i >= 0 {
		l.checks = slices.Delete(l.checks, i, i+1)
		return nil
	}
	return l.update(func(t *lockTable, now time.Time) error {
		i := t.find(token, now)
		if i < 0 {
			return webdav.ErrNoSuchLock
		}
		t.Locks = slices.Delete(t.Locks, i, i+1)
		return nil
	})
}

// update applies change to a fresh read of the table, expired locks
// dropped, and writes the result if the table is still at the version
// read; otherwise it reads again and retries (casAttempts in all). change's
// errors are returned as they are (x/net compares them with ==).
func (l *lockSystem) update(change func(t *lockTable, now time.Time) error) error {
	for attempt := range casAttempts {
		if err := l.backoff(attempt); err != nil {
			return l.fail(err)
		}
		l.table = nil
		cur, err := l.load()
		if err != nil {
			return err
		}
		next, now := cur.clone(), l.now()
		next.prune(now)
		if err := change(&next, now); err != nil {
			if errors.Is(err, errTooManyLocks) {
				return l.fail(err)
			}
			return err
		}
		data, err := next.encode()
		if err != nil {
			return l.fail(err)
		}
		if len(data) > gateway.MaxSharedBytes {
			return l.fail(errTooManyLocks)
		}
		ver, err := l.st.ns.PutShared(l.ctx, lockTableName, data, l.ver)
		if errors.Is(err, gateway.ErrPreconditionFailed) {
			continue
		}
		if err != nil {
			return l.fail(err)
		}
		l.table, l.ver = &next, ver
		return nil
	}
	return l.fail(errLockBusy)
}

// backoff waits before retry attempt (none before the first): a random
// time below casBackoff·2^(attempt-1), at most casMaxWait.
func (l *lockSystem) backoff(attempt int) error {
	if attempt == 0 {
		return nil
	}
	limit := min(casBackoff<<(attempt-1), casMaxWait)
	timer := time.NewTimer(mrand.N(limit) + 1)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
}

// newLockToken returns a lock token: an absolute URI (x/net writes it in a
// Coded-URL) with 130 random bits.
func newLockToken() string { return "urn:sealgate:lock:" + rand.Text() }
