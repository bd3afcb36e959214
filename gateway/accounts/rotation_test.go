package accounts

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// rootKeeper stands for cmd's root key file: OnRootKey replaces it, or
// fails (a key from the environment cannot be rewritten).
type rootKeeper struct {
	mu   sync.Mutex
	key  cryptolayer.Key
	fail error
}

func (r *rootKeeper) set(k cryptolayer.Key) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.key = k
	return nil
}

func (r *rootKeeper) get() cryptolayer.Key {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.key
}

// openKept opens g with its root key kept by rk.
func openKept(t *testing.T, g *testGW, rk *rootKeeper) *Accounts {
	t.Helper()
	cfg := g.config(nil, false)
	cfg.Root, cfg.OnRootKey = rk.get(), rk.set
	a, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// TestRootRotation: after an account is deleted and the root key rotated
// on every gateway, an old keystore copy holding the account opens under
// neither the new root key nor any key a gateway still holds, and is
// refused when put back.
func TestRootRotation(t *testing.T) {
	g := newTestDir(t)
	gws := []*testGW{g, g.other(t), g.other(t)}
	keepers := []*rootKeeper{{key: testRoot}, {key: testRoot}, {key: testRoot}}
	var as []*Accounts
	for i, gw := range gws {
		as = append(as, openKept(t, gw, keepers[i]))
	}
	mustCreate(t, as[0], "ann", []byte("ann password"))
	mustCreate(t, as[0], "zed", []byte("zed password"))
	withZed := readRaw(t, g.store)
	if _, err := as[0].Delete(ctx, "zed"); err != nil {
		t.Fatal(err)
	}

	next, err := as[0].BeginRootRotation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := as[1].BeginRootRotation(ctx); !errors.Is(err, ErrRotationPending) {
		t.Fatalf("a second begin: %v", err)
	}
	pollAll(as)
	st, err := as[2].RotationStatus(ctx)
	if err != nil || !st.Pending || st.Next != cryptolayer.RootKeyID(next) || len(st.Acks) != 3 {
		t.Fatalf("status %+v, %v: want 3 acknowledgements", st, err)
	}
	for _, gw := range gws {
		if _, err := os.Stat(filepath.Join(gw.dir, nextRootFile)); err != nil {
			t.Fatalf("next key not kept in %s: %v", gw.dir, err)
		}
	}

	if got, err := as[1].FinishRootRotation(ctx); err != nil || got != next {
		t.Fatalf("finish: %v", err)
	}
	pollAll(as)
	for i, k := range keepers {
		if k.get() != next {
			t.Fatalf("gateway %d did not move to the new root key", i)
		}
		if _, err := os.Stat(filepath.Join(gws[i].dir, nextRootFile)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("gateway %d kept root.key.next: %v", i, err)
		}
	}
	raw := readRaw(t, g.store)
	if h, _ := cryptolayer.ReadKeystoreHeader(raw); h.Root != cryptolayer.RootKeyID(next) {
		t.Fatal("keystore not re-sealed under the new key")
	}
	mustCreate(t, as[2], "newbie", []byte("newbie password"))
	as[0].poll(ctx)
	if _, err := as[0].Get("newbie"); err != nil {
		t.Fatal(err)
	}

	// The old copy: no gateway holds its key, it opens under the new one
	// neither, and put back it is refused, zed staying deleted.
	if _, err := cryptolayer.OpenKeystoreRecord(next, withZed); !errors.Is(err, cryptolayer.ErrKeystoreAuth) {
		t.Fatalf("old copy under the new key: %v", err)
	}
	for i, a := range as {
		if _, held := a.ring.Load().find(cryptolayer.RootKeyID(testRoot)); held {
			t.Fatalf("gateway %d still holds the old root key", i)
		}
	}
	putRaw(t, g.store, withZed)
	pollAll(as)
	for i, a := range as {
		if _, err := a.Get("zed"); !errors.Is(err, gateway.ErrNoSuchUser) {
			t.Fatalf("gateway %d: the deleted account is back: %v", i, err)
		}
	}
}

// TestRotationKeyFromEnvironment: a gateway whose root key cannot be
// rewritten keeps the new key in its data dir and restarts with the old
// configured key; a cancelled rotation forgets the next key everywhere.
func TestRotationKeyFromEnvironment(t *testing.T) {
	g := newTestDir(t)
	envKey := &rootKeeper{key: testRoot, fail: errors.New("SEALGATE_ROOT_KEY cannot be rewritten")}
	a := openKept(t, g, &rootKeeper{key: testRoot})
	b := openKept(t, g.other(t), envKey)
	mustCreate(t, a, "ann", []byte("ann password"))

	if _, err := a.BeginRootRotation(ctx); err != nil {
		t.Fatal(err)
	}
	b.poll(ctx)
	if err := a.CancelRootRotation(ctx); err != nil {
		t.Fatal(err)
	}
	b.poll(ctx)
	if _, err := os.Stat(filepath.Join(b.cfg.DataDir, nextRootFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("cancelled rotation: next key kept: %v", err)
	}
	if st, _ := a.RotationStatus(ctx); st.Pending || len(st.Acks) != 0 {
		t.Fatalf("cancelled rotation: %+v", st)
	}

	next, err := a.BeginRootRotation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.poll(ctx)
	if _, err := a.FinishRootRotation(ctx); err != nil {
		t.Fatal(err)
	}
	b.poll(ctx)
	bdir := b.cfg.DataDir
	_ = b.Close()
	if envKey.get() != testRoot {
		t.Fatal("an environment key was rewritten")
	}
	b2 := openKept(t, &testGW{store: g.store, dir: bdir}, envKey)
	if _, err := b2.Get("ann"); err != nil {
		t.Fatalf("restart with the old configured key and the kept new one: %v", err)
	}
	if k, ok := b2.ring.Load().find(cryptolayer.RootKeyID(next)); !ok || k != next {
		t.Fatal("the kept key is not used")
	}
}
