package gateway

import (
	"testing"
	"time"
)

func TestAuthThrottle(t *testing.T) {
	for _, tc := range []struct {
		n    int
		zero bool
	}{{1, true}, {throttleFree, true}, {throttleFree + 1, false}, {throttleFree + 100, false}} {
		if d := throttleDelay(tc.n); (d == 0) != tc.zero || d > throttleMax {
			t.Fatalf("throttleDelay(%d) = %v", tc.n, d)
		}
	}
	now := time.Now()
	th := NewAuthThrottle(func() time.Time { return now })
	for range throttleFree {
		if th.Fail("10.0.0.1") != 0 {
			t.Fatal("delay before the free failures are used")
		}
	}
	if th.Fail("10.0.0.1") == 0 || th.Fail("10.0.0.2") != 0 {
		t.Fatal("not per address")
	}
	now = now.Add(throttleWindow + time.Second)
	if th.Fail("10.0.0.1") != 0 {
		t.Fatal("old failures not forgotten")
	}
}
