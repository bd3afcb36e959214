package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// TestBucketDeleteRandomized races writers and a deleter over two Services
// on one store, round after round on a fresh bucket: writers PUT new keys
// through either gateway, the deleter deletes the bucket through either and
// creates it again whenever that succeeded. Keys are never deleted, so an
// acknowledged PUT makes its bucket undeletable. At the end of each round
// the bucket (created again after its last deletion) holds exactly the
// acknowledged keys, with their content: a PUT that answered
// ErrNoSuchBucket left nothing behind, in the upstream either.
func TestBucketDeleteRandomized(t *testing.T) {
	rounds := 30
	if raceEnabled || testing.Short() {
		rounds = 10
	}
	for _, up := range upstreams {
		t.Run(up.name, func(t *testing.T) {
			st := up.open(t)
			gw := gateways(t, st, 2)
			seed := rand.Uint64()
			rng := rand.New(rand.NewPCG(seed, 0))
			t.Logf("seed %d", seed)
			for r := range rounds {
				bucket := fmt.Sprintf("r%03d", r)
				mustBucket(t, gw[r%2], bucket)
				acked, deletes := raceRound(t, gw, bucket, rng.Uint64())
				checkRound(t, gw[rng.IntN(2)], bucket, acked, deletes)
			}
		})
	}
}

// raceRound runs one round and returns the acknowledged keys and the
// number of successful DeleteBuckets.
func raceRound(t *testing.T, gw []*userNS, bucket string, seed uint64) (map[string]bool, int) {
	ctx := context.Background()
	var mu sync.Mutex
	acked := map[string]bool{}
	deletes := 0
	var wg sync.WaitGroup
	for w := range 3 {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			for i := range 4 {
				k := fmt.Sprintf("w%d-%d", w, i)
				_, err := gw[rng.IntN(2)].PutObject(ctx, bucket, k, bytes.NewReader([]byte(k)), int64(len(k)), PutOptions{})
				switch {
				case err == nil:
					mu.Lock()
					acked[k] = true
					mu.Unlock()
				case !errors.Is(err, ErrNoSuchBucket):
					t.Errorf("PUT %s: %v", k, err)
				}
			}
		})
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	wg.Go(func() {
		for range 6 {
			err := gw[rng.IntN(2)].DeleteBucket(ctx, bucket)
			switch {
			case err == nil:
				mu.Lock()
				deletes++
				mu.Unlock()
				if err := gw[rng.IntN(2)].CreateBucket(ctx, bucket); err != nil {
					t.Errorf("re-create: %v", err)
				}
			case !errors.Is(err, ErrBucketNotEmpty):
				t.Errorf("DeleteBucket: %v", err)
			}
		}
	})
	wg.Wait()
	return acked, deletes
}

// checkRound checks the invariants of a round's end state through n.
func checkRound(t *testing.T, n *userNS, bucket string, acked map[string]bool, deletes int) {
	t.Helper()
	ctx := context.Background()
	rec, err := n.readBucket(ctx, bucket)
	if err != nil || rec.phase != bucketLive {
		t.Fatalf("%s: record %v, %v; want live (the deleter re-creates it)", bucket, rec.phase, err)
	}
	var want []string
	for k := range acked {
		want = append(want, k)
	}
	slices.Sort(want)
	listed := listedETags(t, n, bucket, ListQuery{})
	got := slices.Sorted(func(yield func(string) bool) {
		for k := range listed {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(got, want) {
		t.Fatalf("%s (%d deletes): bucket holds %q, acknowledged %q", bucket, deletes, got, want)
	}
	if up := upstreamUnder(t, n.svc.store, n.bucketPrefix(bucket)); len(up) != len(want) {
		t.Fatalf("%s: %d upstream objects for %d acknowledged keys", bucket, len(up), len(want))
	}
	for _, k := range want {
		if data, _ := get(t, n, bucket, k, GetOptions{}); string(data) != k {
			t.Fatalf("%s/%s reads %q", bucket, k, data)
		}
	}
}
