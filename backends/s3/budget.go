package s3

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// budget bounds the bytes of part buffers held by all Puts of one Store, so
// that many concurrent uploads cannot take PartSize × Concurrency each. A
// Put reserves its first buffer with acquire, waiting if it must; extra
// buffers for parallel parts are only taken with try, so an upload that
// cannot get one goes on with the buffers it has and never deadlocks.
type budget struct {
	sem *semaphore.Weighted
	max int64
}

func newBudget(limit int64) *budget {
	return &budget{sem: semaphore.NewWeighted(limit), max: limit}
}

// clamp caps n at the whole budget, so that a part larger than the budget
// still runs, alone.
func (b *budget) clamp(n int64) int64 { return min(n, b.max) }

// acquire reserves n bytes, waiting until they are free or ctx ends. It
// returns the bytes to give back to release.
func (b *budget) acquire(ctx context.Context, n int64) (int64, error) {
	n = b.clamp(n)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return 0, err
	}
	return n, nil
}

// try reserves n bytes if they are free now.
func (b *budget) try(n int64) (int64, bool) {
	n = b.clamp(n)
	return n, b.sem.TryAcquire(n)
}

func (b *budget) release(n int64) {
	if n > 0 {
		b.sem.Release(n)
	}
}
