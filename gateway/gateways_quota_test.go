package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// TestQuotaManyGateways: three gateways write for one account at once
// until its quota, of bytes or of objects, refuses them; the usage then
// stays within the documented bound (quota + gateways × the flush
// threshold + writes in flight), gets close to the quota, and the shared
// record, once every gateway flushed, equals a recount.
func TestQuotaManyGateways(t *testing.T) {
	for _, up := range upstreams {
		for _, q := range []manyQuota{
			{name: "bytes", limit: 2 << 20, flush: 64 << 10, per: 16 << 10},
			{name: "objects", limit: 100, flush: 4, per: 1},
		} {
			t.Run(up.name+"/"+q.name, func(t *testing.T) { quotaManyGateways(t, up.open(t), q) })
		}
	}
}

// manyQuota is one kind of quota of TestQuotaManyGateways: its limit and
// flush threshold, and what one write of a 16 KiB object counts.
type manyQuota struct {
	name              string
	limit, flush, per int64
}

func (q manyQuota) objects() bool { return q.name == "objects" }

func (q manyQuota) config(st backends.Store) Config {
	if q.objects() {
		return Config{Store: st, QuotaFlushObjects: q.flush}
	}
	return Config{Store: st, QuotaFlushBytes: q.flush}
}

func (q manyQuota) set(ctx context.Context, svc *Service, a Account) error {
	var err error
	if q.objects() {
		_, err = svc.SetQuota(ctx, a, Quota{Objects: q.limit})
	} else {
		_, err = svc.SetQuota(ctx, a, Quota{Bytes: q.limit})
	}
	return err
}

// of is what f counts in this kind.
func (q manyQuota) of(f footprint) int64 {
	if q.objects() {
		return f.objects
	}
	return f.bytes
}

func quotaManyGateways(t *testing.T, st backends.Store, q manyQuota) {
	const (
		gws, writers    = 3, 4
		objSize         = 16 << 10
		attemptsPerGoer = 400
	)
	bound := q.limit + gws*q.flush + gws*writers*q.per
	ctx := context.Background()
	ks := &cryptolayer.Keystore{}
	u, err := ks.AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	ns := make([]*userNS, gws)
	for i := range ns {
		svc, err := NewService(q.config(st))
		if err != nil {
			t.Fatal(err)
		}
		ns[i] = svc.namespaceFor(u)
	}
	mustBucket(t, ns[0], "bkt")
	if err := q.set(ctx, ns[0].svc, testAccount{u}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g, n := range ns {
		for w := range writers {
			wg.Go(func() {
				for i := range attemptsPerGoer {
					key := fmt.Sprintf("g%d/w%d/%d", g, w, i)
					_, err := n.PutObject(ctx, "bkt", key, bytes.NewReader(make([]byte, objSize)), objSize, PutOptions{})
					if errors.Is(err, ErrQuotaExceeded) {
						return
					}
					if err != nil {
						t.Errorf("put %s: %v", key, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, n := range ns {
		if err := n.svc.FlushUsage(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rec, err := ns[1].svc.QuotaUsage(ctx, testAccount{u})
	if err != nil {
		t.Fatal(err)
	}
	total, err := ns[2].countUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := q.of(total)
	t.Logf("quota %d, stored %d (%+d over), bound %d", q.limit, stored, stored-q.limit, bound)
	if stored > bound || stored < q.limit-gws*writers*q.per {
		t.Fatalf("stored %d under a quota of %d; want at most %d and near the quota", stored, q.limit, bound)
	}
	if recorded := q.of(footprint{rec.Bytes, rec.Objects}); recorded != stored {
		t.Fatalf("shared record says %d, a recount %d", recorded, stored)
	}
}

// TestQuotaReachesEveryGateway: a quota set through one gateway applies on
// another once its copy of the record is QuotaRefresh old, and so do the
// other gateways' flushed writes.
func TestQuotaReachesEveryGateway(t *testing.T) {
	ctx := context.Background()
	st := mem.New()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ks := &cryptolayer.Keystore{}
	u, err := ks.AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	var ns [2]*userNS
	for i := range ns {
		svc, err := NewService(Config{Store: st, Now: clock, QuotaFlushBytes: 1})
		if err != nil {
			t.Fatal(err)
		}
		ns[i] = svc.namespaceFor(u)
	}
	a, b := ns[0], ns[1]
	mustBucket(t, a, "bkt")
	put(t, b, "bkt", "first", make([]byte, 10), nil) // b reads the record: no quota
	if _, err := a.svc.SetQuota(ctx, testAccount{u}, Quota{Bytes: 100}); err != nil {
		t.Fatal(err)
	}
	put(t, b, "bkt", "stale", make([]byte, 200), nil) // within QuotaRefresh: b does not know yet
	advance(2 * time.Second)
	// Now b knows the quota, but its writes made without one were not
	// counted: 50 more fits until a recount.
	put(t, b, "bkt", "late", make([]byte, 50), nil)
	if err := b.svc.FlushUsage(ctx); err != nil { // else the recount may count it twice (quota.go)
		t.Fatal(err)
	}
	if _, err := a.svc.RecountUsage(ctx, testAccount{u}); err != nil {
		t.Fatal(err)
	}
	advance(2 * time.Second)
	if _, err := b.PutObject(ctx, "bkt", "later", bytes.NewReader(make([]byte, 1)), 1, PutOptions{}); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("write after the recount through another gateway: %v, want ErrQuotaExceeded", err)
	}
	if u, err := a.Usage(ctx); err != nil || u.Bytes != 260 {
		t.Fatalf("usage on a: %+v %v", u, err)
	}
}
