package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// TestCustomerKeyMultipart: a multipart upload with a customer key needs
// it on every part (copied ones too) and on the Complete; the object opens
// with it only.
func TestCustomerKeyMultipart(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	var key, other [32]byte
	copy(key[:], "0123456789abcdef0123456789abcdef")
	copy(other[:], "fedcba9876543210fedcba9876543210")
	id, err := n.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{CustomerKey: &key})
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := bytes.Repeat([]byte("a"), minPartSize), []byte("the end")
	part := func(num int, body []byte, k *[32]byte) (PartInfo, error) {
		return n.UploadPartChecked(ctx, "bkt", "mp", id, num, bytes.NewReader(body), int64(len(body)), PartOptions{CustomerKey: k})
	}
	if _, err := part(1, p1, nil); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("part without the key: %v", err)
	}
	if _, err := part(1, p1, &other); !errors.Is(err, ErrCustomerKeyMismatch) {
		t.Fatalf("part with another key: %v", err)
	}
	i1, err := part(1, p1, &key)
	if err != nil {
		t.Fatal(err)
	}
	// Part 2 is copied from an object under another customer key: the
	// copy needs the source's key to read and the upload's to seal.
	if _, err := n.PutObject(ctx, "bkt", "src", bytes.NewReader(p2), int64(len(p2)), PutOptions{CustomerKey: &other}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.UploadPartCopy(ctx, "bkt", "mp", id, 2, "bkt", "src", GetOptions{CustomerKey: &other}, nil); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("copied part without the upload's key: %v", err)
	}
	if _, err := n.UploadPartCopy(ctx, "bkt", "mp", id, 2, "bkt", "src", GetOptions{}, &key); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("copied part without the source's key: %v", err)
	}
	i2, err := n.UploadPartCopy(ctx, "bkt", "mp", id, 2, "bkt", "src", GetOptions{CustomerKey: &other}, &key)
	if err != nil {
		t.Fatal(err)
	}
	parts := []CompletedPart{{Number: 1, ETag: i1.ETag}, {Number: 2, ETag: i2.ETag}}
	if _, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, parts, PutOptions{}); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("complete without the key: %v", err)
	}
	info, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, parts, PutOptions{CustomerKey: &key})
	if err != nil || info.CustomerKeyMD5 != customerKeyMD5(&key) {
		t.Fatalf("complete: %+v %v", info, err)
	}
	if _, err := n.GetObject(ctx, "bkt", "mp", GetOptions{}); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("read without the key: %v", err)
	}
	r, err := n.GetObject(ctx, "bkt", "mp", GetOptions{CustomerKey: &key})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil || !bytes.Equal(got, append(append([]byte(nil), p1...), p2...)) {
		t.Fatalf("read back: %d bytes, %v", len(got), err)
	}
	plain, err := n.CreateMultipartUpload(ctx, "bkt", "plain", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.UploadPartChecked(ctx, "bkt", "plain", plain, 1, bytes.NewReader(p2), int64(len(p2)), PartOptions{CustomerKey: &key}); !errors.Is(err, ErrCustomerKeyNotApplicable) {
		t.Fatalf("a key on a plain upload's part: %v", err)
	}
}
