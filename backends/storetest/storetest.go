// Package storetest is the conformance suite every [backends.Store] must pass.
//
// Contract: [Run] exercises a fresh, empty store per test group through the
// public API only: round trips, failed and conditional puts, ranges, ETags,
// listings and paging, key validation, the optional [backends.Copier] and
// [backends.Composer] (skipped when the store lacks them) and a concurrency
// smoke test (run it with -race). It fails the test on any breach of the
// contract in package backends. It keeps the number of requests small (a few
// hundred per group at most) so it also runs against real S3 servers.
//
// [RunShared] is the optional part for stores of which several instances
// (processes, gateways) can open the same data: it checks that conditional
// puts are linearizable across instances.
//
// Where the contract lets stores differ (an fs store refuses "a/b" when "a"
// is an object, and segments longer than 255 bytes), the suite accepts either
// documented behaviour but checks that it is consistent.
package storetest

import (
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// Run runs the conformance suite. newStore must return a fresh, empty store;
// Run calls it once per test group and closes nothing: register cleanup with
// t.Cleanup inside newStore.
func Run(t *testing.T, newStore func(t *testing.T) backends.Store) {
	groups := []struct {
		name string
		test func(t *testing.T, s backends.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"FailedPut", testFailedPut},
		{"ETag", testETag},
		{"Range", testRange},
		{"Absent", testAbsent},
		{"Conditional", testConditional},
		{"ConcurrentIfAbsent", testConcurrentIfAbsent},
		{"List", testList},
		{"ListEdges", testListEdges},
		{"InvalidKeys", testInvalidKeys},
		{"InvalidPuts", testInvalidPuts},
		{"LongKeys", testLongKeys},
		{"ObjectAndFolder", testObjectAndFolder},
		{"Copier", testCopier},
		{"Composer", testComposer},
		{"Concurrency", testConcurrency},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) { g.test(t, newStore(t)) })
	}
}
