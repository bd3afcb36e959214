package cryptolayer

import (
	"bytes"
	"os"
	"testing"
	"time"
)

const keystoreGolden = "testdata/keystore-v1.golden"

// Fixed inputs of the keystore golden file (docs/format-keys.md lists them).
var (
	goldenGatewayRoot = testRootKey(0x40) // 40 41 ... 5f
	goldenNonce       = bytes.Repeat([]byte{0x07}, 12)
	goldenPasswords   = map[string][]byte{"alice": []byte("alice password"), "bob.b@example.com": []byte("bob password")}
)

// goldenUsers returns the golden users without their verifier hashes
// (TestKeystoreGolden checks those by verifying the passwords).
func goldenUsers() []*User {
	t1 := time.Date(2025, 1, 2, 3, 4, 5, 123456789, time.UTC)
	t2 := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	alice := &User{
		Name: "alice", ID: [16]byte{0xa1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		Status: StatusActive, Created: t1,
		AccessKeyID: "AKSGALICE00000000001", Secret: Secret("aliceSecret0123456789abcdefghijklmnopqrs"),
		Password: PasswordVerifier{PasswordParams: MinPasswordParams, Salt: [16]byte{0x5a, 1}},
		Root:     testRootKey(0x80), CurrentEpoch: 2,
		Epochs: []Epoch{{ID: 1, Key: testRootKey(0xa0), Created: t1}, {ID: 2, Key: testRootKey(0xc0), Created: t2}},
	}
	bob := &User{
		Name: "bob.b@example.com", ID: [16]byte{0xb0, 0xb0},
		Status: StatusDisabled, Created: t2,
		AccessKeyID: "AKSGBOB0000000000002", Secret: Secret("bob/Secret+with/AWS+alphabet0123456789AB"),
		Password: PasswordVerifier{
			PasswordParams: PasswordParams{Time: 1, MemoryKiB: 40 * 1024, Threads: 2}, Salt: [16]byte{0x5b, 2},
		},
		Root: testRootKey(0xe0), CurrentEpoch: 3,
		Epochs: []Epoch{{ID: 3, Key: testRootKey(0x10), Created: t2}},
	}
	return []*User{alice, bob}
}

// TestKeystoreGolden opens the v1 golden file forever: every field must
// parse to the fixed values, both passwords must verify (two Argon2id runs),
// and sealing the parsed keystore with the golden nonce must give the file
// back byte for byte. The test never writes it; TestFrozenV1Files pins it.
func TestKeystoreGolden(t *testing.T) {
	data, err := os.ReadFile(keystoreGolden)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := OpenKeystore(goldenGatewayRoot, data)
	if err != nil {
		t.Fatal(err)
	}
	want := goldenUsers()
	if len(ks.Users) != len(want) {
		t.Fatalf("%d users", len(ks.Users))
	}
	for i, u := range ks.Users {
		w := want[i]
		w.Password.Hash = u.Password.Hash // checked by Verify below
		wb, _ := marshalKeystoreBody(&Keystore{Users: []*User{w}})
		ub, _ := marshalKeystoreBody(&Keystore{Users: []*User{u}})
		if !bytes.Equal(wb, ub) || !u.Created.Equal(w.Created) {
			t.Errorf("user %d differs from the golden values", i)
		}
	}
	if !ks.Users[0].CheckPassword(goldenPasswords["alice"]) || !ks.Users[1].CheckPassword(goldenPasswords["bob.b@example.com"]) {
		t.Error("golden passwords do not verify")
	}
	again, err := sealKeystore(goldenGatewayRoot, ks, bytes.NewReader(goldenNonce))
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-sealing the golden keystore changed its bytes: %v", err)
	}
}
