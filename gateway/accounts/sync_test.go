package accounts

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
	"github.com/sealgate/sealgate/gateway"
)

// A server and the CLI on one data dir, and another gateway's server on
// its own data dir, over one upstream: the CLI's changes reach both
// servers at their next poll, and a lookup miss reads the upstream at once.
func TestCLIAndServers(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	cli, server := openTest(t, g, clk), openTest(t, g, clk)
	remote := openTest(t, g.other(t), clk)
	servers := []*Accounts{server, remote}
	pw := []byte("dave password")
	creds := mustCreate(t, cli, "dave", pw)

	// A new account works at once: the lookup miss reads the upstream.
	for i, s := range servers {
		if acc, err := s.ByAccessKey(creds.AccessKeyID); err != nil || acc.Name() != "dave" {
			t.Fatalf("server %d ByAccessKey after create: %v, %v", i, acc, err)
		}
		if _, err := s.Login("dave", pw); err != nil {
			t.Fatalf("server %d Login after create: %v", i, err)
		}
	}
	// Other changes apply at the next poll.
	if _, err := cli.Rotate(ctx, "dave"); err != nil {
		t.Fatal(err)
	}
	pollAll(servers)
	for i, s := range servers {
		if l := s.List(); l[0].CurrentEpoch != 2 {
			t.Errorf("server %d: rotation not seen after a poll: epoch %d", i, l[0].CurrentEpoch)
		}
	}
	newCreds, err := cli.NewKeys(ctx, "dave")
	if err != nil {
		t.Fatal(err)
	}
	pollAll(servers)
	for i, s := range servers {
		checkSteps(t, fmt.Sprint("server ", i), []step{
			{"old key refused", func() error { _, err := s.ByAccessKey(creds.AccessKeyID); return err }, gateway.ErrNoSuchUser},
			{"cached login checked again (keys changed elsewhere)", func() error {
				runs := s.login.runs.Load()
				_, err := s.Login("dave", pw)
				if n := s.login.runs.Load() - runs; err == nil && n != 1 {
					err = fmt.Errorf("%d Argon2id runs, want 1", n)
				}
				return err
			}, nil},
			{"new key works", func() error {
				acc, err := s.ByAccessKey(newCreds.AccessKeyID)
				if err == nil && !bytes.Equal(acc.Secret(), newCreds.SecretAccessKey) {
					err = errors.New("old secret")
				}
				return err
			}, nil},
		})
	}
	if _, err := cli.Delete(ctx, "dave"); err != nil {
		t.Fatal(err)
	}
	pollAll(servers)
	for i, s := range servers {
		checkSteps(t, fmt.Sprint("server ", i), []step{
			{"deleted: login refused", func() error { _, err := s.Login("dave", pw); return err }, gateway.ErrAccessDenied},
			{"deleted: key refused", func() error { _, err := s.ByAccessKey(newCreds.AccessKeyID); return err }, gateway.ErrNoSuchUser},
			{"deleted: get", func() error { _, err := s.Get("dave"); return err }, gateway.ErrNoSuchUser},
		})
		if l := s.List(); len(l) != 0 {
			t.Errorf("server %d still lists %v", i, l)
		}
	}
}

type step struct {
	name string
	do   func() error
	want error
}

func checkSteps(t *testing.T, who string, steps []step) {
	t.Helper()
	for _, s := range steps {
		if err := s.do(); !errors.Is(err, s.want) || (s.want == nil) != (err == nil) {
			t.Errorf("%s: %s: %v, want %v", who, s.name, err, s.want)
		}
	}
}

func pollAll(as []*Accounts) {
	for _, a := range as {
		a.poll(ctx)
	}
}

// TestConcurrentChanges: eight account adds and sixteen rotations through
// three gateways at once (each a compare-and-swap on the one record) all
// land: none is lost.
func TestConcurrentChanges(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	accs := []*Accounts{openTest(t, g, clk), openTest(t, g.other(t), clk), openTest(t, g.other(t), clk)}
	mustCreate(t, accs[0], "frank", []byte("frank password"))
	const adds, rotations = 8, 16
	var wg sync.WaitGroup
	errs := make(chan error, adds+rotations)
	for i := range adds {
		wg.Go(func() {
			_, err := accs[i%3].Create(ctx, fmt.Sprintf("user-%d", i), []byte("pw"))
			errs <- err
		})
	}
	for i := range rotations {
		wg.Go(func() {
			_, err := accs[i%3].Rotate(ctx, "frank")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	ks, _ := readKeystore(t, g)
	frank, err := ks.User("frank")
	if err != nil || len(ks.Users) != 1+adds || len(frank.Epochs) != 1+rotations || frank.CurrentEpoch != 1+rotations {
		t.Fatalf("keystore after concurrent changes: %d users, frank %v", len(ks.Users), err)
	}
	for i, a := range accs {
		a.poll(ctx)
		if n := len(a.List()); n != 1+adds {
			t.Errorf("gateway %d lists %d users", i, n)
		}
	}
	checkNoTemps(t, g.dir)
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
	if _, err := a.Rotate(ctx, "gina"); err != nil {
		t.Fatal(err)
	}
	ks, _ := readKeystore(t, dir)
	gina, _ := ks.User("gina")
	hankBefore, _ := ks.User("hank")
	secrets := [][]byte{gina.Root[:], gina.Epochs[0].Key[:], gina.Epochs[1].Key[:], gina.ID[:], gina.Password.Hash[:], gina.Secret}

	if _, err := a.Delete(ctx, "gina"); err != nil {
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
	checkNoTemps(t, dir.dir)
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
		if strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("temp file left: %s", filepath.Join(dir, e.Name()))
		}
	}
}
