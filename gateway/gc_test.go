package gateway

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestGC(t *testing.T) {
	f, n, clock := clockedAlice(t)
	ctx := context.Background()
	put(t, n, "bkt", "kept", []byte("x"), nil)
	put(t, n, "bkt", "gone", []byte("x"), nil)
	_ = n.SetProps(ctx, "bkt", "kept", []byte("p"))
	_ = n.SetProps(ctx, "bkt", "gone", []byte("p"))
	// The object goes behind the gateway's back (another gateway, a tool):
	// its properties are orphans.
	up, _ := n.objectKey("bkt", "gone")
	_ = f.mem.Delete(ctx, up)
	upload(t, n, "old", []int{1000}, nil) // started, never completed
	count := func() int { return len(allUpstream(t, f)) }
	before := count()
	// Nothing is old yet: only the orphan goes.
	rep, err := f.svc.GC(ctx, GCOptions{OlderThan: time.Hour, DryRun: true, KnownDirs: map[string]bool{n.dir: true}})
	if err != nil || rep.OrphanProps != 1 || rep.ExpiredUploads != 0 || rep.Objects != 1 || count() != before {
		t.Fatalf("dry run: %+v %v (objects %d → %d)", rep, err, before, count())
	}
	// Two hours later the upload has expired.
	*clock = clock.Add(2 * time.Hour)
	rep, err = f.svc.GC(ctx, GCOptions{OlderThan: time.Hour, KnownDirs: map[string]bool{}})
	if err != nil || rep.ExpiredUploads != 1 || rep.OrphanProps != 1 || len(rep.UnknownDirs) != 1 {
		t.Fatalf("gc: %+v %v", rep, err)
	}
	for k := range allUpstream(t, f) {
		if strings.HasPrefix(k, ".sealgate/mp/") {
			t.Fatalf("expired upload left %q", k)
		}
	}
	if p, _ := n.GetProps(ctx, "bkt", "kept"); string(p) != "p" {
		t.Fatal("gc removed live properties")
	}
	if got, _ := get(t, n, "bkt", "kept", GetOptions{}); string(got) != "x" {
		t.Fatal("gc touched a live object")
	}
}

// TestGCOrphanParts: parts left in an upload dir with no state (an
// UploadPart that raced with AbortMultipartUpload) are removed once old,
// and never while fresh.
func TestGCOrphanParts(t *testing.T) {
	f, n, clock := clockedAlice(t)
	ctx := context.Background()
	_, id, _ := upload(t, n, "orphan", []int{100, 100}, nil)
	if err := f.mem.Delete(ctx, n.uploadDir(id)+"state"); err != nil { // as the abort did
		t.Fatal(err)
	}
	parts := func() int {
		c := 0
		for k := range allUpstream(t, f) {
			if strings.HasPrefix(k, n.uploadDir(id)) {
				c++
			}
		}
		return c
	}
	if _, err := f.svc.GC(ctx, GCOptions{OlderThan: time.Hour}); err != nil || parts() != 4 {
		t.Fatalf("fresh orphan parts: %d left of 4, %v", parts(), err)
	}
	*clock = clock.Add(2 * time.Hour)
	if _, err := f.svc.GC(ctx, GCOptions{OlderThan: time.Hour}); err != nil || parts() != 0 {
		t.Fatalf("old orphan parts: %d left, %v", parts(), err)
	}
}

// clockedAlice is a fixture whose service reads the time from *clock (now,
// until the test moves it), with alice's namespace and her bucket "bkt".
func clockedAlice(t *testing.T) (*fixture, *userNS, *time.Time) {
	t.Helper()
	f := newFixture(t)
	clock := time.Now()
	f.svc.cfg.Now = func() time.Time { return clock }
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	return f, n, &clock
}
