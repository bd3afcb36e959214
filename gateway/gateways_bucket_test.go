package gateway

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
)

// TestBucketDeletedThroughAnotherGateway: once gateway A deleted a bucket,
// every operation of gateway B on it answers ErrNoSuchBucket, although B
// used the bucket just before, and nothing is left upstream; B can create
// it again, empty, and A sees that at once.
func TestBucketDeletedThroughAnotherGateway(t *testing.T) {
	ctx := context.Background()
	ops := []struct {
		name string
		do   func(b *userNS) error
	}{
		{"HeadBucket", func(b *userNS) error { _, err := b.HeadBucket(ctx, "bkt"); return err }},
		{"PutObject", func(b *userNS) error {
			_, err := b.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("x")), 1, PutOptions{})
			return err
		}},
		{"folder marker", func(b *userNS) error {
			_, err := b.PutObject(ctx, "bkt", "dir/", bytes.NewReader(nil), 0, PutOptions{})
			return err
		}},
		{"CopyObject", func(b *userNS) error {
			_, err := b.CopyObject(ctx, "src", "s", "bkt", "k", CopyOptions{})
			return err
		}},
		{"CreateMultipartUpload", func(b *userNS) error { _, err := b.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{}); return err }},
		{"SetProps", func(b *userNS) error { return b.SetProps(ctx, "bkt", "", []byte("p")) }},
		{"GetObject", func(b *userNS) error { _, err := b.GetObject(ctx, "bkt", "gone", GetOptions{}); return err }},
		{"HeadObject", func(b *userNS) error { _, err := b.HeadObject(ctx, "bkt", "gone", GetOptions{}); return err }},
		{"HeadFolder", func(b *userNS) error { _, err := b.HeadFolder(ctx, "bkt", "dir/"); return err }},
		{"DeleteObject", func(b *userNS) error { return b.DeleteObject(ctx, "bkt", "gone") }},
		{"DeleteObjects", func(b *userNS) error {
			return b.DeleteObjects(ctx, "bkt", []ObjectVersion{{Key: "gone"}}, DeleteOptions{})[0].Err
		}},
		{"ListObjects", func(b *userNS) error { _, err := b.ListObjects(ctx, "bkt", ListQuery{}); return err }},
		{"ListMultipartUploads", func(b *userNS) error { _, _, err := b.ListMultipartUploads(ctx, "bkt", "", "", "", 0); return err }},
		{"DeleteBucket", func(b *userNS) error { return b.DeleteBucket(ctx, "bkt") }},
	}
	for _, up := range upstreams {
		t.Run(up.name, func(t *testing.T) {
			st := up.open(t)
			gw := gateways(t, st, 2)
			a, b := gw[0], gw[1]
			mustBucket(t, b, "src")
			put(t, b, "src", "s", []byte("source"), nil)
			put(t, b, "bkt", "gone", []byte("x"), nil) // B knows the bucket well
			listedETags(t, b, "bkt", ListQuery{})
			if err := b.DeleteObject(ctx, "bkt", "gone"); err != nil {
				t.Fatal(err)
			}
			if err := a.DeleteBucket(ctx, "bkt"); err != nil {
				t.Fatal(err)
			}
			for _, op := range ops {
				if err := op.do(b); !errors.Is(err, ErrNoSuchBucket) {
					t.Errorf("%s on B after A deleted the bucket: %v, want ErrNoSuchBucket", op.name, err)
				}
			}
			if left := upstreamUnder(t, st, b.bucketPrefix("bkt")); len(left) != 0 {
				t.Fatalf("left upstream: %q", left)
			}
			if bs, _ := b.ListBuckets(ctx); len(bs) != 1 || bs[0].Name != "src" {
				t.Fatalf("ListBuckets after the delete: %+v", bs)
			}
			mustBucket(t, b, "bkt")
			if _, err := a.HeadBucket(ctx, "bkt"); err != nil {
				t.Fatalf("bucket re-created on B, HEAD on A: %v", err)
			}
			if p, err := a.GetProps(ctx, "bkt", ""); err != nil || p != nil {
				t.Fatalf("re-created bucket has properties %q, %v", p, err)
			}
			if keys := listedETags(t, a, "bkt", ListQuery{}); len(keys) != 0 {
				t.Fatalf("re-created bucket lists %v", keys)
			}
		})
	}
}

// TestBucketCreatedThroughAnotherGateway: a bucket B found absent is
// usable on B as soon as A created it (absence is never cached).
func TestBucketCreatedThroughAnotherGateway(t *testing.T) {
	gw := gateways(t, mem.New(), 2)
	a, b := gw[0], gw[1]
	ctx := context.Background()
	if _, err := b.HeadBucket(ctx, "new"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "new", "k", bytes.NewReader(nil), 0, PutOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatal(err)
	}
	mustBucket(t, a, "new")
	put(t, b, "new", "k", []byte("x"), nil)
	if err := b.CreateBucket(ctx, "new"); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("CreateBucket of an existing bucket: %v", err)
	}
}

// TestBucketCrashedDelete: a DeleteBucket that stopped after marking the
// record "deleting" leaves a bucket that works for everyone; a write makes
// it live again, and the next DeleteBucket takes the mark over.
func TestBucketCrashedDelete(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		write bool
	}{{"then a write", true}, {"then a delete", false}} {
		t.Run(tc.name, func(t *testing.T) {
			gw := gateways(t, mem.New(), 2)
			a, b := gw[0], gw[1]
			put(t, a, "bkt", "k", []byte("x"), nil)
			rec, err := a.readBucket(ctx, "bkt")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.swapBucket(ctx, "bkt", rec, bucketDeleting, rec.created); err != nil { // D2, then A stops
				t.Fatal(err)
			}
			if _, err := b.HeadBucket(ctx, "bkt"); err != nil {
				t.Fatalf("HEAD of a bucket being deleted: %v", err)
			}
			if got, _ := get(t, b, "bkt", "k", GetOptions{}); string(got) != "x" {
				t.Fatal("GET in a bucket being deleted")
			}
			if tc.write {
				put(t, b, "bkt", "k2", []byte("y"), nil)
				if rec, _ := b.readBucket(ctx, "bkt"); rec.phase != bucketLive {
					t.Fatalf("a write left the record %v, want live", rec.phase)
				}
			}
			if err := b.DeleteBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotEmpty) {
				t.Fatalf("DeleteBucket of a non-empty bucket: %v", err)
			}
			for _, k := range []string{"k", "k2"} {
				if err := b.DeleteObject(ctx, "bkt", k); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.DeleteBucket(ctx, "bkt"); err != nil {
				t.Fatalf("DeleteBucket of the emptied bucket: %v", err)
			}
			if _, err := a.HeadBucket(ctx, "bkt"); !errors.Is(err, ErrNoSuchBucket) {
				t.Fatal(err)
			}
		})
	}
}

// TestUploadOfRecreatedBucket: a multipart upload of a bucket that was
// deleted and created again does not continue in the new bucket.
func TestUploadOfRecreatedBucket(t *testing.T) {
	gw := gateways(t, mem.New(), 2)
	a, b := gw[0], gw[1]
	ctx := context.Background()
	id, err := a.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	etag, err := a.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader([]byte("part")), 4)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeleteBucket(ctx, "bkt"); err != nil { // uploads do not keep a bucket
		t.Fatal(err)
	}
	if _, err := a.UploadPart(ctx, "bkt", "k", id, 2, bytes.NewReader([]byte("p")), 1); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("UploadPart into a deleted bucket: %v", err)
	}
	mustBucket(t, b, "bkt")
	for name, err := range map[string]error{
		"UploadPart": func() error {
			_, err := a.UploadPart(ctx, "bkt", "k", id, 2, bytes.NewReader([]byte("p")), 1)
			return err
		}(),
		"Complete": func() error {
			_, err := a.CompleteMultipartUpload(ctx, "bkt", "k", id, []CompletedPart{{Number: 1, ETag: etag}}, PutOptions{})
			return err
		}(),
		"ListParts": func() error { _, err := a.ListParts(ctx, "bkt", "k", id, 0, 0); return err }(),
	} {
		if !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("%s of an upload of the deleted bucket: %v, want ErrNoSuchUpload", name, err)
		}
	}
	if _, err := a.HeadObject(ctx, "bkt", "k", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("the old upload made an object: %v", err)
	}
}
