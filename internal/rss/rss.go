// Package rss reads a process's resident set size from /proc, for the
// memory bounds that tests and benchmarks report. Linux only: elsewhere it
// reads 0.
package rss

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Self means the calling process.
const Self = 0

// Current returns the resident set size of process pid (Self for this
// process) in bytes, or 0 if it cannot be read.
func Current(pid int) int64 {
	path := "/proc/self/status"
	if pid != Self {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Sample samples the RSS of pid every interval until the returned function
// is called; it returns the peak in MiB.
func Sample(pid int, every time.Duration) (stop func() float64) {
	done, res := make(chan struct{}), make(chan int64)
	go func() {
		peak := Current(pid)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				res <- max(peak, Current(pid))
				return
			case <-t.C:
				peak = max(peak, Current(pid))
			}
		}
	}()
	return func() float64 { close(done); return float64(<-res) / (1 << 20) }
}
