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
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Tests use cryptolayer.MinPasswordParams and count Argon2id runs: the
// whole file set runs about twenty.

var testRoot = cryptolayer.Key{0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9}

// testClock is a settable clock shared by the Accounts of a test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestDir returns an initialised data dir.
func newTestDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := InitAccounts(dir, testRoot); err != nil {
		t.Fatal(err)
	}
	return dir
}

// openTest opens dir like a server or the CLI would; it never sleeps.
func openTest(t *testing.T, dir string, clk *testClock) *Accounts {
	t.Helper()
	a, err := OpenAccounts(AccountsConfig{Dir: dir, Root: testRoot, PasswordParams: cryptolayer.MinPasswordParams, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	a.sleep = func(time.Duration) {}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// readKeystore opens the keystore file as it is on disk.
func readKeystore(t *testing.T, dir string) (*cryptolayer.Keystore, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, keystoreFile))
	if err != nil {
		t.Fatal(err)
	}
	ks, err := cryptolayer.OpenKeystore(testRoot, raw)
	if err != nil {
		t.Fatal(err)
	}
	return ks, raw
}

func mustCreate(t *testing.T, a *Accounts, name string, pw []byte) Credentials {
	t.Helper()
	c, err := a.Create(name, pw)
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	return c
}

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
	upstream, oldKey := alice.user().UpstreamDir(), creds.AccessKeyID
	var newKey string

	steps := []struct {
		name string
		do   func() error
		want []error // errors.Is each
	}{
		{"create existing", func() error { _, err := a.Create("alice", []byte("x")); return err }, []error{ErrUserExists}},
		{"create invalid name", func() error { _, err := a.Create("Alice:x", []byte("x")); return err },
			[]error{ErrInvalidUserName, cryptolayer.ErrInvalidUser}},
		{"create empty password", func() error { _, err := a.Create("carol", []byte{}); return err },
			[]error{ErrInvalidPassword, cryptolayer.ErrInvalidPassword}},
		{"get unknown", func() error { _, err := a.Get("zed"); return err }, []error{ErrNoSuchUser}},
		{"by unknown access key", func() error { _, err := a.ByAccessKey("AKSGNOSUCHKEY0000000"); return err }, []error{ErrNoSuchUser}},
		{"change password unknown", func() error { return a.ChangePassword("zed", []byte("x")) }, []error{ErrNoSuchUser}},
		{"new keys unknown", func() error { _, err := a.NewKeys("zed"); return err }, []error{ErrNoSuchUser}},
		{"rotate unknown", func() error { _, err := a.Rotate("zed"); return err }, []error{ErrNoSuchUser}},
		{"delete unknown", func() error { _, err := a.Delete("zed"); return err }, []error{ErrNoSuchUser}},
		{"status unknown", func() error { return a.SetStatus("zed", AccountDisabled) }, []error{ErrNoSuchUser}},
		{"status invalid", func() error { return a.SetStatus("alice", 7) }, []error{ErrInvalidArgument}},
		{"rotate", func() error { return wantEpoch(a.Rotate("alice")) }, nil},
		{"rotate again", func() error { return wantEpoch(a.Rotate("alice")) }, nil},
		{"list shows epochs", func() error {
			if l := a.List(); len(l) != 1 || l[0].CurrentEpoch != 3 || fmt.Sprint(l[0].Epochs) != "[1 2 3]" {
				return fmt.Errorf("List = %+v", l)
			}
			return nil
		}, nil},
		{"content key of the current epoch", func() error {
			acc, _ := a.Get("alice")
			if ck, err := acc.user().ContentKey(); err != nil || ck.Epoch != 3 {
				return fmt.Errorf("ContentKey = %d, %v", ck.Epoch, err)
			}
			return nil
		}, nil},
		{"new keys", func() error {
			c, err := a.NewKeys("alice")
			newKey = c.AccessKeyID
			if err == nil && (c.AccessKeyID == oldKey || c.Password != nil || len(c.SecretAccessKey) != 40) {
				err = fmt.Errorf("new keys: %v", c)
			}
			return err
		}, nil},
		{"old key revoked", func() error { _, err := a.ByAccessKey(oldKey); return err }, []error{ErrNoSuchUser}},
		{"new key works", func() error { _, err := a.ByAccessKey(newKey); return err }, nil},
		{"disable", func() error { return a.SetStatus("alice", AccountDisabled) }, nil},
		{"disabled key refused", func() error { _, err := a.ByAccessKey(newKey); return err }, []error{ErrAccessDenied}},
		{"disabled still listed", func() error { return wantStatus(a, "alice", AccountDisabled) }, nil},
		{"enable", func() error { return a.SetStatus("alice", AccountActive) }, nil},
		{"enabled key works", func() error { _, err := a.ByAccessKey(newKey); return err }, nil},
		{"delete", func() error {
			d, err := a.Delete("alice")
			if err == nil && d != upstream {
				err = fmt.Errorf("upstream dir %q, want %q", d, upstream)
			}
			return err
		}, nil},
		{"deleted get", func() error { _, err := a.Get("alice"); return err }, []error{ErrNoSuchUser}},
		{"deleted key", func() error { _, err := a.ByAccessKey(newKey); return err }, []error{ErrNoSuchUser}},
		{"delete twice", func() error { _, err := a.Delete("alice"); return err }, []error{ErrNoSuchUser}},
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
	checkModes(t, dir)
}

// wantEpoch checks that Rotate made a new, later epoch.
func wantEpoch(e uint32, err error) error {
	if err == nil && e < 2 {
		return fmt.Errorf("epoch %d", e)
	}
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

// checkModes checks that the keystore and lock are 0600, the dir 0700.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	for name, want := range map[string]os.FileMode{"": 0o700 | os.ModeDir, keystoreFile: 0o600, lockFile: 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Join(dir, name), fi.Mode(), want)
		}
	}
}

func TestOpenAccountsErrors(t *testing.T) {
	base := t.TempDir()
	good := newTestDir(t)
	garbage := filepath.Join(base, "garbage")
	if err := os.MkdirAll(garbage, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(garbage, keystoreFile), []byte("not a keystore at all, no"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir string
		root      cryptolayer.Key
		want      error
		msg       string
	}{
		{"missing dir", filepath.Join(base, "nope"), testRoot, ErrNoKeystore, "sealgate init"},
		{"empty dir", base, testRoot, ErrNoKeystore, "sealgate init"},
		{"wrong root key", good, cryptolayer.Key{9}, cryptolayer.ErrKeystoreAuth, "root key"},
		{"not a keystore", garbage, testRoot, cryptolayer.ErrKeystoreFormat, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := OpenAccounts(AccountsConfig{Dir: tt.dir, Root: tt.root})
			if a != nil || !errors.Is(err, tt.want) || !strings.Contains(fmt.Sprint(err), tt.msg) {
				t.Fatalf("OpenAccounts = %v, %v; want %v naming %q", a, err, tt.want, tt.msg)
			}
		})
	}
}

func TestInitAccounts(t *testing.T) {
	dir := newTestDir(t)
	before, err := os.ReadFile(filepath.Join(dir, keystoreFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		root cryptolayer.Key
		want error
	}{
		{"again: no change", testRoot, nil},
		{"other root key: refused", cryptolayer.Key{9}, cryptolayer.ErrKeystoreAuth},
	}
	for _, tt := range tests {
		if err := InitAccounts(dir, tt.root); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, keystoreFile)); !bytes.Equal(before, after) {
			t.Errorf("%s: keystore overwritten", tt.name)
		}
	}
	if ks, _ := readKeystore(t, dir); len(ks.Users) != 0 {
		t.Errorf("new keystore has %d users", len(ks.Users))
	}
	checkModes(t, dir)
}

func TestOpenRemovesTempLeftovers(t *testing.T) {
	dir := newTestDir(t)
	leftovers := []string{tempFilePrefix + "123", tempFilePrefix + "crash"}
	for _, n := range leftovers {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("sealed key material"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	other := filepath.Join(dir, "root.key")
	if err := os.WriteFile(other, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	openTest(t, dir, newTestClock())
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
	if _, err := a.Create("x", []byte("x")); !errors.Is(err, ErrAccountsClosed) {
		t.Errorf("Create after Close: %v", err)
	}
	if _, err := a.Get("x"); !errors.Is(err, ErrNoSuchUser) {
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
	dir1, c1 := a.namespaceKeys()
	dir2, c2 := a.namespaceKeys()
	if c1 != c2 || dir1 != dir2 {
		t.Fatal("derived twice")
	}
	if dir1 != u.UpstreamDir() {
		t.Fatalf("dir %q, record derives %q", dir1, u.UpstreamDir())
	}
	bare := &Account{u: u}
	if dir, c := bare.namespaceKeys(); dir != dir1 || c == nil {
		t.Fatal("an account without the cache derives differently")
	}
}
