package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Two Accounts on one dir stand for the CLI and a running server.

func TestCLIAndServer(t *testing.T) {
	dir, clk := newTestDir(t), newTestClock()
	server, cli := openTest(t, dir, clk), openTest(t, dir, clk)
	pw := []byte("dave password")
	creds := mustCreate(t, cli, "dave", pw)

	// A new account works at once: a lookup miss re-reads the file.
	if acc, err := server.ByAccessKey(creds.AccessKeyID); err != nil || acc.Name() != "dave" {
		t.Fatalf("server ByAccessKey after create: %v, %v", acc, err)
	}
	if _, err := server.Login("dave", pw); err != nil {
		t.Fatalf("server Login after create: %v", err)
	}

	// Other changes apply to the very next lookup: the file is checked
	// (a stat) on every one.
	if _, err := cli.Rotate("dave"); err != nil {
		t.Fatal(err)
	}
	if l := server.List(); l[0].CurrentEpoch != 2 {
		t.Errorf("rotation not seen at once: epoch %d", l[0].CurrentEpoch)
	}
	newCreds, err := cli.NewKeys("dave")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"old key refused", func() error { _, err := server.ByAccessKey(creds.AccessKeyID); return err }, ErrNoSuchUser},
		{"cached login checked again (keys changed in another process)", func() error {
			runs := server.login.runs.Load()
			_, err := server.Login("dave", pw)
			if n := server.login.runs.Load() - runs; err == nil && n != 1 {
				err = fmt.Errorf("%d Argon2id runs, want 1", n)
			}
			return err
		}, nil},
		{"new key works", func() error {
			acc, err := server.ByAccessKey(newCreds.AccessKeyID)
			if err == nil && !bytes.Equal(acc.Secret(), newCreds.SecretAccessKey) {
				err = errors.New("old secret")
			}
			return err
		}, nil},
		{"delete in the CLI", func() error { _, err := cli.Delete("dave"); return err }, nil},
		{"deleted: login refused", func() error { _, err := server.Login("dave", pw); return err }, ErrAccessDenied},
		{"deleted: key refused", func() error { _, err := server.ByAccessKey(newCreds.AccessKeyID); return err }, ErrNoSuchUser},
		{"deleted: get", func() error { _, err := server.Get("dave"); return err }, ErrNoSuchUser},
	}
	for _, s := range steps {
		if err := s.do(); !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", s.name, err, s.want)
		}
	}
	if l := server.List(); len(l) != 0 {
		t.Errorf("server still lists %v", l)
	}
}

// TestConcurrentChanges: changes from two Accounts at once (the file lock
// serialises them; each re-reads the file) lose nothing.
func TestConcurrentChanges(t *testing.T) {
	dir, clk := newTestDir(t), newTestClock()
	accs := []*Accounts{openTest(t, dir, clk), openTest(t, dir, clk)}
	mustCreate(t, accs[0], "frank", []byte("frank password"))
	const rotations = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*(rotations+1))
	for i, a := range accs {
		wg.Go(func() {
			_, err := a.Create(fmt.Sprintf("user-%d", i), []byte("pw"))
			errs <- err
		})
		wg.Go(func() {
			for range rotations {
				_, err := a.Rotate("frank")
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	ks, _ := readKeystore(t, dir)
	frank, err := ks.User("frank")
	if err != nil || len(ks.Users) != 3 || len(frank.Epochs) != 1+2*rotations || frank.CurrentEpoch != 1+2*rotations {
		t.Fatalf("keystore after concurrent changes: %d users, frank %v", len(ks.Users), err)
	}
	for i, a := range accs {
		if n := len(a.List()); n != 3 {
			t.Errorf("Accounts %d lists %d users", i, n)
		}
	}
	checkNoTemps(t, dir)
}

// TestDeleteShredsKeys: after Delete the keystore file holds nothing of the
// user (opened with the root key, and raw), and the other users are intact.
func TestDeleteShredsKeys(t *testing.T) {
	dir := newTestDir(t)
	a := openTest(t, dir, newTestClock())
	creds := mustCreate(t, a, "gina", nil)
	if c := mustCreate(t, a, "hank", []byte("hank password")); c.Password != nil {
		t.Error("a chosen password is returned in the credentials")
	}
	if _, err := a.Rotate("gina"); err != nil {
		t.Fatal(err)
	}
	ks, _ := readKeystore(t, dir)
	gina, _ := ks.User("gina")
	hankBefore, _ := ks.User("hank")
	secrets := [][]byte{gina.Root[:], gina.Epochs[0].Key[:], gina.Epochs[1].Key[:], gina.ID[:], gina.Password.Hash[:], gina.Secret}

	if _, err := a.Delete("gina"); err != nil {
		t.Fatal(err)
	}
	ks, raw := readKeystore(t, dir)
	for _, s := range secrets {
		if bytes.Contains(raw, s) {
			t.Error("raw keystore holds a secret of the deleted user")
		}
	}
	if bytes.Contains(raw, creds.SecretAccessKey) || bytes.Contains(raw, []byte("gina")) {
		t.Error("raw keystore holds plaintext")
	}
	if len(ks.Users) != 1 || ks.Users[0].Name != "hank" {
		t.Fatalf("users after delete: %d", len(ks.Users))
	}
	if !sameUser(ks.Users[0], hankBefore) {
		t.Error("the other user changed")
	}
	body := encodeUsers(ks)
	for _, s := range secrets {
		if bytes.Contains(body, s) {
			t.Error("decrypted keystore holds a secret of the deleted user")
		}
	}
	checkNoTemps(t, dir)
}

// encodeUsers concatenates every key and secret of the keystore.
func encodeUsers(ks *cryptolayer.Keystore) []byte {
	var b []byte
	for _, u := range ks.Users {
		b = append(b, u.Root[:]...)
		b = append(b, u.ID[:]...)
		b = append(b, u.Secret...)
		b = append(b, u.Password.Hash[:]...)
		for _, e := range u.Epochs {
			b = append(b, e.Key[:]...)
		}
	}
	return b
}

// sameUser compares every field but the password verifier.
func sameUser(a, b *cryptolayer.User) bool {
	return a.Name == b.Name && a.ID == b.ID && a.Status == b.Status && a.AccessKeyID == b.AccessKeyID &&
		bytes.Equal(a.Secret, b.Secret) && a.Root == b.Root && a.CurrentEpoch == b.CurrentEpoch &&
		a.Created.Equal(b.Created) && fmt.Sprint(epochIDs(a)) == fmt.Sprint(epochIDs(b)) &&
		bytes.Equal(epochKeys(a), epochKeys(b))
}

func epochIDs(u *cryptolayer.User) []uint32 {
	var ids []uint32
	for _, e := range u.Epochs {
		ids = append(ids, e.ID)
	}
	return ids
}

func epochKeys(u *cryptolayer.User) []byte {
	var b []byte
	for _, e := range u.Epochs {
		b = append(b, e.Key[:]...)
	}
	return b
}

func checkNoTemps(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempFilePrefix) {
			t.Errorf("temp file left: %s", filepath.Join(dir, e.Name()))
		}
	}
}
