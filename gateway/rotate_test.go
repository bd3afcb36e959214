package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestRotateReencryptDrop: after a rotation, re-encryption moves every
// object to the new epoch with the same bytes, ETag, metadata and time;
// then the old epoch can be dropped and nothing becomes unreadable.
func TestRotateReencryptDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	data := bytes.Repeat([]byte("epoch one "), 20000)
	single := put(t, n, "bkt", "single", data, Meta{"x-amz-meta-k": "v"})
	all, id, parts := upload(t, n, "multi", []int{5 * mib, 10}, nil)
	multi, err := n.CompleteMultipartUpload(ctx, "bkt", "multi", id, parts, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.user.Rotate(); err != nil { // as Accounts.Rotate does in the keystore
		t.Fatal(err)
	}
	acct := testAccount{n.user}
	rep, err := f.svc.Reencrypt(ctx, acct, nil)
	if err != nil || rep.Objects != 2 || len(rep.Remaining) != 0 {
		t.Fatalf("reencrypt: %+v %v", rep, err)
	}
	again, _ := f.svc.Reencrypt(ctx, acct, nil)
	if again.Objects != 0 {
		t.Fatalf("second run re-sealed %d objects", again.Objects)
	}
	if err := n.user.DropEpoch(1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  string
		want []byte
		info ObjectInfo
	}{{"single", data, single}, {"multi", all, multi}} {
		got, r := get(t, n, "bkt", c.key, GetOptions{})
		if !bytes.Equal(got, c.want) || r.Info.ETag != c.info.ETag || !r.Info.LastModified.Equal(c.info.LastModified) {
			t.Fatalf("%s after rotation: %d bytes, %+v (was %+v)", c.key, len(got), r.Info, c.info)
		}
	}
	if h, _ := n.HeadObject(ctx, "bkt", "single", GetOptions{}); h.Meta["x-amz-meta-k"] != "v" {
		t.Fatal("metadata lost")
	}
	// An upload begun under the old epoch keeps it alive (counted).
	n2 := f.user(t, "bob")
	mustBucket(t, n2, "bkt")
	_, _, _ = upload(t, n2, "pending", []int{100}, nil)
	_, _ = n2.user.Rotate()
	rep, _ = f.svc.Reencrypt(ctx, testAccount{n2.user}, nil)
	if rep.Remaining[1] != 1 {
		t.Fatalf("pending upload on the old epoch not counted: %+v", rep)
	}
	if err := n2.user.DropEpoch(n2.user.CurrentEpoch); err == nil {
		t.Fatal("dropping the current epoch must fail")
	}
}

// unavailableStore fails every read under prefix, as an upstream outage.
type unavailableStore struct {
	*countingStore
	prefix string
}

func (u unavailableStore) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if strings.HasPrefix(key, u.prefix) {
		return nil, backends.ObjectInfo{}, fmt.Errorf("get %q: %w", key, backends.ErrUnavailable)
	}
	return u.countingStore.Get(ctx, key, off, n)
}

// TestReencryptStopsOnOutage: an object that cannot be read because the
// upstream is down must not be passed over, or its epoch would be dropped
// while it still needs it.
func TestReencryptStopsOnOutage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	put(t, n, "bkt", "obj", bytes.Repeat([]byte("x"), 100), nil)
	if _, err := n.user.Rotate(); err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(Config{Store: unavailableStore{f.store, n.bucketPrefix("bkt")}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Reencrypt(ctx, testAccount{n.user}, nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("reencrypt during an outage: %+v, %v; want ErrUnavailable", rep, err)
	}
}
