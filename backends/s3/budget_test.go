package s3

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBudget(t *testing.T) {
	b := newBudget(10)
	held, err := b.acquire(t.Context(), 6)
	if err != nil || held != 6 {
		t.Fatalf("acquire(6) = %d, %v", held, err)
	}
	if _, ok := b.try(5); ok {
		t.Fatal("try(5) succeeded with 4 bytes free")
	}
	n, ok := b.try(4)
	if !ok || n != 4 {
		t.Fatalf("try(4) = %d, %v with 4 bytes free", n, ok)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.acquire(ctx, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire on a full budget = %v, want deadline exceeded", err)
	}
	done := make(chan int64)
	go func() {
		n, _ := b.acquire(t.Context(), 100) // more than the budget: clamped, runs alone
		done <- n
	}()
	b.release(6)
	b.release(4)
	if n := <-done; n != 10 {
		t.Fatalf("acquire(100) held %d, want the whole budget 10", n)
	}
	if _, ok := b.try(1); ok {
		t.Fatal("try(1) succeeded while the whole budget is held")
	}
	b.release(10)
	b.release(0)
}
