package gateway

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// heldPutStore holds the Puts of keys under .../data/ (object bodies, not
// records) until released, so that a Complete can be caught in flight.
type heldPutStore struct {
	*countingStore
	hold    atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (h *heldPutStore) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if h.hold.Load() && !strings.HasPrefix(key, ".sealgate/") && h.hold.CompareAndSwap(true, false) {
		close(h.entered)
		<-h.release
	}
	return h.countingStore.Put(ctx, key, r, size, o)
}

func withHeldPuts(t *testing.T) (*userNS, *heldPutStore) {
	t.Helper()
	var h *heldPutStore
	n, _ := aliceOver(t, func(c *countingStore) backends.Store {
		h = &heldPutStore{countingStore: c, entered: make(chan struct{}), release: make(chan struct{})}
		return h
	})
	return n, h
}

// TestCompleteOutlivesItsCaller: a Complete whose caller goes away (its
// context ends) still completes the object, as S3's does; and a Complete
// of the same upload id for another key, arriving meanwhile, does not
// share its success.
func TestCompleteOutlivesItsCaller(t *testing.T) {
	n, h := withHeldPuts(t)
	mustBucket(t, n, "other")
	all, id, parts := upload(t, n, "k", []int{5 * mib, 10}, nil)
	h.hold.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := n.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
		first <- err
	}()
	<-h.entered
	cancel() // the client is gone
	other := make(chan error, 1)
	go func() {
		_, err := n.CompleteMultipartUpload(context.Background(), "other", "k", id, parts, PutOptions{})
		other <- err
	}()
	select {
	case err := <-other:
		if !errors.Is(err, ErrNoSuchUpload) {
			t.Errorf("Complete of the same id for another bucket during the flight: %v, want ErrNoSuchUpload", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("a Complete of the same id for another bucket joined the first one's flight")
	}
	close(h.release)
	if err := <-first; err != nil {
		t.Fatalf("the abandoned Complete: %v", err)
	}
	if got, _ := get(t, n, "bkt", "k", GetOptions{}); len(got) != len(all) {
		t.Fatalf("object has %d bytes, want %d", len(got), len(all))
	}
}

// brokenBodyStore fails Get bodies of objects (keys under a bucket's
// prefix, not records) as a dropped upstream connection does: an error
// wrapping both io.ErrUnexpectedEOF and ErrUnavailable.
type brokenBodyStore struct{ *countingStore }

func (b brokenBodyStore) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	rc, info, err := b.countingStore.Get(ctx, key, off, n)
	if err != nil || strings.HasPrefix(key, ".sealgate/") || strings.Count(key, "/") < 2 {
		return rc, info, err
	}
	_ = rc.Close()
	return io.NopCloser(io.MultiReader(strings.NewReader("partial"), errReader{})), info, nil
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) {
	return 0, errors.Join(io.ErrUnexpectedEOF, backends.ErrUnavailable)
}

// TestDroppedUpstreamIsNotTampering: a small object whose upstream read
// breaks off is ErrUnavailable for HEAD and fails a cold listing, never an
// integrity failure (nor an object silently dropped from the listing).
func TestDroppedUpstreamIsNotTampering(t *testing.T) {
	n, svc := aliceOver(t, func(c *countingStore) backends.Store { return brokenBodyStore{c} })
	put(t, n, "bkt", "k", []byte("small"), nil)
	svc.meta.Purge()
	if _, err := n.HeadObject(context.Background(), "bkt", "k", GetOptions{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("HEAD = %v, want ErrUnavailable", err)
	}
	svc.meta.Purge()
	if _, err := n.ListObjects(context.Background(), "bkt", ListQuery{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("cold LIST = %v, want ErrUnavailable", err)
	}
	if f := svc.Stats().IntegrityFailures; f != 0 {
		t.Errorf("%d integrity failures counted for a dropped connection", f)
	}
}
