package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// allUpstream returns every upstream object of a mem store.
func allUpstream(t *testing.T, f *fixture) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	opts := backends.ListOptions{}
	for {
		page, err := f.mem.List(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			rc, _, err := f.mem.Get(context.Background(), o.Key, 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			out[o.Key] = b
		}
		if page.NextToken == "" {
			return out
		}
		opts.Token = page.NextToken
	}
}

// TestUsersAreIsolated: three users with the same bucket and key names see
// only their own data, and nothing of one user can be named by another.
func TestUsersAreIsolated(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	users := []*userNS{f.user(t, "alice"), f.user(t, "bob"), f.user(t, "carol")}
	for i, n := range users[:2] {
		mustBucket(t, n, "shared-name")
		put(t, n, "shared-name", "secret.txt", []byte{byte('A' + i)}, nil)
	}
	if got, _ := get(t, users[1], "shared-name", "secret.txt", GetOptions{}); string(got) != "B" {
		t.Fatalf("bob reads %q", got)
	}
	carol := users[2]
	if _, err := carol.GetObject(ctx, "shared-name", "secret.txt", GetOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("carol reads another user's bucket: %v", err)
	}
	if _, err := carol.ListObjects(ctx, "shared-name", ListQuery{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("carol lists another user's bucket: %v", err)
	}
	if err := carol.DeleteObject(ctx, "shared-name", "secret.txt"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("carol deletes in another user's bucket: %v", err)
	}
	if _, err := carol.CopyObject(ctx, "shared-name", "secret.txt", "shared-name", "x", CopyOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("carol copies from another user's bucket: %v", err)
	}
	if bs, _ := carol.ListBuckets(ctx); len(bs) != 0 {
		t.Fatalf("carol sees buckets %+v", bs)
	}
	mustBucket(t, carol, "shared-name") // her own bucket of the same name
	if _, err := carol.GetObject(ctx, "shared-name", "secret.txt", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("carol's own bucket shows another user's object: %v", err)
	}
	if got, _ := get(t, users[0], "shared-name", "secret.txt", GetOptions{}); string(got) != "A" {
		t.Fatalf("alice's object changed: %q", got)
	}
}

// TestUpstreamHoldsNoPlaintext writes canary contents, names and metadata
// and searches every upstream byte and key for them.
func TestUpstreamHoldsNoPlaintext(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "canaryuser")
	ctx := context.Background()
	mustBucket(t, n, "canary-bucket")
	content := []byte("CANARY-CONTENT-" + strings.Repeat("z", 100))
	info := put(t, n, "canary-bucket", "CANARY-DIR/CANARY-NAME.txt", content, Meta{"x-amz-meta-canary": "CANARY-META", "content-type": "CANARY/TYPE"})
	id, _ := n.CreateMultipartUpload(ctx, "canary-bucket", "CANARY-MP", PutOptions{Meta: Meta{"x-amz-meta-m": "CANARY-MPMETA"}})
	_, _ = n.UploadPart(ctx, "canary-bucket", "CANARY-MP", id, 1, bytes.NewReader(content), int64(len(content)))
	canaries := []string{"CANARY", "canary", "canaryuser", info.ETag}
	for k, v := range allUpstream(t, f) {
		for _, c := range canaries {
			if strings.Contains(k, c) || bytes.Contains(v, []byte(c)) {
				t.Fatalf("upstream %q contains %q", k, c)
			}
		}
	}
}

// TestTamperedUpstreamFailsClosed: a flipped byte, a swapped object and a
// foreign name in the upstream each fail loudly, never as data.
func TestTamperedUpstreamFailsClosed(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	mustBucket(t, n, "bkt")
	small, large := []byte("small object"), bytes.Repeat([]byte("L"), 300000)
	put(t, n, "bkt", "small", small, nil)
	put(t, n, "bkt", "large", large, nil)
	up := func(k string) string { u, _ := n.objectKey("bkt", k); return u }
	store := allUpstream(t, f)
	overwrite := func(k string, b []byte) {
		if _, err := f.mem.Put(ctx, k, bytes.NewReader(b), int64(len(b)), backends.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Swap the two objects' bytes upstream.
	overwrite(up("small"), store[up("large")])
	if _, err := n.GetObject(ctx, "bkt", "small", GetOptions{}); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("swapped object: %v", err)
	}
	// Flip a byte deep in the large object: the open succeeds (header and
	// END intact) but reading the chunk fails.
	bad := append([]byte(nil), store[up("large")]...)
	bad[len(bad)/2] ^= 1
	overwrite(up("large"), bad)
	r, err := n.GetObject(ctx, "bkt", "large", GetOptions{})
	if err == nil {
		got, rerr := io.ReadAll(r.Body)
		if rerr == nil || !errors.Is(rerr, ErrIntegrity) || !bytes.HasPrefix(large, got) {
			t.Fatalf("tampered chunk: read %d bytes, err %v", len(got), rerr)
		}
	} else if !errors.Is(err, ErrIntegrity) {
		t.Fatalf("tampered chunk: %v", err)
	}
	// A name the user's key did not make is skipped and counted.
	before := f.svc.Stats().IntegrityFailures
	overwrite(n.bucketPrefix("bkt")+"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0", store[up("large")])
	res, err := n.ListObjects(ctx, "bkt", ListQuery{})
	if err != nil || len(res.Objects) > 2 || f.svc.Stats().IntegrityFailures == before {
		t.Fatalf("foreign name: %+v %v (failures %d)", res.Objects, err, f.svc.Stats().IntegrityFailures)
	}
}
