package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// usageLeaseName is the lease that lets one gateway at a time recount an
// account's usage (the lifecycle's lease record, under its own name).
const usageLeaseName = "usage lease"

// ReconcileUsage recounts account a's usage from a full upstream listing
// and writes it into the account's quota record (RecountUsage), unless
// another gateway holds the account's usage lease: then it returns false
// and does nothing. holder names this gateway; the lease lasts leaseFor.
func (s *Service) ReconcileUsage(ctx context.Context, a Account, holder string, leaseFor time.Duration) (Usage, bool, error) {
	n := s.namespaceFor(a.KeyRecord())
	if ok, err := n.takeLease(ctx, usageLeaseName, holder, leaseFor); err != nil || !ok {
		return Usage{}, false, err
	}
	u, err := s.RecountUsage(ctx, a)
	return u, true, err
}

// RecountUsage sets account a's usage to the plaintext bytes and the
// number of its current and noncurrent versions, counted from a full
// upstream listing (sizes are a function of upstream sizes: no object is
// read). This gateway's pending delta is flushed first; the other
// gateways' pending deltas, and writes committed during the listing, may
// be counted twice or not at all, until the next recount.
func (s *Service) RecountUsage(ctx context.Context, a Account) (Usage, error) {
	n := s.namespaceFor(a.KeyRecord())
	if st := s.quotas.existing(n); st != nil {
		if err := s.quotas.sync(ctx, st, hasPending); err != nil {
			return Usage{}, err
		}
	}
	total, err := n.countUsage(ctx)
	if err != nil {
		return Usage{}, err
	}
	now := s.cfg.Now().UTC()
	r, v, err := n.updateQuota(ctx, func(r *quotaRecord) { r.Bytes, r.Objects, r.Reconciled = total.bytes, total.objects, now })
	if err != nil {
		return Usage{}, err
	}
	s.quotas.stored(n, r, v)
	return Usage(r), nil
}

// countUsage sums the footprints of the account's objects: current
// versions (under a bucket: the entries right under the user's directory
// are bucket records) and noncurrent ones.
func (n *userNS) countUsage(ctx context.Context) (footprint, error) {
	var total footprint
	for _, prefix := range []string{n.dir + "/", versionsRoot + n.dir + "/"} {
		err := n.svc.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
			if prefix == n.dir+"/" && !strings.Contains(o.Key[len(prefix):], "/") {
				return nil
			}
			total = total.plus(upstreamFootprint(o.Size))
			return nil
		})
		if err != nil {
			return footprint{}, upstreamErr(err, ErrNoSuchKey)
		}
	}
	return total, nil
}

// existing returns the account's entry if this gateway has one.
func (q *quotaTable) existing(n *userNS) *quotaState {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.m[n.user.ID]
}

// stored updates the account's entry, if any, with a record just written.
func (q *quotaTable) stored(n *userNS, r quotaRecord, version string) {
	st := q.existing(n)
	if st == nil {
		return
	}
	st.io.Lock()
	defer st.io.Unlock()
	st.mu.Lock()
	st.rec, st.version, st.readAt = r, version, q.now()
	st.mu.Unlock()
}
