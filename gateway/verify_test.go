package gateway

import (
	"bytes"
	"context"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

func TestVerify(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := f.user(t, "alice")
	mustBucket(t, n, "one")
	mustBucket(t, n, "two")
	for _, k := range []string{"a", "dir/b", "dir/c", "long/" + string(bytes.Repeat([]byte("x"), 200))} {
		put(t, n, "one", k, bytes.Repeat([]byte(k), 30000), nil)
	}
	put(t, n, "two", "small", []byte("x"), nil)
	acct := testAccount{n.user}
	rep, err := f.svc.Verify(ctx, acct, "", nil)
	if err != nil || rep.Objects != 5 || len(rep.Failures) != 0 {
		t.Fatalf("clean store: %+v %v", rep, err)
	}
	// Tamper: a chunk flipped, an object truncated, a foreign name.
	store := allUpstream(t, f)
	up := func(k string) string { u, _ := n.objectKey("one", k); return u }
	overwrite := func(k string, b []byte) {
		if _, err := f.mem.Put(ctx, k, bytes.NewReader(b), int64(len(b)), backends.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	flipped := append([]byte(nil), store[up("dir/b")]...)
	flipped[len(flipped)/2] ^= 1
	overwrite(up("dir/b"), flipped)
	overwrite(up("dir/c"), store[up("dir/c")][:len(store[up("dir/c")])-200])
	overwrite(n.bucketPrefix("one")+"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz0", store[up("a")])
	rep, err = f.svc.Verify(ctx, acct, "one", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Objects != 2 || rep.Failures["chunk"] != 1 || rep.Failures["end"]+rep.Failures["size"] != 1 || rep.Failures["name"] != 1 {
		t.Fatalf("tampered store: %+v", rep)
	}
}
