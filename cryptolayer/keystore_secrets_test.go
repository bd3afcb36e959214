package cryptolayer

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestKeystorePasswordSwap runs Argon2id three times: a verifier moved to
// another user's record does not verify there, and a verifier sealed and
// reopened still verifies.
func TestKeystorePasswordSwap(t *testing.T) {
	ks := testKeystore(t, "bob")
	pw := []byte("old password 1")
	alice, err := ks.AddUser("alice", pw, MinPasswordParams) // Argon2 #1
	if err != nil {
		t.Fatal(err)
	}
	bob := mustUser(t, ks, "bob")

	// Swap alice's verifier into bob's record (as an attacker editing the
	// plaintext keystore would): alice's password must not open bob.
	bobV := bob.Password
	bob.Password = alice.Password
	if bob.CheckPassword(pw) { // Argon2 #2
		t.Fatal("verifier copied to another user verifies")
	}
	bob.Password = bobV

	// Sealed and reopened, the verifier still verifies (#3).
	root := NewKey()
	sealed, _ := SealKeystore(root, ks)
	got, err := OpenKeystore(root, sealed)
	if err != nil || !mustUser(t, got, "alice").CheckPassword(pw) {
		t.Fatalf("reopened verifier: %v", err)
	}
}

func TestKeystoreDeleteShredsKeys(t *testing.T) {
	ks := testKeystore(t, "alice", "bob")
	alice := mustUser(t, ks, "alice")
	if _, err := alice.Rotate(); err != nil {
		t.Fatal(err)
	}
	secrets := [][]byte{
		bytes.Clone(alice.Root[:]), bytes.Clone(alice.Epochs[0].Key[:]), bytes.Clone(alice.Epochs[1].Key[:]),
		bytes.Clone(alice.Secret), bytes.Clone(alice.Password.Hash[:]), []byte(alice.AccessKeyID),
	}
	body, _ := marshalKeystoreBody(ks)
	for i, s := range secrets {
		if !bytes.Contains(body, s) {
			t.Fatalf("control: secret %d not in body", i)
		}
	}
	bobBefore := bytes.Clone(body[bytes.Index(body, []byte("\x00\x00\x00\x03bob")):])
	if err := ks.DeleteUser("alice"); err != nil {
		t.Fatal(err)
	}
	body, _ = marshalKeystoreBody(ks)
	for i, s := range secrets {
		if bytes.Contains(body, s) {
			t.Fatalf("secret %d survives deletion", i)
		}
	}
	if !bytes.Equal(body[4:], bobBefore) {
		t.Fatal("deletion changed another user")
	}
	if alice.Root != (Key{}) || alice.Epochs != nil || alice.Secret != nil || alice.Password.Hash != [32]byte{} {
		t.Fatal("deleted user's keys not wiped in memory")
	}
}

func TestKeystoreDropEpochShredsKey(t *testing.T) {
	ks := testKeystore(t, "alice")
	u := ks.Users[0]
	_, _ = u.Rotate()
	old := bytes.Clone(u.Epochs[0].Key[:])
	if err := u.DropEpoch(1); err != nil {
		t.Fatal(err)
	}
	body, _ := marshalKeystoreBody(ks)
	if bytes.Contains(body, old) {
		t.Fatal("dropped epoch key still in the keystore")
	}
}

func TestKeystoreNothingPrintsSecrets(t *testing.T) {
	ks := testKeystore(t, "alice")
	u := ks.Users[0]
	u.Secret = Secret("CANARYSECRETCANARYSECRET")
	u.Root = Key{0xca, 0xfe, 0xba, 0xbe}
	u.Epochs[0].Key = Key{0xca, 0xfe, 0xba, 0xbe}
	u.Password.Hash = [32]byte{0xca, 0xfe, 0xba, 0xbe}
	for _, s := range []string{
		fmt.Sprintf("%v %+v %#v", u, u, u),
		fmt.Sprintf("%v %+v %#v", *u, *u, ks),
		fmt.Sprintf("%x %X %q", u.Secret, u.Root, u.Password),
	} {
		low := strings.ToLower(s)
		if strings.Contains(low, "canary") || strings.Contains(low, "cafe") || strings.Contains(s, "202 254") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func TestKeystoreCloneIsDeep(t *testing.T) {
	ks := testKeystore(t, "alice", "bob")
	before, _ := marshalKeystoreBody(ks)
	alice := mustUser(t, ks, "alice")
	c := ks.Clone()
	if _, err := mustUser(t, c, "alice").Rotate(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.NewCredentials("bob"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteUser("alice"); err != nil {
		t.Fatal(err)
	}
	after, _ := marshalKeystoreBody(ks)
	if !bytes.Equal(before, after) || alice.Root == (Key{}) {
		t.Fatal("changing a clone changed the original")
	}
	wiped := &User{}
	defer func() {
		if recover() == nil {
			t.Fatal("a wiped user derived a name cipher")
		}
	}()
	wiped.NameCipher("b")
}
