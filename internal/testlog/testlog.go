// Package testlog holds a log sink for tests that run servers: many
// goroutines write to it while the test reads it.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer is a goroutine-safe bytes.Buffer for log output. The zero value
// is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
