package gateway

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
)

// TestBucketDeleteInterleavings stops a DeleteBucket (gateway D) or a
// write (gateway W) at each race point of the protocol in bucketdel.go,
// runs the other operation to its end there, and checks both answers and
// what is left: a write that succeeded is kept and the bucket with it; a
// bucket that was deleted leaves nothing behind.
func TestBucketDeleteInterleavings(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		held    string // "delete" or "write": the operation stopped
		at      func(n *userNS) func(op, key string) bool
		after   bool  // stop after the matched call, not before
		existed bool  // the key held an acknowledged object before
		wantDel error // the DeleteBucket's answer
		wantPut error // the PutObject's answer
	}{
		{name: "write between mark and emptiness check", held: "delete",
			at:      func(n *userNS) func(string, string) bool { return opOn("list", n.bucketPrefix("bkt")) },
			wantDel: ErrBucketNotEmpty},
		{name: "write between emptiness check and final swap", held: "delete", after: true,
			at:      func(n *userNS) func(string, string) bool { return opOn("list", n.bucketPrefix("bkt")) },
			wantDel: ErrBucketNotEmpty},
		{name: "overwrite between mark and emptiness check", held: "delete", existed: true,
			at:      func(n *userNS) func(string, string) bool { return opOn("list", n.bucketPrefix("bkt")) },
			wantDel: ErrBucketNotEmpty},
		{name: "delete between write's start and commit", held: "write",
			at:      func(n *userNS) func(string, string) bool { return opOn("put", n.bucketPrefix("bkt")) },
			wantPut: ErrNoSuchBucket},
		{name: "delete between write's commit and check", held: "write", after: true,
			at:      func(n *userNS) func(string, string) bool { return opOn("put", n.bucketPrefix("bkt")) },
			wantDel: ErrBucketNotEmpty},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := mem.New()
			gw := gateways(t, base, 2)
			h := &hook{Store: base}
			d, w := gw[0], gw[1]
			if tc.held == "delete" {
				d = onServiceStore(t, d, h)
			} else {
				w = onServiceStore(t, w, h)
			}
			if tc.existed {
				put(t, w, "bkt", "k", []byte("old"), nil)
			}
			g := newGate(tc.at(d))
			if tc.after {
				h.after = func(op, key string, _ error) { g.hold(op, key) }
			} else {
				h.before = g.hold
			}
			var delErr, putErr error
			first := make(chan struct{})
			go func() {
				defer close(first)
				if tc.held == "delete" {
					delErr = d.DeleteBucket(ctx, "bkt")
				} else {
					_, putErr = w.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("new")), 3, PutOptions{})
				}
			}()
			<-g.entered
			if tc.held == "delete" {
				_, putErr = w.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("new")), 3, PutOptions{})
			} else {
				delErr = d.DeleteBucket(ctx, "bkt")
			}
			close(g.release)
			<-first
			if !errors.Is(delErr, tc.wantDel) || !errors.Is(putErr, tc.wantPut) {
				t.Fatalf("DeleteBucket: %v (want %v); PutObject: %v (want %v)", delErr, tc.wantDel, putErr, tc.wantPut)
			}
			checkAfterRace(t, gw[0], delErr == nil, putErr == nil)
		})
	}
}

// checkAfterRace checks the end state of a DeleteBucket racing a write of
// "k" = "new": the bucket is gone and empty upstream, or exists with the
// written object (if the write succeeded) and a live record.
func checkAfterRace(t *testing.T, n *userNS, deleted, written bool) {
	t.Helper()
	ctx := context.Background()
	_, err := n.HeadBucket(ctx, "bkt")
	if deleted {
		if !errors.Is(err, ErrNoSuchBucket) {
			t.Fatalf("deleted bucket: HEAD %v", err)
		}
		if left := upstreamUnder(t, n.svc.store, n.bucketPrefix("bkt")); len(left) != 0 {
			t.Fatalf("deleted bucket left %q", left)
		}
		return
	}
	if rec, err := n.readBucket(ctx, "bkt"); err != nil || rec.phase != bucketLive {
		t.Fatalf("kept bucket: record %v, %v", rec.phase, err)
	}
	if written {
		if got, _ := get(t, n, "bkt", "k", GetOptions{}); string(got) != "new" {
			t.Fatalf("acknowledged write reads %q", got)
		}
	}
}

// TestTwoDeleteBuckets: two DeleteBuckets of one empty bucket on two
// gateways, the second taking the record over while the first checks
// emptiness: one succeeds, the other answers ErrNoSuchBucket.
func TestTwoDeleteBuckets(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 2)
	h := &hook{Store: base}
	d1 := onServiceStore(t, gw[0], h)
	g := newGate(opOn("list", d1.bucketPrefix("bkt")))
	h.after = func(op, key string, _ error) { g.hold(op, key) }
	first := make(chan error, 1)
	go func() { first <- d1.DeleteBucket(ctx, "bkt") }()
	<-g.entered
	if err := gw[1].DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatalf("the second DeleteBucket: %v", err)
	}
	close(g.release)
	if err := <-first; !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("the first DeleteBucket: %v, want ErrNoSuchBucket", err)
	}
}

// TestSetPropsRacingDelete: properties stored while the bucket was being
// deleted are removed again, and SetProps answers ErrNoSuchBucket.
func TestSetPropsRacingDelete(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 2)
	h := &hook{Store: base}
	w := onServiceStore(t, gw[1], h)
	if err := w.SetProps(ctx, "bkt", "", []byte("before")); err != nil { // warms w's hint
		t.Fatal(err)
	}
	g := newGate(opOn("put", ".sealgate/props/"))
	h.before = g.hold
	done := make(chan error, 1)
	go func() { done <- w.SetProps(ctx, "bkt", "", []byte("during")) }()
	<-g.entered
	if err := gw[0].DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-done; !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("SetProps racing the delete: %v", err)
	}
	if left := upstreamUnder(t, base, ".sealgate/props/"); len(left) != 0 {
		t.Fatalf("properties left: %q", left)
	}
}

// TestWriteCancelledAfterCommit: a write whose client goes away just after
// the commit still checks its bucket, and removes what it wrote from a
// bucket deleted meanwhile.
func TestWriteCancelledAfterCommit(t *testing.T) {
	base := mem.New()
	gw := gateways(t, base, 2)
	h := &hook{Store: base}
	w := onServiceStore(t, gw[1], h)
	put(t, w, "bkt", "warm", []byte("x"), nil) // w's hint: the bucket is live
	if err := w.DeleteObject(context.Background(), "bkt", "warm"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := newGate(opOn("put", w.bucketPrefix("bkt")))
	h.before = g.hold
	h.after = func(op, key string, _ error) {
		if g.match(op, key) {
			cancel() // the client is gone once the object is stored
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := w.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("new")), 3, PutOptions{})
		done <- err
	}()
	<-g.entered
	if err := gw[0].DeleteBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-done; !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("cancelled write into a deleted bucket: %v", err)
	}
	if left := upstreamUnder(t, base, w.bucketPrefix("bkt")); len(left) != 0 {
		t.Fatalf("left %q", left)
	}
}
