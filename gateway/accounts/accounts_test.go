package accounts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

func TestAccountsLifecycle(t *testing.T) {
	dir := newTestDir(t)
	a := openTest(t, dir, newTestClock())
	creds := mustCreate(t, a, "alice", nil) // generated password
	if len(creds.Password) != 29 || !strings.HasPrefix(creds.AccessKeyID, "AKSG") || len(creds.SecretAccessKey) != 40 {
		t.Fatalf("credentials: password %d bytes, key %q, secret %d bytes", len(creds.Password), creds.AccessKeyID, len(creds.SecretAccessKey))
	}
	alice, err := a.Get("alice")
	if err != nil || !bytes.Equal(alice.Secret(), creds.SecretAccessKey) || alice.Status() != AccountActive {
		t.Fatalf("Get(alice) = %v, %v", alice, err)
	}
	upstream, oldKey := alice.KeyRecord().UpstreamDir(), creds.AccessKeyID
	var newKey string

	steps := []struct {
		name string
		do   func() error
		want []error // errors.Is each
	}{
		{"create existing", func() error { _, err := a.Create(ctx, "alice", []byte("x")); return err }, []error{gateway.ErrUserExists}},
		{"create invalid name", func() error { _, err := a.Create(ctx, "Alice:x", []byte("x")); return err },
			[]error{ErrInvalidUserName, cryptolayer.ErrInvalidUser}},
		{"create empty password", func() error { _, err := a.Create(ctx, "carol", []byte{}); return err },
			[]error{ErrInvalidPassword, cryptolayer.ErrInvalidPassword}},
		{"get unknown", func() error { _, err := a.Get("zed"); return err }, []error{gateway.ErrNoSuchUser}},
		{"by unknown access key", func() error { _, err := a.ByAccessKey("AKSGNOSUCHKEY0000000"); return err }, []error{gateway.ErrNoSuchUser}},
		{"change password unknown", func() error { return a.ChangePassword(ctx, "zed", []byte("x")) }, []error{gateway.ErrNoSuchUser}},
		{"new keys unknown", func() error { _, err := a.NewKeys(ctx, "zed"); return err }, []error{gateway.ErrNoSuchUser}},
		{"rotate unknown", func() error { _, err := a.Rotate(ctx, "zed"); return err }, []error{gateway.ErrNoSuchUser}},
		{"delete unknown", func() error { _, err := a.Delete(ctx, "zed"); return err }, []error{gateway.ErrNoSuchUser}},
		{"rotate", func() error { return wantEpoch(a.Rotate(ctx, "alice")) }, nil},
		{"rotate again", func() error { return wantEpoch(a.Rotate(ctx, "alice")) }, nil},
		{"list shows epochs", func() error {
			if l := a.List(); len(l) != 1 || l[0].CurrentEpoch != 3 || fmt.Sprint(l[0].Epochs) != "[1 2 3]" {
				return fmt.Errorf("List = %+v", l)
			}
			return nil
		}, nil},
		{"content key of the current epoch", func() error {
			acc, _ := a.Get("alice")
			if ck, err := acc.KeyRecord().ContentKey(); err != nil || ck.Epoch != 3 {
				return fmt.Errorf("ContentKey = %d, %v", ck.Epoch, err)
			}
			return nil
		}, nil},
		{"new keys", func() error {
			c, err := a.NewKeys(ctx, "alice")
			newKey = c.AccessKeyID
			if err == nil && (c.AccessKeyID == oldKey || c.Password != nil || len(c.SecretAccessKey) != 40) {
				err = fmt.Errorf("new keys: %v", c)
			}
			return err
		}, nil},
		{"old key revoked", func() error { _, err := a.ByAccessKey(oldKey); return err }, []error{gateway.ErrNoSuchUser}},
		{"new key works", func() error { _, err := a.ByAccessKey(newKey); return err }, nil},
		{"disable", func() error { return setStatus(a, "alice", AccountDisabled) }, nil},
		{"disabled key refused", func() error { _, err := a.ByAccessKey(newKey); return err }, []error{gateway.ErrAccessDenied}},
		{"disabled still listed", func() error { return wantStatus(a, "alice", AccountDisabled) }, nil},
		{"enable", func() error { return setStatus(a, "alice", AccountActive) }, nil},
		{"enabled key works", func() error { _, err := a.ByAccessKey(newKey); return err }, nil},
		{"delete", func() error {
			d, err := a.Delete(ctx, "alice")
			if err == nil && d != upstream {
				err = fmt.Errorf("upstream dir %q, want %q", d, upstream)
			}
			return err
		}, nil},
		{"deleted get", func() error { _, err := a.Get("alice"); return err }, []error{gateway.ErrNoSuchUser}},
		{"deleted key", func() error { _, err := a.ByAccessKey(newKey); return err }, []error{gateway.ErrNoSuchUser}},
		{"delete twice", func() error { _, err := a.Delete(ctx, "alice"); return err }, []error{gateway.ErrNoSuchUser}},
	}
	for _, s := range steps {
		err := s.do()
		if s.want == nil && err != nil {
			t.Errorf("%s: %v", s.name, err)
		}
		for _, w := range s.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: error %v, want %v", s.name, err, w)
			}
		}
	}
	if l := a.List(); len(l) != 0 {
		t.Errorf("List after delete = %v", l)
	}
	checkModes(t, dir.dir)
}

// wantEpoch checks that Rotate made a new, later epoch.
func wantEpoch(e uint32, err error) error {
	if err == nil && e < 2 {
		return fmt.Errorf("epoch %d", e)
	}
	return err
}

// setStatus writes status s into name's record, as a record carrying it
// would arrive: sealgate has no command that changes a status, but Login
// and ByAccessKey refuse a disabled account (docs/format-keys.md §2).
func setStatus(a *Accounts, name string, s AccountStatus) error {
	err := a.update(context.Background(), func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		u.Status = cryptolayer.UserStatus(s)
		return nil
	})
	a.login.forget(name)
	return err
}

func wantStatus(a *Accounts, name string, s AccountStatus) error {
	for _, sum := range a.List() {
		if sum.Name == name && sum.Status != s {
			return fmt.Errorf("status %v, want %v", sum.Status, s)
		}
	}
	return nil
}

// checkModes checks that the seen keystore and lock are 0600, the dir 0700.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	for name, want := range map[string]os.FileMode{"": 0o700 | os.ModeDir, seenFile: 0o600, lockFile: 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Join(dir, name), fi.Mode(), want)
		}
	}
}

func TestOpenRemovesTempLeftovers(t *testing.T) {
	g := newTestDir(t)
	dir := g.dir
	leftovers := []string{tempPrefix + "123", tempPrefix + "crash"}
	for _, n := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("sealed key material"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "root.key")
	if err := os.WriteFile(other, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	openTest(t, g, newTestClock())
	for _, n := range leftovers {
		if _, err := os.Stat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s not removed: %v", n, err)
		}
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("other file removed: %v", err)
	}
}

func TestSecretsRedacted(t *testing.T) {
	secret, pw := "SECRETsecret0123456789", "PASSWORDpassword"
	c := Credentials{User: "u", AccessKeyID: "AKSGX", SecretAccessKey: []byte(secret), Password: []byte(pw)}
	acc := &Account{u: &cryptolayer.User{Name: "u", AccessKeyID: "AKSGX", Secret: cryptolayer.Secret(secret), Status: cryptolayer.StatusActive}}
	for _, v := range []any{c, &c, acc, *acc, []any{c, acc}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) || strings.Contains(out, pw) ||
				strings.Contains(out, fmt.Sprintf("%x", secret)) || strings.Contains(out, fmt.Sprintf("%x", pw)) {
				t.Errorf("%s of %T shows a secret: %s", verb, v, out)
			}
		}
	}
	c.Wipe()
	if !bytes.Equal(c.SecretAccessKey, make([]byte, len(secret))) || !bytes.Equal(c.Password, make([]byte, len(pw))) {
		t.Error("Wipe left bytes")
	}
}

func TestClosedAccounts(t *testing.T) {
	a := openTest(t, newTestDir(t), newTestClock())
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Create(ctx, "x", []byte("x password")); !errors.Is(err, ErrClosed) {
		t.Errorf("Create after Close: %v", err)
	}
	if _, err := a.Get("x"); !errors.Is(err, gateway.ErrNoSuchUser) {
		t.Errorf("Get after Close: %v", err)
	}
	if l := a.List(); l != nil {
		t.Errorf("List after Close: %v", l)
	}
}

// TestNamespaceKeysDerivedOnce: the namespace keys of an account snapshot
// are derived on first use only, and equal what the record derives.
func TestNamespaceKeysDerivedOnce(t *testing.T) {
	u := &cryptolayer.User{Name: "u", Root: cryptolayer.NewKey()}
	a := newAccount(u)
	dir1, c1 := a.NamespaceKeys()
	dir2, c2 := a.NamespaceKeys()
	if c1 != c2 || dir1 != dir2 {
		t.Fatal("derived twice")
	}
	if dir1 != u.UpstreamDir() {
		t.Fatalf("dir %q, record derives %q", dir1, u.UpstreamDir())
	}
	bare := &Account{u: u}
	if dir, c := bare.NamespaceKeys(); dir != dir1 || c == nil {
		t.Fatal("an account without the cache derives differently")
	}
}
