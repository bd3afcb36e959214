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
// reserved bytes of its own writes. Without a limit, nothing is tracked: a
// request then costs a map lookup, and the record is re-read at most
// every refresh.
type quotaTable struct {
	flushBytes int64
	refresh    time.Duration
	now        func() time.Time
	current    func(id [16]byte) *cryptolayer.User // Config.Current: nil for a deleted account

	mu sync.Mutex
	m  map[[16]byte]*quotaState
}

func newQuotaTable(cfg Config) *quotaTable {
	return &quotaTable{flushBytes: cfg.QuotaFlushBytes, refresh: cfg.QuotaRefresh, now: cfg.Now, current: cfg.Current,
		m: map[[16]byte]*quotaState{}}
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
	pending  int64 // committed bytes not yet added to the record
	reserved int64 // declared bytes of admitted writes in flight
	busy     bool  // a background flush runs
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
	if d != 0 {
		r, v, err = n.updateQuota(ctx, func(r *quotaRecord) { r.Bytes += d })
	} else {
		r, v, err = n.readQuota(ctx)
	}
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.rec, st.version, st.readAt = r, v, q.now()
	st.pending -= d
	st.mu.Unlock()
	return nil
}

// overFlush reports whether an entry's pending delta is due (st.mu held).
func (q *quotaTable) overFlush(st *quotaState) bool { return abs64(st.pending) >= q.flushBytes }

// hasPending reports whether an entry has a pending delta (st.mu held).
func hasPending(st *quotaState) bool { return st.pending != 0 }

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
	reserved int64
}

// admit reserves size bytes (-1: unknown) for a write of account n, or
// refuses it with ErrQuotaExceeded. It returns nil for an account without
// a quota.
func (q *quotaTable) admit(ctx context.Context, n *userNS, size int64) (*quotaTicket, error) {
	st, err := q.state(ctx, n)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	limited, flush := st.rec.Limit > 0, abs64(st.pending) >= q.flushBytes
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
	used := st.rec.Bytes + st.pending + st.reserved
	if used >= st.rec.Limit && size != 0 || size > 0 && used+size > st.rec.Limit {
		return nil, fmt.Errorf("%w: %d of %d bytes in use, %d more asked", ErrQuotaExceeded, used, st.rec.Limit, size)
	}
	t := &quotaTicket{q: q, st: st, reserved: max(size, 0)}
	st.reserved += t.reserved
	return t, nil
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
	if st.rec.Limit <= 0 && st.pending == 0 {
		return nil
	}
	return &quotaTicket{q: q, st: st}
}

// done releases the ticket's reservation and counts delta committed bytes
// (negative for freed ones); it starts a background flush once enough are
// pending.
func (t *quotaTicket) done(delta int64) {
	if t == nil {
		return
	}
	st := t.st
	st.mu.Lock()
	st.reserved -= t.reserved
	t.reserved = 0
	st.pending += delta
	flush := !st.busy && abs64(st.pending) >= t.q.flushBytes
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
