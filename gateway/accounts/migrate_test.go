package accounts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// legacyDir writes a first-release data dir: a keystore file (format v1)
// with the named users (verifiers of "<name> password").
func legacyDir(t *testing.T, store *mem.Store, users ...*cryptolayer.User) *testGW {
	t.Helper()
	g := &testGW{store: store, dir: filepath.Join(t.TempDir(), "data")}
	if err := os.MkdirAll(g.dir, 0o700); err != nil {
		t.Fatal(err)
	}
	data, err := cryptolayer.SealKeystore(testRoot, &cryptolayer.Keystore{Users: users})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(g.dir, legacyFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return g
}

func legacyUser(t *testing.T, name string) *cryptolayer.User {
	t.Helper()
	u, err := cryptolayer.NewUser(name, []byte(name+" password"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestMigrate(t *testing.T) {
	store := mem.New()
	ann, bob := legacyUser(t, "ann"), legacyUser(t, "bob")
	g := legacyDir(t, store, ann, bob)
	a, ev := openWatched(t, g)
	if ev.count(EventMigrated) != 1 {
		t.Fatal("no migration event")
	}
	for _, u := range []*cryptolayer.User{ann, bob} {
		if _, err := a.Login(u.Name, []byte(u.Name+" password")); err != nil {
			t.Fatalf("%s after migration: %v", u.Name, err)
		}
		acc, err := a.ByAccessKey(u.AccessKeyID)
		if err != nil || acc.KeyRecord().Root != u.Root {
			t.Fatalf("%s keys changed: %v", u.Name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(g.dir, legacyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the first-release keystore file stays in place")
	}
	if _, err := os.Stat(filepath.Join(g.dir, migratedFile)); err != nil {
		t.Fatalf("the old file is not kept renamed: %v", err)
	}

	// The same file in another gateway's data dir: nothing to add.
	same := legacyDir(t, store, ann, bob)
	openTest(t, same, nil)
	// Another first-release gateway: its own admin conflicts by name.
	admin2, carol := legacyUser(t, "ann"), legacyUser(t, "carol")
	conflict := legacyDir(t, store, admin2, carol)
	_, err := Open(ctx, conflict.config(nil, true))
	if !errors.Is(err, ErrMigrationConflict) || !strings.Contains(err.Error(), "ann") {
		t.Fatalf("conflicting migration: %v", err)
	}
	if _, err := os.Stat(filepath.Join(conflict.dir, legacyFile)); err != nil {
		t.Fatal("a refused migration moved the file")
	}
	ks, _ := readKeystore(t, g)
	if len(ks.Users) != 2 {
		t.Fatalf("a refused migration wrote: %d users", len(ks.Users))
	}
	// Without the conflict, its other accounts join the deployment.
	ok := legacyDir(t, store, carol)
	openTest(t, ok, nil)
	if ks, _ := readKeystore(t, g); len(ks.Users) != 3 {
		t.Fatalf("merged keystore has %d users", len(ks.Users))
	}
}
