package gateway

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestHeadFolder(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	mustBucket(t, n, "bkt")
	put(t, n, "bkt", "marked/", nil, nil)
	put(t, n, "bkt", "implicit/deep/file", []byte("x"), nil)
	for i := range 50 {
		put(t, n, "bkt", fmt.Sprintf("big/%03d", i), nil, nil)
	}
	cases := []struct {
		prefix string
		marker bool
		err    error
	}{{"marked/", true, nil}, {"implicit/", false, nil}, {"implicit/deep/", false, nil}, {"big/", false, nil},
		{"absent/", false, ErrNoSuchKey}, {"implicit", false, ErrInvalidArgument}}
	for _, c := range cases {
		before := f.store.lists.Load()
		fi, err := n.HeadFolder(ctx, "bkt", c.prefix)
		if !errors.Is(err, c.err) || (err == nil && fi.Marker != c.marker) {
			t.Fatalf("%q: %+v %v", c.prefix, fi, err)
		}
		if calls := f.store.lists.Load() - before; calls > 1 {
			t.Fatalf("%q: %d upstream listings", c.prefix, calls)
		}
	}
}
