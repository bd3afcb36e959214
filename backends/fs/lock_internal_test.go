package fs

import "testing"

// BenchmarkLockKey is the cost the cross-process lock adds to every commit
// and Delete: the stripe mutex plus a flock and an unlock.
func BenchmarkLockKey(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	for b.Loop() {
		i, err := s.lockKey("bench/k")
		if err != nil {
			b.Fatal(err)
		}
		s.unlockKey(i)
	}
}
