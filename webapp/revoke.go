package webapp

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Sign-outs live in the account's shared record "web-sessions" (sealed in
// the upstream, shared by every gateway, changed by compare-and-swap):
// the ids of revoked sessions with their expiry, and a "not before" time
// that ends every session issued until then. Each gateway caches the
// record per account for RecheckAfter and merges what it reads into what
// it has seen (revocations only grow until they expire), so an upstream
// serving an older record cannot revive a session this gateway saw end.
const (
	revocationRecord = "web-sessions"
	// maxRevoked bounds the revoked ids kept; past it, the oldest
	// sessions are ended together by moving "not before" forward.
	maxRevoked = 1000
	// casAttempts bounds the compare-and-swap retries of one sign-out.
	casAttempts = 8
	// maxCachedAccounts bounds the cache (it starts over past it).
	maxCachedAccounts = 10000
)

// revocation is the record: times in Unix milliseconds.
type revocation struct {
	// NotBefore ends every session issued at or before it.
	NotBefore int64 `json:"not_before,omitempty"`
	// Revoked maps a session id (hex) to the session's expiry.
	Revoked map[string]int64 `json:"revoked,omitempty"`
}

// ends reports whether t is revoked.
func (r revocation) ends(t token) bool {
	if t.Issued.UnixMilli() <= r.NotBefore {
		return true
	}
	_, ok := r.Revoked[hex.EncodeToString(t.ID[:])]
	return ok
}

// add revokes t, dropping revocations of expired sessions; past
// maxRevoked it ends every session issued until now instead.
func (r *revocation) add(t token, now time.Time) {
	r.prune(now)
	if len(r.Revoked) >= maxRevoked {
		r.endAll(now)
		return
	}
	if r.Revoked == nil {
		r.Revoked = map[string]int64{}
	}
	r.Revoked[hex.EncodeToString(t.ID[:])] = t.Expires.UnixMilli()
}

// endAll ends every session issued until now.
func (r *revocation) endAll(now time.Time) {
	r.NotBefore = max(r.NotBefore, now.UnixMilli())
	r.Revoked = nil
}

func (r *revocation) prune(now time.Time) {
	ms := now.UnixMilli()
	for id, exp := range r.Revoked {
		if exp <= ms {
			delete(r.Revoked, id)
		}
	}
}

// merge adds what o revokes to r.
func (r *revocation) merge(o revocation) {
	r.NotBefore = max(r.NotBefore, o.NotBefore)
	for id, exp := range o.Revoked {
		if r.Revoked == nil {
			r.Revoked = map[string]int64{}
		}
		r.Revoked[id] = exp
	}
}

// revocations caches the records of the accounts seen.
type revocations struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	by  map[string]*cachedRevocation
}

type cachedRevocation struct {
	rec     revocation
	fetched time.Time
}

func newRevocations(ttl time.Duration, now func() time.Time) *revocations {
	return &revocations{ttl: ttl, now: now, by: map[string]*cachedRevocation{}}
}

// ended reports whether t is revoked, reading the account's record when
// the cached one is older than the ttl.
func (c *revocations) ended(ctx context.Context, u User, t token) (bool, error) {
	now := c.now()
	c.mu.Lock()
	e := c.by[u.Name]
	if e != nil && now.Sub(e.fetched) < c.ttl {
		defer c.mu.Unlock()
		return e.rec.ends(t), nil
	}
	c.mu.Unlock()
	rec, _, err := readRevocation(ctx, u.NS)
	if err != nil {
		return false, err
	}
	return c.learn(u.Name, rec, now).ends(t), nil
}

// learn merges rec into the cached record of name and returns a copy of
// the result.
func (c *revocations) learn(name string, rec revocation, fetched time.Time) revocation {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.by[name]
	if e == nil {
		if len(c.by) >= maxCachedAccounts {
			clear(c.by)
		}
		e = &cachedRevocation{}
		c.by[name] = e
	}
	e.rec.merge(rec)
	e.rec.prune(fetched)
	e.fetched = fetched
	out := revocation{NotBefore: e.rec.NotBefore}
	out.merge(e.rec)
	return out
}

// seen adds to rec what this gateway has seen revoked for name, so that
// a sign-out never writes back less than is known.
func (c *revocations) seen(name string, rec *revocation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.by[name]; e != nil {
		rec.merge(e.rec)
	}
}

// revoke applies change to the account's record with compare-and-swap,
// retrying on a concurrent change, and updates the cache at once.
func (c *revocations) revoke(ctx context.Context, u User, change func(*revocation)) error {
	for attempt := range casAttempts {
		if attempt > 0 {
			if err := sleepCtx(ctx, time.Duration(attempt)*20*time.Millisecond); err != nil {
				return err
			}
		}
		rec, ver, err := readRevocation(ctx, u.NS)
		if err != nil {
			return err
		}
		c.seen(u.Name, &rec)
		change(&rec)
		data, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		_, err = u.NS.PutShared(ctx, revocationRecord, data, ver)
		if errors.Is(err, gateway.ErrPreconditionFailed) {
			continue
		}
		if err != nil {
			return err
		}
		c.learn(u.Name, rec, c.now())
		return nil
	}
	return fmt.Errorf("%w: the sign-out record kept changing", gateway.ErrSlowDown)
}

// readRevocation reads the record and its version; an absent or cleared
// record revokes nothing.
func readRevocation(ctx context.Context, ns gateway.Namespace) (revocation, string, error) {
	var rec revocation
	data, ver, err := ns.GetShared(ctx, revocationRecord)
	if err != nil || len(data) == 0 {
		return rec, ver, err
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, "", fmt.Errorf("webapp: sign-out record: %w", err)
	}
	return rec, ver, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
