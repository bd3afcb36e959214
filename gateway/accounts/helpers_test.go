package accounts

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/internal/testclock"
)

// Tests use cryptolayer.MinPasswordParams and count Argon2id runs.

var (
	testRoot = cryptolayer.Key{0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	ctx      = context.Background()
)

// newTestClock is a settable clock shared by the Accounts of a test.
func newTestClock() *testclock.Clock {
	return testclock.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}

// testGW is one gateway's data dir over a deployment's upstream store.
type testGW struct {
	store backends.Store
	dir   string
}

// newTestDir returns a data dir over a new deployment (an empty keystore
// in a fresh mem store).
func newTestDir(t *testing.T) *testGW {
	t.Helper()
	g := &testGW{store: mem.New(), dir: filepath.Join(t.TempDir(), "data")}
	a, err := Open(ctx, g.config(nil, true))
	if err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	return g
}

// other returns another gateway's data dir over the same upstream.
func (g *testGW) other(t *testing.T) *testGW {
	return &testGW{store: g.store, dir: filepath.Join(t.TempDir(), "data")}
}

func (g *testGW) config(clk *testclock.Clock, create bool) Config {
	c := Config{Store: g.store, DataDir: g.dir, Root: testRoot, Create: create,
		PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1}
	if clk != nil {
		c.Now = clk.Now
	}
	return c
}

// openTest opens g like a server or the CLI would, without polling (tests
// call poll or Refresh); it never sleeps for the login throttle.
func openTest(t *testing.T, g *testGW, clk *testclock.Clock) *Accounts {
	t.Helper()
	a, err := Open(ctx, g.config(clk, false))
	if err != nil {
		t.Fatal(err)
	}
	a.sleep = func(time.Duration) {}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// readKeystore opens the keystore record as the upstream holds it.
func readKeystore(t *testing.T, g *testGW) (*cryptolayer.Keystore, []byte) {
	t.Helper()
	raw := readRaw(t, g.store)
	rec, err := cryptolayer.OpenKeystoreRecord(testRoot, raw)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Keystore, raw
}

// readRaw returns the upstream keystore record's bytes.
func readRaw(t *testing.T, s backends.Store) []byte {
	t.Helper()
	rc, _, err := s.Get(ctx, RecordKey, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rc.Close() }()
	var b []byte
	buf := make([]byte, 4096)
	for {
		n, err := rc.Read(buf)
		b = append(b, buf[:n]...)
		if err != nil {
			return b
		}
	}
}

func mustCreate(t *testing.T, a *Accounts, name string, pw []byte) Credentials {
	t.Helper()
	c, err := a.Create(ctx, name, pw)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	return c
}
