package s3

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestConditionalCopyRace: of 8 racing IfAbsent copies onto one key,
// exactly one wins and its source is what is stored. versitygw and MinIO
// ignore conditions on CopyObject, so this holds only if the condition is
// checked by the upstream at the final request, not by a HEAD before it.
func TestConditionalCopyRace(t *testing.T) {
	forEachServer(t, func(t *testing.T, u *upstream) {
		s := u.store(t, nil)
		const racers = 8
		for i := range racers {
			mustPut(t, s, fmt.Sprintf("src/%d", i), []byte{byte(i)}, backends.PutOptions{})
		}
		for round := range 6 {
			dst := fmt.Sprintf("dst/%d", round)
			errs := make([]error, racers)
			var start, done sync.WaitGroup
			start.Add(1)
			for i := range racers {
				done.Go(func() {
					start.Wait()
					_, errs[i] = s.Copy(t.Context(), fmt.Sprintf("src/%d", i), dst, backends.PutOptions{IfAbsent: true})
				})
			}
			start.Done()
			done.Wait()
			winner := copyWinner(t, errs)
			mustRead(t, s, dst, []byte{byte(winner)})
		}
		if n := uploadsLeft(t, s); n != 0 {
			t.Fatalf("%d multipart uploads left", n)
		}
	})
}

// copyWinner returns the one racer without an error; the others must have
// failed their precondition.
func copyWinner(t *testing.T, errs []error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("racers %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, backends.ErrPreconditionFailed):
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no racer won")
	}
	return winner
}
