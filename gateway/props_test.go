package gateway

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestProps(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	mustBucket(t, n, "bkt")
	put(t, n, "bkt", "file.txt", []byte("data"), nil)
	before, _ := n.HeadObject(ctx, "bkt", "file.txt", GetOptions{})
	for _, key := range []string{"file.txt", "dir/", ""} {
		if p, err := n.GetProps(ctx, "bkt", key); err != nil || p != nil {
			t.Fatalf("%q: fresh props %q %v", key, p, err)
		}
		doc := []byte("<props of " + key + ">")
		if err := n.SetProps(ctx, "bkt", key, doc); err != nil {
			t.Fatal(err)
		}
		if p, err := n.GetProps(ctx, "bkt", key); err != nil || !bytes.Equal(p, doc) {
			t.Fatalf("%q: props %q %v", key, p, err)
		}
	}
	after, _ := n.HeadObject(ctx, "bkt", "file.txt", GetOptions{})
	if after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified) {
		t.Fatal("setting properties rewrote the object")
	}
	res, _ := n.ListObjects(ctx, "bkt", ListQuery{})
	if len(res.Objects) != 1 || len(res.CommonPrefixes) != 0 {
		t.Fatalf("properties visible in the S3 listing: %+v", res)
	}
	for k := range allUpstream(t, f) {
		if strings.Contains(k, "props of") {
			t.Fatalf("plaintext upstream: %q", k)
		}
	}
	if err := n.DeleteObject(ctx, "bkt", "file.txt"); err != nil {
		t.Fatal(err)
	}
	if p, _ := n.GetProps(ctx, "bkt", "file.txt"); p != nil {
		t.Fatal("properties survived their object")
	}
	if err := n.SetProps(ctx, "bkt", "x", make([]byte, MaxPropsBytes+1)); !errors.Is(err, ErrPropsTooLarge) {
		t.Fatalf("oversize props: %v", err)
	}
	if err := n.SetProps(ctx, "bkt", "dir/", nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := n.GetProps(ctx, "bkt", "dir/"); p != nil {
		t.Fatal("empty SetProps did not remove")
	}
	other := f.user(t, "bob")
	mustBucket(t, other, "bkt")
	if p, err := other.GetProps(ctx, "bkt", ""); p != nil || err != nil {
		t.Fatalf("another user sees props: %q %v", p, err)
	}
}
