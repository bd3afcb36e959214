package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

func TestCustomerKeys(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	var key, other [32]byte
	copy(key[:], "0123456789abcdef0123456789abcdef")
	copy(other[:], "fedcba9876543210fedcba9876543210")
	data := bytes.Repeat([]byte("secret "), 20000) // several chunks
	info, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader(data), int64(len(data)), PutOptions{CustomerKey: &key})
	if err != nil || info.CustomerKeyMD5 == "" {
		t.Fatalf("put: %+v %v", info, err)
	}
	read := func(k *[32]byte) ([]byte, error) {
		r, err := n.GetObject(ctx, "bkt", "k", GetOptions{CustomerKey: k})
		if err != nil {
			return nil, err
		}
		defer func() { _ = r.Body.Close() }()
		return io.ReadAll(r.Body)
	}
	if got, err := read(&key); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("with the key: %v", err)
	}
	for _, c := range []struct {
		key  *[32]byte
		want error
	}{{nil, ErrCustomerKeyRequired}, {&other, ErrCustomerKeyMismatch}} {
		if _, err := read(c.key); !errors.Is(err, c.want) {
			t.Fatalf("read: %v, want %v", err, c.want)
		}
		if _, err := n.HeadObject(ctx, "bkt", "k", GetOptions{CustomerKey: c.key}); !errors.Is(err, c.want) {
			t.Fatalf("head: %v, want %v", err, c.want)
		}
	}
	if n.svc.Stats().IntegrityFailures != 0 {
		t.Fatalf("a wrong key counted as an integrity failure")
	}
	put(t, n, "bkt", "plain", []byte("x"), nil)
	if _, err := n.HeadObject(ctx, "bkt", "plain", GetOptions{CustomerKey: &key}); !errors.Is(err, ErrCustomerKeyNotApplicable) {
		t.Fatalf("a key for a plain object: %v", err)
	}
	// Listings need no key; a copy needs the source's and may set its own.
	if l, err := n.ListObjects(ctx, "bkt", ListQuery{}); err != nil || len(l.Objects) != 2 || l.Objects[0].Size != int64(len(data)) {
		t.Fatalf("listing: %+v %v", l, err)
	}
	if _, err := n.CopyObject(ctx, "bkt", "k", "bkt", "copy", CopyOptions{}); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("copy without the source key: %v", err)
	}
	if _, err := n.CopyObject(ctx, "bkt", "k", "bkt", "copy", CopyOptions{Source: GetOptions{CustomerKey: &key}, CustomerKey: &other}); err != nil {
		t.Fatal(err)
	}
}
