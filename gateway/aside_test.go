package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// asideStore runs hook before each write of a noncurrent version (the
// copy that sets the current version aside; the fixtures' mem store has
// no backends.Copier, so it is a Put). The versioned write itself goes
// through the fixture's PutGated.
type asideStore struct {
	*countingStore
	hook func(ctx context.Context) error
}

func (s asideStore) Put(ctx context.Context, k string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if strings.HasPrefix(k, versionsRoot) {
		if err := s.hook(ctx); err != nil {
			return backends.ObjectInfo{}, err
		}
	}
	return s.countingStore.Put(ctx, k, r, size, o)
}

// TestAsideBeforeCommit: a versioned overwrite commits the new version
// only once the old one is set aside, although the two run at once; a
// set-aside that fails fails the write, which then changes nothing.
func TestAsideBeforeCommit(t *testing.T) {
	ctx := context.Background()
	var n *userNS
	var replacedEarly atomic.Bool
	slow := func(ctx context.Context) error {
		time.Sleep(50 * time.Millisecond) // the new version's body is stored meanwhile
		if got, err := currentBody(ctx, n, "k"); err != nil || got != "one" {
			replacedEarly.Store(true)
		}
		return nil
	}
	failing := func(context.Context) error { return fmt.Errorf("copy: %w", backends.ErrPreconditionFailed) }
	var hook func(ctx context.Context) error
	n, _ = aliceOver(t, func(cs *countingStore) backends.Store {
		return asideStore{cs, func(ctx context.Context) error { return hook(ctx) }}
	})
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)

	hook = failing
	if _, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("two"), 3, PutOptions{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("write with a failing set-aside: %v, want ErrConflict", err)
	}
	if got, err := getVersion(t, n, "k", ""); err != nil || got != "one" {
		t.Fatalf("after the failed write: current %q %v, want one", got, err)
	}
	if got := versionsOf(t, n, VersionQuery{}); fmt.Sprint(got) != fmt.Sprint([]string{"k@" + v1.VersionID + "!"}) {
		t.Fatalf("after the failed write: versions %v", got)
	}

	hook = slow
	v2 := put(t, n, "bkt", "k", []byte("two"), nil)
	if replacedEarly.Load() {
		t.Fatal("the new version was current before the old one was set aside")
	}
	want := []string{"k@" + v2.VersionID + "!", "k@" + v1.VersionID}
	if got := versionsOf(t, n, VersionQuery{}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
}

// currentBody reads the current version of key in bucket "bkt".
func currentBody(ctx context.Context, n *userNS, key string) (string, error) {
	r, err := n.GetObject(ctx, "bkt", key, GetOptions{})
	if err != nil {
		return "", err
	}
	defer func() { _ = r.Body.Close() }()
	b, err := io.ReadAll(r.Body)
	return string(b), err
}
