package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testConcurrency: parallel puts, gets, stats, lists and deletes of distinct
// and shared keys. Readers of the shared key must see one whole body, never
// a mix. Meant to run with -race.
func testConcurrency(t *testing.T, s backends.Store) {
	const workers, size = 8, 40 << 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for r := range ccRounds {
				if err := concurrentRound(t.Context(), s, w, r, size); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := listAll(t, s, backends.ListOptions{Prefix: "cc/own/"}, nil)
	if len(got) != workers {
		t.Fatalf("List(cc/own/) = %q; want %d keys", got, workers)
	}
}

// concurrentRound does one round of worker w's operations.
func concurrentRound(ctx context.Context, s backends.Store, w, r, size int) error {
	own := fmt.Sprintf("cc/own/%d", w)
	mine := uniform(size, byte(w*ccRounds+r))
	if _, err := s.Put(ctx, own, bytes.NewReader(mine), int64(size), backends.PutOptions{}); err != nil {
		return err
	}
	if _, err := s.Put(ctx, "cc/shared", bytes.NewReader(mine), -1, backends.PutOptions{}); err != nil {
		return err
	}
	if err := readUniform(ctx, s, "cc/shared", size, true); err != nil {
		return err
	}
	if err := readUniform(ctx, s, own, size, false); err != nil {
		return err
	}
	if _, err := s.List(ctx, backends.ListOptions{Prefix: "cc/", Delimiter: "/", Limit: 2}); err != nil {
		return err
	}
	if r%3 == 2 {
		return s.Delete(ctx, "cc/shared")
	}
	return nil
}

// ccRounds is how many rounds each worker of testConcurrency does.
const ccRounds = 8

// uniform is a body of one repeated byte: a torn read shows as two values.
func uniform(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }

// readUniform reads key and checks that it is one whole uniform body.
func readUniform(ctx context.Context, s backends.Store, key string, size int, mayBeGone bool) error {
	rc, info, err := s.Get(ctx, key, 0, -1)
	if mayBeGone && errors.Is(err, backends.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	switch {
	case err != nil:
		return err
	case len(b) != size || info.Size != int64(size):
		return fmt.Errorf("%s: read %d bytes, info size %d, want %d", key, len(b), info.Size, size)
	case !bytes.Equal(b, uniform(size, b[0])):
		return fmt.Errorf("%s: torn body mixes writes", key)
	}
	return nil
}
