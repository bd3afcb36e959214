package accounts

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// events collects the Events of a test's gateways.
type events struct {
	mu   sync.Mutex
	list []Event
}

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
}

func (e *events) count(kind EventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.list {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// openWatched opens g with its events recorded.
func openWatched(t *testing.T, g *testGW) (*Accounts, *events) {
	t.Helper()
	ev := &events{}
	cfg := g.config(nil, false)
	cfg.OnEvent = ev.add
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a, ev
}

func putRaw(t *testing.T, s backends.Store, data []byte) {
	t.Helper()
	if _, err := s.Put(ctx, RecordKey, bytes.NewReader(data), int64(len(data)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestRollbackRefused: an upstream put back to an older keystore is
// refused by a gateway that verified a newer one: the accounts it has seen
// stay, the event is counted once, a restart (from the data dir) keeps
// refusing it, and the next change heals the upstream.
func TestRollbackRefused(t *testing.T) {
	g := newTestDir(t)
	a, ev := openWatched(t, g)
	mustCreate(t, a, "ann", []byte("ann password"))
	old := readRaw(t, g.store)
	mustCreate(t, a, "bea", []byte("bea password"))

	putRaw(t, g.store, old) // the rollback
	for range 3 {
		a.poll(ctx)
	}
	if _, err := a.Get("bea"); err != nil {
		t.Fatalf("an account this gateway has seen is forgotten: %v", err)
	}
	if n := ev.count(EventRollback); n != 1 {
		t.Fatalf("%d rollback events, want 1", n)
	}
	// A restart serves from the data dir's newest verified record.
	_ = a.Close()
	b, ev2 := openWatched(t, g)
	if _, err := b.Get("bea"); err != nil || ev2.count(EventRollback) != 1 {
		t.Fatalf("after a restart: %v, %d rollback events", err, ev2.count(EventRollback))
	}
	// A change goes ahead from the newest verified record and heals.
	mustCreate(t, b, "cid", []byte("cid password"))
	ks, _ := readKeystore(t, g)
	if len(ks.Users) != 3 {
		t.Fatalf("healed upstream has %d users", len(ks.Users))
	}
	// A gateway that never saw the newer record cannot tell (out of scope)
	// but one that did keeps refusing an old copy put back again.
	putRaw(t, g.store, old)
	b.poll(ctx)
	if _, err := b.Get("cid"); err != nil || ev2.count(EventRollback) != 2 {
		t.Fatalf("second rollback: %v, %d events", err, ev2.count(EventRollback))
	}
}

// TestRefusedRecords: a fork, a record of another deployment, garbage and
// a record under another root key are refused and counted; changes are
// refused too, except over a rollback or a missing record.
func TestRefusedRecords(t *testing.T) {
	other := newTestDir(t) // another deployment, same root key
	b := openTest(t, other, nil)
	mustCreate(t, b, "oz", []byte("oz password"))
	otherRaw := readRaw(t, other.store)

	foreign := mustSeal(t, cryptolayer.Key{7}, &cryptolayer.KeystoreRecord{Version: 99, Keystore: &cryptolayer.Keystore{}})
	for _, tc := range []struct {
		name string
		make func(g *testGW, cur []byte) []byte
		kind EventKind
		want error
	}{
		{"fork", func(_ *testGW, cur []byte) []byte {
			rec, _ := cryptolayer.OpenKeystoreRecord(testRoot, cur)
			return mustSeal(t, testRoot, rec) // same version, new nonce
		}, EventFork, ErrFork},
		{"other deployment", func(*testGW, []byte) []byte { return otherRaw }, EventOtherDeployment, ErrOtherDeployment},
		{"garbage", func(*testGW, []byte) []byte { return []byte("SGWK\x02 no record") }, EventUnreadable, ErrUnreadable},
		{"bit flip", func(_ *testGW, cur []byte) []byte {
			c := bytes.Clone(cur)
			c[len(c)-1] ^= 1
			return c
		}, EventUnreadable, ErrUnreadable},
		{"foreign root key", func(*testGW, []byte) []byte { return foreign }, EventForeignRoot, ErrForeignRoot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestDir(t)
			a, ev := openWatched(t, g)
			mustCreate(t, a, "ann", []byte("ann password"))
			putRaw(t, g.store, tc.make(g, readRaw(t, g.store)))
			a.poll(ctx)
			a.poll(ctx)
			if ev.count(tc.kind) != 1 {
				t.Fatalf("%d %s events, want 1", ev.count(tc.kind), tc.kind)
			}
			if _, err := a.Get("ann"); err != nil {
				t.Fatalf("served accounts lost: %v", err)
			}
			if _, err := a.Create(ctx, "bob", []byte("bob password")); !errors.Is(err, tc.want) {
				t.Fatalf("a change over a refused record: %v, want %v", err, tc.want)
			}
		})
	}
}

func mustSeal(t *testing.T, root cryptolayer.Key, r *cryptolayer.KeystoreRecord) []byte {
	t.Helper()
	data, err := cryptolayer.SealKeystoreRecord(root, r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestMissingRecordHealed: an upstream that lost the keystore is served
// from the data dir, and `init` (Create) puts the newest verified back.
func TestMissingRecordHealed(t *testing.T) {
	g := newTestDir(t)
	a, ev := openWatched(t, g)
	mustCreate(t, a, "ann", []byte("ann password"))
	if err := g.store.Delete(ctx, RecordKey); err != nil {
		t.Fatal(err)
	}
	a.poll(ctx)
	if _, err := a.Get("ann"); err != nil || ev.count(EventMissing) != 1 {
		t.Fatalf("missing record: %v, %d events", err, ev.count(EventMissing))
	}
	h, err := Open(ctx, g.config(nil, true))
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Close()
	if ks, _ := readKeystore(t, g); len(ks.Users) != 1 {
		t.Fatalf("healed keystore has %d users", len(ks.Users))
	}
}

// TestDeployment: init is idempotent, another root key is refused with one
// clear line, a gateway without a deployment is told to init.
func TestDeployment(t *testing.T) {
	g := newTestDir(t)
	first := readRaw(t, g.store)
	if a, err := Open(ctx, g.other(t).config(nil, true)); err != nil {
		t.Fatal(err)
	} else {
		_ = a.Close()
	}
	if !bytes.Equal(first, readRaw(t, g.store)) {
		t.Fatal("init of a second gateway rewrote the keystore")
	}
	cfg := g.other(t).config(nil, true)
	cfg.Root = cryptolayer.Key{9}
	_, err := Open(ctx, cfg)
	if !errors.Is(err, ErrForeignRoot) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), cryptolayer.RootKeyID(testRoot).String()) {
		t.Fatalf("another root key: %v", err)
	}
	empty := &testGW{store: g.other(t).store, dir: filepath.Join(t.TempDir(), "d")}
	empty.store = newTestDir(t).store
	if err := empty.store.Delete(ctx, RecordKey); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, empty.config(nil, false)); !errors.Is(err, ErrNoDeployment) {
		t.Fatalf("no deployment: %v", err)
	}
}

// TestCreateFirst: gateways starting at once over a new deployment make
// exactly one first account.
func TestCreateFirst(t *testing.T) {
	g := newTestDir(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for range 3 {
		a := openTest(t, g.other(t), nil)
		wg.Go(func() {
			c, created, err := a.CreateFirst(ctx, "admin")
			if err != nil {
				t.Error(err)
			}
			if created {
				mu.Lock()
				made++
				mu.Unlock()
				if len(c.Password) == 0 || c.AccessKeyID == "" {
					t.Error("first account without credentials")
				}
			}
		})
	}
	wg.Wait()
	if ks, _ := readKeystore(t, g); made != 1 || len(ks.Users) != 1 {
		t.Fatalf("%d first accounts made, %d in the keystore", made, len(ks.Users))
	}
}

// TestPollingPropagates: with real polling, an account deleted through one
// gateway is refused by another within the poll interval.
func TestPollingPropagates(t *testing.T) {
	g := newTestDir(t)
	a := openTest(t, g, nil)
	creds := mustCreate(t, a, "ann", []byte("ann password"))
	cfg := g.other(t).config(nil, false)
	cfg.PollInterval = 20 * time.Millisecond
	b, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	if _, err := b.ByAccessKey(creds.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Delete(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		_, err := b.ByAccessKey(creds.AccessKeyID)
		if errors.Is(err, gateway.ErrNoSuchUser) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deleted account still accepted after 2 s: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
