package cryptolayer

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// fakeVerifier is a valid-looking verifier of no password: lifecycle tests
// use it to avoid Argon2.
func fakeVerifier([16]byte) (PasswordVerifier, error) {
	v := PasswordVerifier{PasswordParams: MinPasswordParams}
	_, _ = rand.Read(v.Salt[:])
	_, _ = rand.Read(v.Hash[:])
	return v, nil
}

// testKeystore returns a keystore with the named users (no Argon2).
func testKeystore(t testing.TB, names ...string) *Keystore {
	t.Helper()
	ks := &Keystore{}
	for _, n := range names {
		if _, err := ks.addUser(n, fakeVerifier); err != nil {
			t.Fatal(err)
		}
	}
	return ks
}

func mustUser(t *testing.T, ks *Keystore, name string) *User {
	t.Helper()
	u, err := ks.User(name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestKeystoreAddUserDefaults(t *testing.T) {
	ks := testKeystore(t, "alice", "bob", "carol.x@example.com")
	akRe := regexp.MustCompile(`^AKSG[A-Z2-7]{16}$`)
	secretRe := regexp.MustCompile(`^[A-Za-z0-9]{40}$`)
	ids := map[[16]byte]bool{}
	for _, u := range ks.Users {
		switch {
		case u.Status != StatusActive, u.CurrentEpoch != 1, len(u.Epochs) != 1, u.Epochs[0].ID != 1:
			t.Errorf("%s: bad defaults", u.Name)
		case !akRe.MatchString(u.AccessKeyID), !secretRe.Match(u.Secret):
			t.Errorf("%s: bad credentials", u.Name)
		case u.Root == (Key{}), u.Epochs[0].Key == (Key{}), u.Root == u.Epochs[0].Key, ids[u.ID]:
			t.Errorf("%s: bad keys or id", u.Name)
		case u.Created.IsZero() || u.Created.Location().String() != "UTC":
			t.Errorf("%s: created %v", u.Name, u.Created)
		}
		ids[u.ID] = true
	}
	if err := ks.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestKeystoreLifecycle(t *testing.T) {
	tests := []struct {
		name string
		op   func(ks *Keystore) error
		want error
	}{
		{"add duplicate", func(ks *Keystore) error { _, err := ks.addUser("alice", fakeVerifier); return err }, ErrUserExists},
		{"add upper case", func(ks *Keystore) error { _, err := ks.addUser("Alice", fakeVerifier); return err }, ErrInvalidUser},
		{"add empty", func(ks *Keystore) error { _, err := ks.addUser("", fakeVerifier); return err }, ErrInvalidUser},
		{"add colon", func(ks *Keystore) error { _, err := ks.addUser("a:b", fakeVerifier); return err }, ErrInvalidUser},
		{"add slash", func(ks *Keystore) error { _, err := ks.addUser("a/b", fakeVerifier); return err }, ErrInvalidUser},
		{"add leading dash", func(ks *Keystore) error { _, err := ks.addUser("-x", fakeVerifier); return err }, ErrInvalidUser},
		{"add 65 chars", func(ks *Keystore) error { _, err := ks.addUser(strings.Repeat("a", 65), fakeVerifier); return err }, ErrInvalidUser},
		{"add bad params", func(ks *Keystore) error { _, err := ks.AddUser("dave", []byte("pw"), PasswordParams{}); return err }, ErrPasswordParams},
		{"add empty password", func(ks *Keystore) error { _, err := ks.AddUser("dave", nil, MinPasswordParams); return err }, ErrInvalidPassword},
		{"lookup missing", func(ks *Keystore) error { _, err := ks.User("zed"); return err }, ErrNoSuchUser},
		{"lookup missing access key", func(ks *Keystore) error { _, err := ks.UserByAccessKey("AKSGNOPE"); return err }, ErrNoSuchUser},
		{"lookup missing id", func(ks *Keystore) error { _, err := ks.UserByID([16]byte{9}); return err }, ErrNoSuchUser},
		{"delete missing", func(ks *Keystore) error { return ks.DeleteUser("zed") }, ErrNoSuchUser},
		{"credentials missing", func(ks *Keystore) error { _, _, err := ks.NewCredentials("zed"); return err }, ErrNoSuchUser},
		{"drop current", func(ks *Keystore) error { return mustUser(t, ks, "alice").DropEpoch(1) }, ErrCurrentEpoch},
		{"drop unknown", func(ks *Keystore) error { return mustUser(t, ks, "alice").DropEpoch(7) }, ErrUnknownEpoch},
		{"epoch unknown", func(ks *Keystore) error { _, err := mustUser(t, ks, "alice").EpochKey(2); return err }, ErrUnknownEpoch},
		{"rotate then drop old", func(ks *Keystore) error {
			u := mustUser(t, ks, "alice")
			if id, err := u.Rotate(); err != nil || id != 2 || u.CurrentEpoch != 2 {
				return fmt.Errorf("rotate: %d %v", id, err)
			}
			if err := u.DropEpoch(1); err != nil {
				return err
			}
			_, err := u.EpochKey(1)
			return err
		}, ErrUnknownEpoch},
		{"too many epochs", func(ks *Keystore) error {
			u := mustUser(t, ks, "alice")
			for {
				if _, err := u.Rotate(); err != nil {
					return err
				}
			}
		}, ErrTooManyEpochs},
		{"lookups", func(ks *Keystore) error {
			u := mustUser(t, ks, "bob")
			a, err1 := ks.UserByAccessKey(u.AccessKeyID)
			b, err2 := ks.UserByID(u.ID)
			if a != u || b != u {
				return fmt.Errorf("lookup mismatch: %v %v", err1, err2)
			}
			return nil
		}, nil},
		{"new credentials revoke old", func(ks *Keystore) error {
			u := mustUser(t, ks, "alice")
			old := u.AccessKeyID
			id, secret, err := ks.NewCredentials("alice")
			if err != nil || id == old || u.AccessKeyID != id || !bytes.Equal(u.Secret, secret) {
				return fmt.Errorf("new credentials: %v", err)
			}
			_, err = ks.UserByAccessKey(old)
			return err
		}, ErrNoSuchUser},
		{"delete", func(ks *Keystore) error {
			if err := ks.DeleteUser("alice"); err != nil {
				return err
			}
			if len(ks.Users) != 1 || ks.Users[0].Name != "bob" {
				return fmt.Errorf("wrong users left")
			}
			_, err := ks.User("alice")
			return err
		}, ErrNoSuchUser},
		{"re-create gets a new id", func(ks *Keystore) error {
			old := mustUser(t, ks, "alice").ID
			_ = ks.DeleteUser("alice")
			u, err := ks.addUser("alice", fakeVerifier)
			if err != nil || u.ID == old {
				return fmt.Errorf("re-created: %v", err)
			}
			return nil
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ks := testKeystore(t, "alice", "bob")
			err := tc.op(ks)
			if (tc.want == nil && err != nil) || !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if err := ks.Validate(); err != nil {
				t.Fatalf("keystore invalid after op: %v", err)
			}
		})
	}
}

func TestKeystoreSealOpen(t *testing.T) {
	root := NewKey()
	ks := testKeystore(t, "alice", "bob")
	_, _ = ks.Users[0].Rotate()
	sealed, err := SealKeystore(root, ks)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKeystore(root, sealed)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := marshalKeystoreBody(ks)
	b, _ := marshalKeystoreBody(got)
	if !bytes.Equal(a, b) {
		t.Fatal("round trip changed the keystore")
	}
	again, _ := SealKeystore(root, ks)
	if bytes.Equal(again, sealed) {
		t.Fatal("nonce reused")
	}
	empty, err := SealKeystore(root, &Keystore{})
	if err != nil {
		t.Fatal(err)
	}
	if ks, err := OpenKeystore(root, empty); err != nil || len(ks.Users) != 0 {
		t.Fatalf("empty keystore: %v", err)
	}
}

func TestKeystoreOpenTampered(t *testing.T) {
	root := NewKey()
	sealed, err := SealKeystore(root, testKeystore(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	anyErr := func(err error) bool {
		return errors.Is(err, ErrKeystoreAuth) || errors.Is(err, ErrKeystoreFormat) || errors.Is(err, ErrUnsupportedVersion)
	}
	for i := range sealed {
		for bit := range 8 {
			bad := bytes.Clone(sealed)
			bad[i] ^= 1 << bit
			if _, err := OpenKeystore(root, bad); !anyErr(err) {
				t.Fatalf("flip byte %d bit %d: %v", i, bit, err)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := OpenKeystore(root, sealed[:n]); !anyErr(err) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
	cases := map[string]struct {
		data []byte
		key  Key
		want error
	}{
		"wrong root key": {sealed, NewKey(), ErrKeystoreAuth},
		"extended":       {append(bytes.Clone(sealed), 0), root, ErrKeystoreAuth},
		"version 2":      {append([]byte("SGWK\x02"), sealed[5:]...), root, ErrUnsupportedVersion},
		"version 0":      {append([]byte("SGWK\x00"), sealed[5:]...), root, ErrUnsupportedVersion},
		"bad magic":      {append([]byte("SGWE\x01"), sealed[5:]...), root, ErrKeystoreFormat},
		"empty":          {nil, root, ErrKeystoreFormat},
		"header only":    {sealed[:17], root, ErrKeystoreAuth},
	}
	for name, c := range cases {
		if _, err := OpenKeystore(c.key, c.data); !errors.Is(err, c.want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// sealRaw seals a body without validating it, as an attacker holding the
// root key (or a buggy writer) could.
func sealRaw(t *testing.T, root Key, users ...*User) []byte {
	t.Helper()
	body := []byte{0, 0, 0, byte(len(users))}
	for _, u := range users {
		body = appendUser(body, u)
	}
	out := append([]byte("SGWK\x01"), make([]byte, 12)...)
	return keystoreAEAD(root).Seal(out, out[5:], body, out[:5])
}

func TestKeystoreRejectsInvalidBodies(t *testing.T) {
	root := NewKey()
	clone := func(u *User) *User {
		c := *u
		c.Epochs = append([]Epoch(nil), u.Epochs...)
		return &c
	}
	base := testKeystore(t, "alice", "bob")
	a, b := base.Users[0], base.Users[1]
	mod := func(f func(u *User)) *User { c := clone(b); f(c); return c }
	tests := map[string][]*User{
		"duplicate name":       {a, mod(func(u *User) { u.Name = "alice" })},
		"duplicate id":         {a, mod(func(u *User) { u.ID = a.ID })},
		"duplicate access key": {a, mod(func(u *User) { u.AccessKeyID = a.AccessKeyID })},
		"memory 4 GiB":         {mod(func(u *User) { u.Password.MemoryKiB = 4 << 20 })},
		"memory 1 KiB":         {mod(func(u *User) { u.Password.MemoryKiB = 1 })},
		"time 1000":            {mod(func(u *User) { u.Password.Time = 1000 })},
		"threads 255":          {mod(func(u *User) { u.Password.Threads = 255 })},
		"zero root key":        {mod(func(u *User) { u.Root = Key{} })},
		"zero id":              {mod(func(u *User) { u.ID = [16]byte{} })},
		"no epochs":            {mod(func(u *User) { u.Epochs = nil })},
		"current missing":      {mod(func(u *User) { u.CurrentEpoch = 5 })},
		"zero epoch key":       {mod(func(u *User) { u.Epochs[0].Key = Key{} })},
		"epoch 0":              {mod(func(u *User) { u.Epochs[0].ID, u.CurrentEpoch = 0, 0 })},
		"epochs unsorted":      {mod(func(u *User) { u.Epochs = append(u.Epochs, Epoch{ID: 1, Key: NewKey()}) })},
		"status 0":             {mod(func(u *User) { u.Status = 0 })},
		"status 3":             {mod(func(u *User) { u.Status = 3 })},
		"bad name":             {mod(func(u *User) { u.Name = "Bob" })},
		"short access key":     {mod(func(u *User) { u.AccessKeyID = "AKSG" })},
		"lowercase access key": {mod(func(u *User) { u.AccessKeyID = strings.ToLower(b.AccessKeyID) })},
		"secret with space":    {mod(func(u *User) { u.Secret = Secret(strings.Repeat("a ", 10)) })},
		"secret too long":      {mod(func(u *User) { u.Secret = make(Secret, 129) })},
	}
	for name, users := range tests {
		if _, err := OpenKeystore(root, sealRaw(t, root, users...)); !errors.Is(err, ErrKeystoreFormat) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := SealKeystore(root, &Keystore{Users: users}); !errors.Is(err, ErrKeystoreFormat) {
			t.Errorf("%s: sealed: %v", name, err)
		}
	}
	good := sealRaw(t, root, a)
	if _, err := OpenKeystore(root, good); err != nil {
		t.Fatalf("control: %v", err)
	}
	body, _ := marshalKeystoreBody(&Keystore{Users: []*User{a}})
	for name, bad := range map[string][]byte{
		"trailing byte": append(bytes.Clone(body), 0),
		"count too big": append([]byte{0, 0, 0, 2}, body[4:]...),
		"nanos 1e9":     bytes.Replace(body, appendTime(nil, a.Created), append(appendTime(nil, a.Created)[:8], 0x3b, 0x9a, 0xca, 0x00), 1),
	} {
		if _, err := parseKeystoreBody(bad); !errors.Is(err, ErrKeystoreFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
