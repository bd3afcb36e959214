package gateway

import (
	"errors"
	"sync"
	"testing"
)

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, 2)
	var rel []func()
	for range 3 {
		r, err := l.Enter()
		if err != nil {
			t.Fatal(err)
		}
		rel = append(rel, r)
	}
	if _, err := l.Enter(); !errors.Is(err, ErrSlowDown) {
		t.Fatalf("4th request admitted: %v", err)
	}
	rel[0]()
	if r, err := l.Enter(); err != nil {
		t.Fatal("slot not released")
	} else {
		r()
	}
	a1, _ := l.EnterUser("alice")
	a2, _ := l.EnterUser("alice")
	if _, err := l.EnterUser("alice"); !errors.Is(err, ErrSlowDown) {
		t.Fatal("alice's 3rd request admitted")
	}
	if r, err := l.EnterUser("bob"); err != nil {
		t.Fatal("bob refused because of alice")
	} else {
		r()
	}
	a1()
	a2()
	if len(l.users) != 0 {
		t.Fatalf("per-user table not cleaned: %v", l.users)
	}
	var nilL *Limiter
	if r, err := nilL.Enter(); err != nil {
		t.Fatal(err)
	} else {
		r()
	}
	// Concurrent use never admits more than the bound.
	l = NewLimiter(5, 0)
	var mu sync.Mutex
	cur, peak := 0, 0
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			r, err := l.Enter()
			if err != nil {
				return
			}
			mu.Lock()
			cur++
			peak = max(peak, cur)
			mu.Unlock()
			mu.Lock()
			cur--
			mu.Unlock()
			r()
		})
	}
	wg.Wait()
	if peak > 5 {
		t.Fatalf("peak %d > 5", peak)
	}
}
