package gateway

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// lockedBucket returns alice's namespace with bucket "bkt" created with
// Object Lock, on a service whose clock the returned function advances.
func lockedBucket(t *testing.T) (*userNS, func(time.Duration)) {
	t.Helper()
	_, _, n, advance := clocked(t)
	if err := n.CreateLockedBucket(context.Background(), "bkt"); err != nil {
		t.Fatal(err)
	}
	return n, advance
}

func putLocked(t *testing.T, n *userNS, key string, l *ObjectLock) ObjectInfo {
	t.Helper()
	info, err := n.PutObject(context.Background(), "bkt", key, bytes.NewReader([]byte("data")), 4, PutOptions{Lock: l})
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestObjectLockRetention(t *testing.T) {
	ctx := context.Background()
	n, advance := lockedBucket(t)
	if v, err := n.GetBucketVersioning(ctx, "bkt"); err != nil || v != VersioningEnabled {
		t.Fatalf("a locked bucket's versioning: %q %v", v, err)
	}
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningSuspended); !errors.Is(err, ErrInvalidBucketState) {
		t.Fatalf("versioning suspended under Object Lock: %v", err)
	}
	until := time.Now().Add(time.Hour)
	cases := []struct {
		mode           RetentionMode
		bypassDeletes  bool
		shortenAllowed bool // with the bypass
	}{
		{RetentionCompliance, false, false},
		{RetentionGovernance, true, true},
	}
	for _, c := range cases {
		t.Run(string(c.mode), func(t *testing.T) {
			key := "k-" + string(c.mode)
			v := putLocked(t, n, key, &ObjectLock{Mode: c.mode, RetainUntil: until})
			info, err := n.HeadObject(ctx, "bkt", key, GetOptions{})
			if err != nil || info.Lock == nil || info.Lock.Mode != c.mode || !info.Lock.RetainUntil.Equal(until) {
				t.Fatalf("head: %+v %v", info.Lock, err)
			}
			if _, err := n.DeleteVersion(ctx, "bkt", key, v.VersionID, DeleteOptions{}); !errors.Is(err, ErrObjectLocked) {
				t.Fatalf("locked version deleted: %v", err)
			}
			// A delete without a version id leaves a marker: allowed.
			if r, err := n.DeleteVersion(ctx, "bkt", key, "", DeleteOptions{}); err != nil || !r.DeleteMarker {
				t.Fatalf("delete marker: %+v %v", r, err)
			}
			if err := n.PutObjectRetention(ctx, "bkt", key, v.VersionID, c.mode, until.Add(-time.Minute), false); !errors.Is(err, ErrObjectLocked) {
				t.Fatalf("retention shortened without bypass: %v", err)
			}
			err = n.PutObjectRetention(ctx, "bkt", key, v.VersionID, c.mode, until.Add(-time.Minute), true)
			if (err == nil) != c.shortenAllowed {
				t.Fatalf("retention shortened with bypass: %v", err)
			}
			if err := n.PutObjectRetention(ctx, "bkt", key, v.VersionID, c.mode, until.Add(time.Hour), false); err != nil {
				t.Fatalf("retention extended: %v", err)
			}
			_, err = n.DeleteVersion(ctx, "bkt", key, v.VersionID, DeleteOptions{BypassGovernance: true})
			if (err == nil) != c.bypassDeletes {
				t.Fatalf("delete with bypass: %v", err)
			}
			if c.bypassDeletes {
				return
			}
			advance(3 * time.Hour)
			defer advance(-3 * time.Hour)
			if _, err := n.DeleteVersion(ctx, "bkt", key, v.VersionID, DeleteOptions{}); err != nil {
				t.Fatalf("expired retention still locks: %v", err)
			}
		})
	}
}

func TestObjectLockLegalHoldAndDefaults(t *testing.T) {
	ctx := context.Background()
	n, _ := lockedBucket(t)
	v := putLocked(t, n, "held", &ObjectLock{LegalHold: true})
	if _, err := n.DeleteVersion(ctx, "bkt", "held", v.VersionID, DeleteOptions{BypassGovernance: true}); !errors.Is(err, ErrObjectLocked) {
		t.Fatalf("held version deleted: %v", err)
	}
	if err := n.PutObjectLegalHold(ctx, "bkt", "held", v.VersionID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := n.DeleteVersion(ctx, "bkt", "held", v.VersionID, DeleteOptions{}); err != nil {
		t.Fatalf("released version: %v", err)
	}
	if err := n.PutObjectLockConfiguration(ctx, "bkt", LockConfig{Enabled: true, Mode: RetentionGovernance, Days: 1}); err != nil {
		t.Fatal(err)
	}
	d := putLocked(t, n, "defaulted", nil)
	l, err := n.GetObjectLock(ctx, "bkt", "defaulted", d.VersionID)
	if err != nil || l.Mode != RetentionGovernance || l.RetainUntil.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("default retention: %+v %v", l, err)
	}
	// Multipart: the lock asked for at the start applies at the end.
	id, err := n.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{Lock: &ObjectLock{LegalHold: true}})
	if err != nil {
		t.Fatal(err)
	}
	etag, err := n.UploadPart(ctx, "bkt", "mp", id, 1, bytes.NewReader([]byte("part")), 4)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, []CompletedPart{{Number: 1, ETag: etag}}, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if l, err := n.GetObjectLock(ctx, "bkt", "mp", mp.VersionID); err != nil || !l.LegalHold {
		t.Fatalf("multipart lock: %+v %v", l, err)
	}
}

func TestObjectLockNeedsConfiguration(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	_, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader(nil), 0, PutOptions{Lock: &ObjectLock{LegalHold: true}})
	if !errors.Is(err, ErrNoLockConfig) {
		t.Fatalf("a lock in a bucket without Object Lock: %v", err)
	}
	if _, err := n.HeadObject(ctx, "bkt", "k", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("the refused write stored something: %v", err)
	}
	if _, err := n.GetObjectLockConfiguration(ctx, "bkt"); !errors.Is(err, ErrNoLockConfig) {
		t.Fatalf("configuration of an unlocked bucket: %v", err)
	}
	if err := n.PutObjectLockConfiguration(ctx, "bkt", LockConfig{Enabled: true}); err != nil {
		t.Fatalf("enabling Object Lock on a versioned bucket: %v", err)
	}
	f := newFixture(t)
	plain := f.user(t, "bob")
	mustBucket(t, plain, "bob-bucket")
	if err := plain.PutObjectLockConfiguration(ctx, "bob-bucket", LockConfig{Enabled: true}); !errors.Is(err, ErrInvalidBucketState) {
		t.Fatalf("Object Lock without versioning: %v", err)
	}
}
