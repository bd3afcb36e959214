// Package storetest is the conformance suite every [backends.Store] must pass.
//
// Contract: [Run] exercises a fresh, empty store per test group through the
// public API only: round trips, failed and conditional puts, ranges, ETags,
// listings and paging, key validation, objects beside folders of the same
// name, a concurrency smoke test (run it with -race), copies for a
// [backends.Copier] and gated puts for a [backends.GatedPutter]. It fails
// the test on any breach of the contract in package backends. It keeps the number of requests small (a
// few hundred per group at most) so it also runs against real S3 servers.
//
// [RunShared] is the optional part for stores of which several instances
// (processes, gateways) can open the same data: it checks that conditional
// puts are linearizable across instances.
//
// Where the contract lets stores differ (an fs store refuses "a/b" when "a"
// is an object, and segments longer than 255 bytes), the suite accepts either
// documented behaviour but checks that it is consistent.
//
// [Except] leaves a group out, visibly (a skip starting "NOT TESTED"), for a
// store over an upstream known to break that part of the contract.
package storetest

import (
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// Option changes what [Run] does.
type Option func(except map[string]string)

// Except leaves the test group named group out of [Run]: it is skipped
// with a message starting "NOT TESTED: " and giving reason. It is for an
// upstream known to break that part of the contract where the store cannot
// make up for it; the store's own tests should pin the upstream's actual
// behaviour, so that a change shows. A name that is no group fails the
// test.
func Except(group, reason string) Option {
	return func(except map[string]string) { except[group] = reason }
}

// Run runs the conformance suite. newStore must return a fresh, empty store;
// Run calls it once per test group and closes nothing: register cleanup with
// t.Cleanup inside newStore.
func Run(t *testing.T, newStore func(t *testing.T) backends.Store, opts ...Option) {
	except := map[string]string{}
	for _, o := range opts {
		o(except)
	}
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
		{"Concurrency", testConcurrency},
		{"Copy", testCopy},
		{"PutGated", testPutGated},
	}
	for _, g := range groups {
		reason, skip := except[g.name]
		delete(except, g.name)
		t.Run(g.name, func(t *testing.T) {
			if skip {
				t.Skip("NOT TESTED: " + reason)
			}
			g.test(t, newStore(t))
		})
	}
	for name := range except {
		t.Errorf("storetest: Except(%q): no such test group", name)
	}
}
