package rss

import (
	"os"
	"testing"
	"time"
)

func TestRSS(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	if Current(Self) <= 0 || Current(os.Getpid()) <= 0 {
		t.Fatal("no RSS read")
	}
	stop := Sample(Self, time.Millisecond)
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = 1
	}
	if peak := stop(); peak < 64 {
		t.Fatalf("peak %.0f MiB after touching 64 MiB", peak)
	}
	_ = buf[len(buf)-1]
}
