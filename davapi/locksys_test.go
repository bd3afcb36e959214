package davapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/testclock"
)

// newTestClock is a settable clock, shared by the gateways of a test.
func newTestClock() *testclock.Clock {
	return testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
}

// lockSystemOf is the lock system of one request of method on path.
func lockSystemOf(ns gateway.Namespace, method, path string, now func() time.Time) *lockSystem {
	st := &reqState{method: method, path: cleanPath(path), ns: ns, cache: map[string]*fileInfo{}}
	return newLockSystem(context.Background(), st, time.Hour, now)
}

// storedTable reads the user's lock table as stored.
func storedTable(t *testing.T, ns gateway.Namespace) lockTable {
	t.Helper()
	data, _, err := ns.GetShared(context.Background(), lockTableName)
	if err != nil {
		t.Fatal(err)
	}
	lt, err := decodeLockTable(data)
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

// TestLockCap: at most maxLocksPerUser live locks, and at most
// gateway.MaxSharedBytes of table; expired locks do not count.
func TestLockCap(t *testing.T) {
	e := newEnv(t)
	ns, clk := e.ns("alice"), newTestClock()
	full := lockTable{V: lockTableFormat}
	for i := range maxLocksPerUser {
		full.Locks = append(full.Locks, lockEntry{Token: fmt.Sprintf("urn:t:%d", i), Root: fmt.Sprintf("/b/f%d", i),
			Zero: true, Duration: time.Minute, Expires: clk.Now().Add(time.Minute).UnixNano()})
	}
	data, _ := json.Marshal(full)
	if _, err := ns.PutShared(context.Background(), lockTableName, data, ""); err != nil {
		t.Fatal(err)
	}
	var last *lockSystem
	create := func(root, owner string) error {
		last = lockSystemOf(ns, "LOCK", root, clk.Now)
		_, err := last.Create(time.Time{}, webdav.LockDetails{Root: root, Duration: time.Minute, ZeroDepth: true, OwnerXML: owner})
		return err
	}
	if err := create("/b/one-more", ""); !errors.Is(err, errTooManyLocks) {
		t.Fatalf("lock over the cap: %v", err)
	}
	// The door answers 507 with the reason, not x/net's 500.
	if status, text := statusOf(last.st.recorded()); status != http.StatusInsufficientStorage || !strings.Contains(text, "too many locks") {
		t.Fatalf("a full table answers %d %q, want 507", status, text)
	}
	clk.Advance(time.Minute)
	if err := create("/b/after-expiry", ""); err != nil {
		t.Fatalf("expired locks still counted: %v", err)
	}
	if n := len(storedTable(t, ns).Locks); n != 1 {
		t.Fatalf("expired locks kept: %d in the table", n)
	}
	if err := create("/b/huge-owner", strings.Repeat("x", gateway.MaxSharedBytes)); !errors.Is(err, errTooManyLocks) {
		t.Fatalf("lock over the table's size: %v", err)
	}
}

// TestLockRulesMatchMemLS: the table's conflict and coverage rules give
// x/net memLS's answers on random lock, unlock and confirm sequences.
func TestLockRulesMatchMemLS(t *testing.T) {
	paths := []string{"/", "/a", "/a/b", "/a/b/c", "/a/bc", "/a/d", "/e", "/e/f"}
	rng := mrand.New(mrand.NewPCG(1, 2))
	now := time.Now()
	mem, table := webdav.NewMemLS(), lockTable{V: lockTableFormat}
	var live []string
	for step := range 5000 {
		name := paths[rng.IntN(len(paths))]
		switch op := rng.IntN(3); {
		case op == 0:
			zero := rng.IntN(2) == 0
			tok, err := mem.Create(now, webdav.LockDetails{Root: name, ZeroDepth: zero, Duration: -1})
			ours := table.conflict(name, zero, nil, now) == nil
			if ours != (err == nil) {
				t.Fatalf("step %d: lock %s zero=%v: memLS %v, table free=%v", step, name, zero, err, ours)
			}
			if ours {
				table.Locks = append(table.Locks, lockEntry{Token: tok, Root: name, Zero: zero, Expires: now.Add(time.Hour).UnixNano()})
				live = append(live, tok)
			}
		case op == 1 && len(live) > 0:
			i := rng.IntN(len(live))
			if err := mem.Unlock(now, live[i]); err != nil {
				t.Fatal(err)
			}
			table.Locks = slices.DeleteFunc(table.Locks, func(e lockEntry) bool { return e.Token == live[i] })
			live = slices.Delete(live, i, i+1)
		default:
			var conds []webdav.Condition
			var toks []string
			for _, tok := range live {
				if rng.IntN(3) == 0 {
					conds, toks = append(conds, webdav.Condition{Token: tok}), append(toks, tok)
				}
			}
			release, err := mem.Confirm(now, name, "", conds...)
			if err == nil {
				release()
			}
			if ours := table.coveredBy(name, toks, now); ours != (err == nil) {
				t.Fatalf("step %d: confirm %s with %v: memLS %v, table %v", step, name, toks, err, ours)
			}
		}
	}
}

// interleavingNS runs another gateway's change just before its first
// shared write, and counts its writes.
type interleavingNS struct {
	gateway.Namespace
	before func()
	puts   int
}

func (n *interleavingNS) PutShared(ctx context.Context, name string, data []byte, ifVersion string) (string, error) {
	n.puts++
	if f := n.before; f != nil {
		n.before = nil
		f()
	}
	return n.Namespace.PutShared(ctx, name, data, ifVersion)
}

// TestLockCASRetry: a change made through another gateway between this
// one's read and write is never lost: the write fails its condition, the
// table is read again and the request decided on it.
func TestLockCASRetry(t *testing.T) {
	a, b, _ := newGatewayPair(t, nil)
	clk := newTestClock()
	cases := []struct {
		name, other string
		wantErr     error
		wantPuts    int
		wantLocks   int
	}{
		{"same resource", "/b/f", webdav.ErrLocked, 1, 1},
		{"other resource", "/b/g", nil, 2, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nsB := b.ns("bob")
			if _, err := nsB.PutShared(context.Background(), lockTableName, nil, tableVersion(t, nsB)); err != nil {
				t.Fatal(err)
			}
			nsA := &interleavingNS{Namespace: a.ns("bob")}
			nsA.before = func() {
				if _, err := lockSystemOf(nsB, "LOCK", c.other, clk.Now).Create(time.Time{}, webdav.LockDetails{Root: c.other, Duration: time.Minute}); err != nil {
					t.Error(err)
				}
			}
			_, err := lockSystemOf(nsA, "LOCK", "/b/f", clk.Now).Create(time.Time{}, webdav.LockDetails{Root: "/b/f", Duration: time.Minute})
			if err != c.wantErr || nsA.puts != c.wantPuts {
				t.Fatalf("create: %v after %d writes, want %v after %d", err, nsA.puts, c.wantErr, c.wantPuts)
			}
			if n := len(storedTable(t, nsB).Locks); n != c.wantLocks {
				t.Fatalf("%d locks stored, want %d", n, c.wantLocks)
			}
		})
	}
}

func tableVersion(t *testing.T, ns gateway.Namespace) string {
	t.Helper()
	_, v, err := ns.GetShared(context.Background(), lockTableName)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// conflictingNS loses every shared write to another gateway.
type conflictingNS struct {
	gateway.Namespace
	puts int
}

func (n *conflictingNS) PutShared(context.Context, string, []byte, string) (string, error) {
	n.puts++
	return "", fmt.Errorf("%w: another gateway wrote first", gateway.ErrPreconditionFailed)
}

// TestLockCASBounded: retries stop after casAttempts writes with a 503
// error recorded for the response, or at once when the request is gone.
func TestLockCASBounded(t *testing.T) {
	e := newEnv(t)
	ns := &conflictingNS{Namespace: e.ns("alice")}
	ls := lockSystemOf(ns, "LOCK", "/b/f", time.Now)
	_, err := ls.Create(time.Time{}, webdav.LockDetails{Root: "/b/f", Duration: time.Minute})
	if !errors.Is(err, errLockBusy) || ns.puts != casAttempts {
		t.Fatalf("contended create: %v after %d writes", err, ns.puts)
	}
	if status, _ := statusOf(ls.st.recorded()); status != 503 {
		t.Fatalf("contention answered %d", status)
	}
	ns.puts = 0
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ls = lockSystemOf(ns, "UNLOCK", "/b/f", time.Now)
	ls.ctx = ctx
	if err := ls.Unlock(time.Time{}, "urn:x"); !errors.Is(err, context.Canceled) || ns.puts > 1 {
		t.Fatalf("cancelled request: %v after %d writes", err, ns.puts)
	}
}

// TestLockTokens: tokens are absolute URIs x/net can put in a Coded-URL,
// with 130 random bits (26 base32 characters), never repeated.
func TestLockTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok := newLockToken()
		rest, ok := strings.CutPrefix(tok, "urn:sealgate:lock:")
		if !ok || len(rest) != 26 || strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" || seen[tok] {
			t.Fatalf("token %q", tok)
		}
		seen[tok] = true
	}
}
