package storetest

import (
	"bytes"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testConditional: IfAbsent and IfMatch against absent, current and stale state.
func testConditional(t *testing.T, s backends.Store) {
	t.Run("IfAbsent", func(t *testing.T) {
		v1 := content(100, 1)
		info := putOpts(t, s, "cond/a", v1, backends.PutOptions{IfAbsent: true})
		_, err := s.Put(t.Context(), "cond/a", bytes.NewReader(content(100, 2)), 100, backends.PutOptions{IfAbsent: true})
		wantErr(t, "IfAbsent over an object", err, backends.ErrPreconditionFailed)
		checkObject(t, s, "cond/a", v1, info.ETag)
	})
	t.Run("IfMatch", func(t *testing.T) {
		v1, v2 := content(100, 1), content(100, 2)
		i1 := put(t, s, "cond/m", v1)
		i2 := putOpts(t, s, "cond/m", v2, backends.PutOptions{IfMatch: i1.ETag})
		if i2.ETag == i1.ETag {
			t.Fatalf("IfMatch put kept ETag %q", i1.ETag)
		}
		_, err := s.Put(t.Context(), "cond/m", bytes.NewReader(v1), 100, backends.PutOptions{IfMatch: i1.ETag})
		wantErr(t, "IfMatch with a stale ETag", err, backends.ErrPreconditionFailed)
		checkObject(t, s, "cond/m", v2, i2.ETag)
	})
	t.Run("IfMatchAbsent", func(t *testing.T) {
		live := put(t, s, "cond/live", content(10, 3))
		_, err := s.Put(t.Context(), "cond/none", bytes.NewReader(content(10, 4)), 10, backends.PutOptions{IfMatch: live.ETag})
		wantErr(t, "IfMatch on an absent key", err, backends.ErrPreconditionFailed)
		checkAbsent(t, s, "cond/none")
	})
	t.Run("IfMatchAfterDelete", func(t *testing.T) {
		info := put(t, s, "cond/d", content(10, 5))
		if err := s.Delete(t.Context(), "cond/d"); err != nil {
			t.Fatal(err)
		}
		_, err := s.Put(t.Context(), "cond/d", bytes.NewReader(content(10, 6)), 10, backends.PutOptions{IfMatch: info.ETag})
		wantErr(t, "IfMatch after delete", err, backends.ErrPreconditionFailed)
		checkAbsent(t, s, "cond/d")
		putOpts(t, s, "cond/d", content(10, 6), backends.PutOptions{IfAbsent: true})
	})
}

// testConcurrentIfAbsent: of 8 racing IfAbsent puts of one key, exactly one wins
// and its body is what is stored. Small bodies keep the racers' commits close
// together, so a store that checks and commits without a lock is caught.
func testConcurrentIfAbsent(t *testing.T, s backends.Store) {
	raceIfAbsent(t, "race/", s)
}

// raceIfAbsent races 8 IfAbsent puts of one key for 12 rounds, racer i
// using stores[i%len(stores)], and checks that exactly one wins and that
// every store then reads the winner's body.
func raceIfAbsent(t *testing.T, prefix string, stores ...backends.Store) {
	const racers, size = 8, 16
	for round := range 12 {
		key := prefix + strconv.Itoa(round)
		errs := make([]error, racers)
		infos := make([]backends.ObjectInfo, racers)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range racers {
			done.Go(func() {
				start.Wait()
				data := content(size, byte(i))
				s := stores[i%len(stores)]
				infos[i], errs[i] = s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), backends.PutOptions{IfAbsent: true})
			})
		}
		start.Done()
		done.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: racers %d and %d both won", round, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, backends.ErrPreconditionFailed):
				t.Fatalf("round %d: racer %d: %v", round, i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no racer won", round)
		}
		for _, s := range stores {
			checkObject(t, s, key, content(size, byte(winner)), infos[winner].ETag)
		}
	}
}
