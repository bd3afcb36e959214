package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// RunShared runs the cases for a store of which a second instance can be
// opened on the same data, as several gateway processes share one
// upstream (fs: a second Open of the root; s3: a second client on the same
// bucket and prefix). open returns two such instances on fresh, empty data;
// RunShared calls it once per case and closes nothing.
//
// The cases check that conditional puts are linearizable across the
// instances: read-modify-write increments of one counter with IfMatch,
// retried on ErrPreconditionFailed, lose no update; and of racing IfAbsent
// puts through both instances exactly one wins.
func RunShared(t *testing.T, open func(t *testing.T) (a, b backends.Store)) {
	cases := []struct {
		name string
		test func(t *testing.T, a, b backends.Store)
	}{
		{"SharedCounter", testSharedCounter},
		{"SharedIfAbsent", func(t *testing.T, a, b backends.Store) { raceIfAbsent(t, "xrace/", a, b) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, b := open(t)
			c.test(t, a, b)
		})
	}
}

// Shape of testSharedCounter: workers per instance, increments per worker,
// and the attempts one increment may take before the case gives up.
const (
	counterWorkers  = 2
	counterIncs     = 6
	counterAttempts = 200
)

// testSharedCounter: workers on both instances increment one counter by
// compare-and-swap; the final count must be the number of increments.
func testSharedCounter(t *testing.T, a, b backends.Store) {
	const key = "xcounter/n"
	putOpts(t, a, key, []byte("0"), backends.PutOptions{IfAbsent: true})
	var wg sync.WaitGroup
	errs := make(chan error, 2*counterWorkers)
	for i := range 2 * counterWorkers {
		s := []backends.Store{a, b}[i%2]
		wg.Go(func() {
			for range counterIncs {
				if _, err := Increment(t.Context(), s, key, counterAttempts); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	want := 2 * counterWorkers * counterIncs
	na, ia, errA := readCounter(t.Context(), a, key)
	nb, ib, errB := readCounter(t.Context(), b, key)
	switch {
	case errA != nil || errB != nil:
		t.Fatalf("read the counter: %v, %v", errA, errB)
	case na != want || nb != want:
		t.Fatalf("counter = %d (a), %d (b) after %d increments: updates lost", na, nb, want)
	case ia.ETag != ib.ETag:
		t.Fatalf("the instances read ETags %q and %q of one version", ia.ETag, ib.ETag)
	}
}

// Increment adds one to the decimal counter under key by compare-and-swap:
// it reads the counter and puts the next value with IfMatch, again while
// the put fails with ErrPreconditionFailed, at most attempts times. It
// returns the number of conflicts met. Tests of stores shared by several
// processes use it in each process.
func Increment(ctx context.Context, s backends.Store, key string, attempts int) (conflicts int, err error) {
	for range attempts {
		n, info, err := readCounter(ctx, s, key)
		if err != nil {
			return conflicts, err
		}
		next := []byte(strconv.Itoa(n + 1))
		_, err = s.Put(ctx, key, bytes.NewReader(next), int64(len(next)), backends.PutOptions{IfMatch: info.ETag})
		if !errors.Is(err, backends.ErrPreconditionFailed) {
			return conflicts, err
		}
		conflicts++
	}
	return conflicts, fmt.Errorf("increment %q: %d conflicts in a row", key, conflicts)
}

// readCounter reads the decimal counter under key with the ETag of the
// version read.
func readCounter(ctx context.Context, s backends.Store, key string) (int, backends.ObjectInfo, error) {
	rc, info, err := s.Get(ctx, key, 0, -1)
	if err != nil {
		return 0, info, err
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	if err != nil {
		return 0, info, err
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, info, fmt.Errorf("counter %q: %w", key, err)
	}
	return n, info, nil
}
