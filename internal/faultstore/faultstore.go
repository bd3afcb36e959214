// Package faultstore is a [backends.Store] decorator for tests that injects
// the failures of a real upstream: server errors, connections reset in the
// middle of a body, short reads, latency, and a full disk or quota.
//
// # Contract
//
//   - With no rule, a [Store] is its inner store: every call and every byte
//     passes through (it passes backends/storetest).
//   - A rule ([Rule]) names an operation, optionally a key prefix, a [Fault],
//     and when it fires: on each of the next Times matching calls, or, when
//     Times is 0, on each matching call with probability Prob, drawn from a
//     random source seeded by [New] (a run is reproducible as far as the
//     order of the calls is). The first rule that fires wins; an exhausted
//     Times rule is dropped.
//   - Injected errors wrap [ErrInjected] and the backends sentinel a real
//     store would return: [backends.ErrUnavailable] for [Error] and [Reset]
//     (a reset also wraps io.ErrUnexpectedEOF, as backends/s3 reports a
//     connection dropped mid-body), [backends.ErrNoSpace] for [NoSpace].
//   - A failed Put stores nothing: the inner store is not called. A Put
//     fault may first read After bytes of the body, as an upstream that
//     fails mid-upload does.
//   - A [Reset] Get returns a body that fails after After bytes; a [Short]
//     Get returns a body that ends after After bytes with io.EOF and no
//     error, while the ObjectInfo still announces the whole object. [Latency]
//     delays the call by Rule.Latency (or until the context ends), then
//     runs it.
//   - [Store.Injected] counts the faults injected, per operation and fault.
//
// [Store.Add] and [Store.Clear] may be called while the store is in use.
package faultstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// ErrInjected is wrapped by every error this package injects.
var ErrInjected = errors.New("faultstore: injected fault")

// Op is a Store operation.
type Op string

// The operations faults apply to. Close is never faulted.
const (
	OpPut    Op = "put"
	OpGet    Op = "get"
	OpStat   Op = "stat"
	OpList   Op = "list"
	OpDelete Op = "delete"
)

// Fault is what happens to a call a rule fires on.
type Fault string

// The faults.
const (
	Error   Fault = "error"    // the call fails: ErrUnavailable (a 5xx after retries)
	NoSpace Fault = "no-space" // the call fails: ErrNoSpace (ENOSPC, EDQUOT, an S3 507)
	Reset   Fault = "reset"    // a Get body fails after After bytes; other calls fail like Error
	Short   Fault = "short"    // a Get body ends early after After bytes, with io.EOF (Get only)
	Latency Fault = "latency"  // the call is delayed by Rule.Latency
)

// Rule says when and how to fail calls.
type Rule struct {
	Op     Op
	Prefix string // only keys (List: listing prefixes) that start with it; "" for all
	Fault  Fault
	// Times > 0 fires on each of the next Times matching calls, then the
	// rule is dropped. Times == 0 fires with probability Prob per call.
	Times int
	Prob  float64
	// After is where a body fault strikes, in bytes from the body's start
	// (Put: bytes of the body read before failing); a body that ends
	// before it is not cut. A negative After picks a random point inside
	// the body.
	After int64
	// Latency is the delay of a Latency fault.
	Latency time.Duration
}

// Store injects faults into the calls to an inner Store.
type Store struct {
	inner backends.Store

	mu     sync.Mutex
	rng    *rand.Rand
	rules  []*Rule
	counts map[Op]map[Fault]int64
}

var _ backends.Store = (*Store)(nil)

// New wraps inner; seed drives the probabilistic rules and random offsets.
func New(inner backends.Store, seed uint64) *Store {
	return &Store{inner: inner, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), counts: map[Op]map[Fault]int64{}}
}

// Add adds a rule after the existing ones. It panics on a rule that cannot
// apply (an unknown operation or fault, Short on anything but Get): a
// mistake in the test, not a condition to handle.
func (s *Store) Add(r Rule) {
	switch {
	case r.Op != OpPut && r.Op != OpGet && r.Op != OpStat && r.Op != OpList && r.Op != OpDelete:
		panic(fmt.Sprintf("faultstore: unknown op %q", r.Op))
	case r.Fault != Error && r.Fault != NoSpace && r.Fault != Reset && r.Fault != Short && r.Fault != Latency:
		panic(fmt.Sprintf("faultstore: unknown fault %q", r.Fault))
	case r.Fault == Short && r.Op != OpGet:
		panic("faultstore: a short read needs a Get")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &r)
}

// Clear removes every rule: faults off. The counts stay.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = nil
}

// Injected reports how many faults f were injected into calls of op.
func (s *Store) Injected(op Op, f Fault) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op][f]
}

// fault is a rule that fired on one call, with its offset resolved.
type fault struct {
	Fault
	after   int64
	random  bool // after was drawn at random
	latency time.Duration
}

// decide returns the fault for a call of op on key, or nil. size is the
// length of the body the call moves (-1 when unknown), for a random After.
func (s *Store) decide(op Op, key string, size int64) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.Op != op || !strings.HasPrefix(key, r.Prefix) {
			continue
		}
		if r.Times > 0 {
			if r.Times--; r.Times == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		} else if s.rng.Float64() >= r.Prob {
			continue
		}
		if s.counts[op] == nil {
			s.counts[op] = map[Fault]int64{}
		}
		s.counts[op][r.Fault]++
		f := &fault{Fault: r.Fault, after: r.After, random: r.After < 0, latency: r.Latency}
		if f.random {
			f.after = s.randomOffset(size)
		}
		return f
	}
	return nil
}

// randomOffset is a point inside a body of size bytes (before its end, so
// that a body fault always strikes; 0 for an empty body).
func (s *Store) randomOffset(size int64) int64 {
	switch {
	case size < 0:
		return s.rng.Int64N(64 << 10)
	case size == 0:
		return 0
	}
	return s.rng.Int64N(size)
}

// fail is the error a failing fault returns for a call of op on key.
func (f *fault) fail(op Op, key string) error {
	switch f.Fault {
	case NoSpace:
		return fmt.Errorf("faultstore: %s %q: %w: %w", op, key, ErrInjected, backends.ErrNoSpace)
	case Reset:
		return &resetError{op: op, key: key, after: f.after}
	}
	return fmt.Errorf("faultstore: %s %q: %w: %w", op, key, ErrInjected, backends.ErrUnavailable)
}

// sleep waits the fault's latency, or until ctx ends.
func (f *fault) sleep(ctx context.Context) error {
	t := time.NewTimer(f.latency)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resetError is a connection that broke after some bytes of a body.
type resetError struct {
	op    Op
	key   string
	after int64
}

func (e *resetError) Error() string {
	return fmt.Sprintf("faultstore: %s %q: connection reset after %d bytes", e.op, e.key, e.after)
}

func (e *resetError) Unwrap() []error {
	return []error{ErrInjected, backends.ErrUnavailable, io.ErrUnexpectedEOF}
}
