package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// clocked returns alice's namespace (and account) on a service whose clock
// advance moves.
func clocked(t *testing.T) (*Service, testAccount, *userNS, func(time.Duration)) {
	t.Helper()
	var offset atomic.Int64
	svc, err := NewService(Config{Store: mem.New(), Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	u, err := (&cryptolayer.Keystore{}).AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	return svc, testAccount{u}, svc.namespaceFor(u), func(d time.Duration) { offset.Add(int64(d)) }
}

func TestLifecycleExpiresAndCleans(t *testing.T) {
	ctx := context.Background()
	svc, acct, n, advance := clocked(t)
	mustBucket(t, n, "bkt")
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	rules := []LifecycleRule{
		{ID: "logs", Enabled: true, Prefix: "logs/", ExpireDays: 1, NoncurrentDays: 2, AbortUploadDays: 1},
		{ID: "tagged", Enabled: true, Tags: Tags{"tmp": "yes"}, ExpireDays: 1},
		{ID: "markers", Enabled: true, ExpiredDeleteMarker: true},
	}
	if err := n.PutBucketLifecycle(ctx, "bkt", rules); err != nil {
		t.Fatal(err)
	}
	if got, err := n.GetBucketLifecycle(ctx, "bkt"); err != nil || len(got) != 3 || got[0].ID != "logs" {
		t.Fatalf("rules %+v %v", got, err)
	}
	put(t, n, "bkt", "logs/a", []byte("1"), nil)
	put(t, n, "bkt", "logs/a", []byte("2"), nil) // a noncurrent version
	put(t, n, "bkt", "keep", []byte("k"), nil)
	if _, err := n.PutObject(ctx, "bkt", "scratch", bytes.NewReader(nil), 0, PutOptions{Tags: Tags{"tmp": "yes"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.CreateMultipartUpload(ctx, "bkt", "logs/big", PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if rep, ran, err := svc.ApplyLifecycle(ctx, acct, "gw1", time.Minute); err != nil || !ran || rep.Total() != 0 {
		t.Fatalf("nothing due yet: %+v %v %v", rep, ran, err)
	}
	advance(25 * time.Hour)
	rep, _, err := svc.ApplyLifecycle(ctx, acct, "gw1", time.Minute)
	if err != nil || rep.Expired != 2 || rep.UploadsAborted != 1 || rep.NoncurrentRemoved != 0 {
		t.Fatalf("day 1: %+v %v", rep, err)
	}
	if _, err := n.HeadObject(ctx, "bkt", "logs/a", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("expired key still there: %v", err)
	}
	if _, err := n.HeadObject(ctx, "bkt", "keep", GetOptions{}); err != nil {
		t.Fatalf("a key no rule names was expired: %v", err)
	}
	advance(48 * time.Hour)
	rep, _, err = svc.ApplyLifecycle(ctx, acct, "gw1", time.Minute)
	// logs/a's two old versions go, and then (the "markers" rule comes
	// after) its delete marker, left alone; scratch keeps its old version
	// (no rule expires noncurrent versions there) and so its marker.
	if err != nil || rep.NoncurrentRemoved != 2 || rep.MarkersRemoved != 1 {
		t.Fatalf("day 3: %+v %v", rep, err)
	}
	if got := versionsOf(t, n, VersionQuery{}); len(got) != 3 {
		t.Fatalf("left: %v", got)
	}
	// Another gateway's lease holds this one off.
	_, ran, err := svc.ApplyLifecycle(ctx, acct, "gw2", time.Minute)
	if err != nil || ran {
		t.Fatalf("ran under another gateway's lease: %v %v", ran, err)
	}
}

func TestLifecycleRulesChecked(t *testing.T) {
	for i, bad := range [][]LifecycleRule{
		nil,
		{{Enabled: true}},
		{{Enabled: true, ExpireDays: -1}},
		{{Enabled: true, ExpireDays: 1, ExpireDate: time.Now()}},
		{{Enabled: true, ExpiredDeleteMarker: true, ExpireDays: 1}},
		{{ID: "a", Enabled: true, ExpireDays: 1}, {ID: "a", Enabled: true, ExpireDays: 2}},
		{{Enabled: true, AbortUploadDays: 1, Tags: Tags{"a": "b"}}},
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if err := CheckLifecycle(bad); !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("%+v accepted: %v", bad, err)
			}
		})
	}
}

// TestLifecycleWithoutRulesWritesNothing: an account whose buckets have no
// enabled rule is only read by a run: no lease record is written.
func TestLifecycleWithoutRulesWritesNothing(t *testing.T) {
	ctx := context.Background()
	svc, acct, n, _ := clocked(t)
	mustBucket(t, n, "bkt")
	if err := n.PutBucketLifecycle(ctx, "bkt", []LifecycleRule{{ID: "off", Enabled: false, ExpireDays: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := svc.ApplyLifecycle(ctx, acct, "gw1", time.Minute); err != nil || ran {
		t.Fatalf("a run without an enabled rule: ran %v, %v", ran, err)
	}
	if data, _, err := n.GetShared(ctx, lifecycleLeaseName); err != nil || len(data) != 0 {
		t.Fatalf("lease record %q written (%v)", data, err)
	}
}
