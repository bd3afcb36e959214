package gateway

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// quotaTable is this gateway's view of the quota records of the accounts
// it serves (quota.go): the record as last read, and the pending and
// reserved bytes and objects of its own writes. Without a limit, nothing is tracked: a
// request then costs a map lookup, and the record is re-read at most
// every refresh.
type quotaTable struct {
	flushBytes   int64
	flushObjects int64
	refresh      time.Duration
	now          func() time.Time
	current      func(id [16]byte) *cryptolayer.User // Config.Current: nil for a deleted account

	mu sync.Mutex
	m  map[[16]byte]*quotaState
}

func newQuotaTable(cfg Config) *quotaTable {
	return &quotaTable{flushBytes: cfg.QuotaFlushBytes, flushObjects: cfg.QuotaFlushObjects, refresh: cfg.QuotaRefresh,
		now: cfg.Now, current: cfg.Current, m: map[[16]byte]*quotaState{}}
}

// quotaState is one account's entry.
type quotaState struct {
	io sync.Mutex // one read or update of the record at a time
	mu sync.Mutex // guards what follows
	ns *userNS    // the newest snapshot of the account, for flushes
	// rec and version: the record as last read or written; readAt: when
	// (zero: never).
	rec      quotaRecord
	version  string
	readAt   time.Time
	pending  footprint // committed usage not yet added to the record
	reserved footprint // declared bytes and objects of admitted writes in flight
	busy     bool      // a background flush runs
}

// state returns the account's entry, read from the record on first use
// and again once older than the refresh interval (on the request path: a
// new limit applies within that interval, at one upstream read per
// interval and account).
func (q *quotaTable) state(ctx context.Context, n *userNS) (*quotaState, error) {
	q.mu.Lock()
	st, ok := q.m[n.user.ID]
	if !ok {
		st = &quotaState{}
		q.m[n.user.ID] = st
	}
	q.mu.Unlock()
	st.mu.Lock()
	st.ns = n
	stale := q.stale(st)
	st.mu.Unlock()
	if stale {
		if err := q.sync(ctx, st, q.stale); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// stale reports whether an entry needs reading (st.mu held).
func (q *quotaTable) stale(st *quotaState) bool {
	return st.readAt.IsZero() || q.now().Sub(st.readAt) >= q.refresh
}

// sync adds the pending delta to the record (or only reads it, with none
// pending), if need, asked with st.mu held once this sync's turn has come,
// says so.
func (q *quotaTable) sync(ctx context.Context, st *quotaState, need func(*quotaState) bool) error {
	st.io.Lock()
	defer st.io.Unlock()
	st.mu.Lock()
	d, n, due := st.pending, st.ns, need(st)
	st.mu.Unlock()
	if !due {
		return nil
	}
	var (
		r   quotaRecord
		v   string
		err error
	)
	if d != (footprint{}) {
		r, v, err = n.updateQuota(ctx, func(r *quotaRecord) { r.Bytes, r.Objects = r.Bytes+d.bytes, r.Objects+d.objects })
	} else {
		r, v, err = n.readQuota(ctx)
	}
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.rec, st.version, st.readAt = r, v, q.now()
	st.pending = st.pending.minus(d)
	st.mu.Unlock()
	return nil
}

// overFlush reports whether an entry's pending delta is due (st.mu held).
func (q *quotaTable) overFlush(st *quotaState) bool {
	return abs64(st.pending.bytes) >= q.flushBytes || abs64(st.pending.objects) >= q.flushObjects
}

// hasPending reports whether an entry has a pending delta (st.mu held).
func hasPending(st *quotaState) bool { return st.pending != footprint{} }

// background syncs an entry off the request path.
func (q *quotaTable) background(st *quotaState) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = q.sync(ctx, st, q.overFlush) // a failure leaves the delta pending: the next flush adds it
	st.mu.Lock()
	st.busy = false
	st.mu.Unlock()
}

// quotaTicket is a write's or a delete's place in its account's entry; a
// nil ticket (no quota) does nothing.
type quotaTicket struct {
	q        *quotaTable
	st       *quotaState
	reserved footprint
}

// admit reserves ask for a write of account n: ask.bytes bytes (-1:
// unknown) and ask.objects objects (1 for a write of an object, 0 for a
// part), or refuses it with ErrQuotaExceeded. It returns nil for an account
// without a quota.
func (q *quotaTable) admit(ctx context.Context, n *userNS, ask footprint) (*quotaTicket, error) {
	st, err := q.state(ctx, n)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	limited, flush := st.rec.limited(), q.overFlush(st)
	st.mu.Unlock()
	if !limited {
		return nil, nil
	}
	if flush {
		if err := q.sync(ctx, st, q.overFlush); err != nil {
			return nil, err
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.fits(ask); err != nil {
		return nil, err
	}
	t := &quotaTicket{q: q, st: st, reserved: footprint{max(ask.bytes, 0), ask.objects}}
	st.reserved = st.reserved.plus(t.reserved)
	return t, nil
}

// fits is nil if ask fits under the entry's limits (st.mu held).
func (st *quotaState) fits(ask footprint) error {
	used := st.rec.Bytes + st.pending.bytes + st.reserved.bytes
	size, limit := ask.bytes, st.rec.Limit
	if limit > 0 && (used >= limit && size != 0 || size > 0 && used+size > limit) {
		return fmt.Errorf("%w: %d of %d bytes in use, %d more asked", ErrQuotaExceeded, used, limit, size)
	}
	objects := st.rec.Objects + st.pending.objects + st.reserved.objects
	if st.rec.ObjectLimit > 0 && ask.objects > 0 && objects+ask.objects > st.rec.ObjectLimit {
		return fmt.Errorf("%w: %d of %d objects in use", ErrQuotaExceeded, objects, st.rec.ObjectLimit)
	}
	return nil
}

// track returns a ticket for a delete of account n (nil without a quota).
// It never refuses: a record it cannot read leaves the delete uncounted,
// for the reconciliation to heal.
func (q *quotaTable) track(ctx context.Context, n *userNS) *quotaTicket {
	st, err := q.state(ctx, n)
	if err != nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.rec.limited() && st.pending == (footprint{}) {
		return nil
	}
	return &quotaTicket{q: q, st: st}
}

// done releases the ticket's reservation and counts delta committed
// usage (negative for freed); it starts a background flush once enough is
// pending.
func (t *quotaTicket) done(delta footprint) {
	if t == nil {
		return
	}
	st := t.st
	st.mu.Lock()
	st.reserved = st.reserved.minus(t.reserved)
	t.reserved = footprint{}
	st.pending = st.pending.plus(delta)
	flush := !st.busy && t.q.overFlush(st)
	st.busy = st.busy || flush
	st.mu.Unlock()
	if flush {
		go t.q.background(st)
	}
}

// flushAll adds every entry's pending delta to its record. The entries of
// deleted accounts go: their records were purged with them.
func (q *quotaTable) flushAll(ctx context.Context) error {
	q.mu.Lock()
	all := make([]*quotaState, 0, len(q.m))
	for id, st := range q.m {
		if q.current != nil && q.current(id) == nil {
			delete(q.m, id)
			continue
		}
		all = append(all, st)
	}
	q.mu.Unlock()
	var first error
	for _, st := range all {
		if err := q.sync(ctx, st, hasPending); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// FlushUsage adds this gateway's pending usage deltas to the accounts'
// quota records. serve calls it every Config.QuotaRefresh and at shutdown,
// so that an idle gateway's writes reach the other gateways.
func (s *Service) FlushUsage(ctx context.Context) error { return s.quotas.flushAll(ctx) }

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
