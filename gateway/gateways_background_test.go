package gateway

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/mem"
)

// TestGCOnTwoGateways: gc (and so upload expiry, which every gateway runs)
// run by two gateways at once, one stopped in the middle of removing an
// expired upload while the other runs to its end, removes what is expired
// and nothing else.
func TestGCOnTwoGateways(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 2)
	h := &hook{Store: base}
	a := onServiceStore(t, gw[0], h)
	put(t, a, "bkt", "live", []byte("x"), nil)
	if err := a.SetProps(ctx, "bkt", "live", []byte("p")); err != nil {
		t.Fatal(err)
	}
	var expired []string
	for i := range 3 {
		_, id, _ := upload(t, a, fmt.Sprintf("old%d", i), []int{100}, nil)
		expired = append(expired, id)
	}
	cutoff := time.Now() // the store's clock: the old uploads are older
	_, fresh, _ := upload(t, gw[1], "fresh", []int{100}, nil)
	for _, n := range []*userNS{a, gw[1]} {
		n.svc.cfg.Now = func() time.Time { return cutoff.Add(time.Hour) }
	}
	g := newGate(opOn("delete", ".sealgate/mp/"))
	h.before = g.hold
	errA := make(chan error, 1)
	go func() {
		_, err := a.svc.GC(ctx, GCOptions{OlderThan: time.Hour})
		errA <- err
	}()
	<-g.entered
	if _, err := gw[1].svc.GC(ctx, GCOptions{OlderThan: time.Hour}); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-errA; err != nil {
		t.Fatalf("the gc that was held: %v", err)
	}
	for _, id := range expired {
		if left := upstreamUnder(t, base, a.uploadDir(id)); len(left) != 0 {
			t.Fatalf("expired upload left %q", left)
		}
	}
	if left := upstreamUnder(t, base, a.uploadDir(fresh)); len(left) != 3 {
		t.Fatalf("fresh upload holds %q", left)
	}
	if got, _ := get(t, gw[1], "bkt", "live", GetOptions{}); string(got) != "x" {
		t.Fatal("live object lost")
	}
	if p, err := gw[1].GetProps(ctx, "bkt", "live"); err != nil || string(p) != "p" {
		t.Fatalf("live properties: %q %v", p, err)
	}
}

// TestReencryptOnTwoGateways: two re-encryption runs of one account at once
// (one held just before re-sealing an object the other re-seals meanwhile),
// with clients writing through a third gateway: no object is lost or torn,
// a run never under-counts what is left on the old epoch, and once a run
// reports the old epoch unused, dropping it loses nothing.
func TestReencryptOnTwoGateways(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 3)
	h := &hook{Store: base}
	a, b, c := onServiceStore(t, gw[0], h), gw[1], gw[2]
	model := map[string][]byte{}
	for i := range 12 {
		k := fmt.Sprintf("o%02d", i)
		model[k] = bytes.Repeat([]byte(k), 10+i*1000)
		put(t, c, "bkt", k, model[k], nil)
	}
	if _, err := c.user.Rotate(); err != nil { // every gateway's snapshot (one user value here)
		t.Fatal(err)
	}
	first, _ := c.objectKey("bkt", "o00")
	g := newGate(opOn("put", first))
	h.before = g.hold
	acct := testAccount{c.user}
	var repA, repB ReencryptReport
	var errA, errB error
	doneA, doneB := make(chan struct{}), make(chan struct{})
	go func() { defer close(doneA); repA, errA = a.svc.Reencrypt(ctx, acct, nil) }()
	<-g.entered
	go func() { defer close(doneB); repB, errB = b.svc.Reencrypt(ctx, acct, nil) }()
	for i := 0; i < 12; i += 3 { // clients overwrite some objects meanwhile
		k := fmt.Sprintf("o%02d", i)
		model[k] = []byte("rewritten " + k)
		put(t, c, "bkt", k, model[k], nil)
	}
	<-doneB // B ran to its end; A waits at its first re-seal
	close(g.release)
	<-doneA
	if errA != nil || errB != nil {
		t.Fatalf("runs: %v, %v", errA, errB)
	}
	onOld := countOnEpoch(t, c, 1)
	for _, rep := range []ReencryptReport{repA, repB} {
		if rep.Remaining[1] < onOld {
			t.Fatalf("a run counted %d objects left on epoch 1; %d are: %+v", rep.Remaining[1], onOld, rep)
		}
	}
	if repA.Remaining[1] == 0 || repB.Remaining[1] == 0 {
		if err := c.user.DropEpoch(1); err != nil {
			t.Fatal(err)
		}
	}
	for k, want := range model {
		if got, _ := get(t, gw[0], "bkt", k, GetOptions{}); !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes, want %d", k, len(got), len(want))
		}
	}
}

// countOnEpoch counts the objects of bucket "bkt" sealed under epoch.
func countOnEpoch(t *testing.T, n *userNS, epoch uint32) int {
	t.Helper()
	count := 0
	for _, k := range upstreamUnder(t, n.svc.store, n.bucketPrefix("bkt")) {
		st, err := n.svc.store.Stat(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		name, err := n.nameOf(context.Background(), "bkt", st, "", "")
		if err != nil {
			t.Fatal(err)
		}
		obj, err := n.open(context.Background(), "bkt", name, k, st)
		if err != nil {
			t.Fatal(err)
		}
		if obj.Epoch() == epoch {
			count++
		}
	}
	return count
}
