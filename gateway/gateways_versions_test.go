package gateway

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/mem"
)

// TestVersionStateAcrossThreeGateways: what versioning, Object Lock,
// tagging and lifecycle keep outside a request lives in the upstream, so
// three gateways over one store see one state: a bucket's versioning and
// lock settings, versions and markers, a version's lock and tags, and the
// lifecycle lease.
func TestVersionStateAcrossThreeGateways(t *testing.T) {
	ctx := context.Background()
	st := mem.New()
	gws := gateways(t, st, 3)
	a, b, c := gws[0], gws[1], gws[2]
	if err := a.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if err := b.PutObjectLockConfiguration(ctx, "bkt", LockConfig{Enabled: true}); err != nil {
		t.Fatalf("lock through b after versioning through a: %v", err)
	}
	if err := c.PutBucketVersioning(ctx, "bkt", VersioningSuspended); !errors.Is(err, ErrInvalidBucketState) {
		t.Fatalf("suspending through c under Object Lock set through b: %v", err)
	}
	v1, err := a.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("one")), 3,
		PutOptions{Lock: &ObjectLock{LegalHold: true}, Tags: Tags{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	put(t, b, "bkt", "k", []byte("two"), nil)
	if err := c.DeleteObject(ctx, "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if got := versionsOf(t, a, VersionQuery{}); len(got) != 3 {
		t.Fatalf("versions through a: %v", got)
	}
	if _, err := b.DeleteVersion(ctx, "bkt", "k", v1.VersionID, DeleteOptions{BypassGovernance: true}); !errors.Is(err, ErrObjectLocked) {
		t.Fatalf("a version held through a deleted through b: %v", err)
	}
	if tags, _, err := c.GetObjectTagging(ctx, "bkt", "k", v1.VersionID); err != nil || tags["team"] != "a" {
		t.Fatalf("tags through c: %v %v", tags, err)
	}
	if err := c.PutObjectLegalHold(ctx, "bkt", "k", v1.VersionID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DeleteVersion(ctx, "bkt", "k", v1.VersionID, DeleteOptions{}); err != nil {
		t.Fatalf("released through c, deleted through a: %v", err)
	}
	// A default retention set through c reaches a's writes at once, although
	// a's bucket hint predates it.
	if err := c.PutObjectLockConfiguration(ctx, "bkt", LockConfig{Enabled: true, Mode: RetentionGovernance, Days: 1}); err != nil {
		t.Fatal(err)
	}
	v3 := put(t, a, "bkt", "k3", []byte("three"), nil)
	if _, err := b.DeleteVersion(ctx, "bkt", "k3", v3.VersionID, DeleteOptions{}); !errors.Is(err, ErrObjectLocked) {
		t.Fatalf("a write through a after the default retention set through c: %v", err)
	}
	// One lifecycle lease: the first gateway to take it runs, the others
	// wait (an account with an enabled rule; without one, none runs).
	if err := c.PutBucketLifecycle(ctx, "bkt", []LifecycleRule{{ID: "old", Enabled: true, Prefix: "old/", ExpireDays: 3650}}); err != nil {
		t.Fatal(err)
	}
	acct := testAccount{a.user}
	ran := 0
	for i, g := range gws {
		if _, ok, err := g.svc.ApplyLifecycle(ctx, acct, string(rune('a'+i)), time.Minute); err != nil {
			t.Fatal(err)
		} else if ok {
			ran++
		}
	}
	if ran != 1 {
		t.Fatalf("%d gateways ran the lifecycle under one lease", ran)
	}
}
