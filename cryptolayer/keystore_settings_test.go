package cryptolayer

import (
	"bytes"
	"errors"
	"os"
	"testing"
	"time"
)

const keystoreV3Golden = "testdata/keystore-v3.golden"

// testSettings returns settings with every field set, for u.
func testSettings(u *User) *AccountSettings {
	t := time.Date(2026, 12, 5, 1, 2, 3, 400, time.UTC)
	return &AccountSettings{
		TOTPSecret:    Secret(bytes.Repeat([]byte{0x70}, TOTPSecretLen)),
		TOTPLastStep:  59_000_000,
		RecoveryCodes: [][32]byte{u.RecoveryCodeHash([]byte("code-one")), u.RecoveryCodeHash([]byte("code-two"))},
		AppPasswords:  []AppPassword{{ID: [8]byte{1, 2}, Name: "laptop davfs", Created: t, Hash: u.AppPasswordHash([8]byte{1, 2}, []byte("app pw"))}},
		S3Keys:        []S3Key{{AccessKeyID: "AKSGEXTRA0000000003", Secret: Secret("extraSecret0123456789abcdefghijklmnopqr"), Created: t}},
	}
}

// TestRecordVersionChoice: a record without settings is written as v2 (old
// gateways read it), one with settings as v3; both round-trip.
func TestRecordVersionChoice(t *testing.T) {
	root := testRootKey(0x40)
	for _, tc := range []struct {
		name     string
		settings func(u *User) *AccountSettings
		want     byte
	}{
		{"none", func(*User) *AccountSettings { return nil }, 2},
		{"empty", func(*User) *AccountSettings { return &AccountSettings{} }, 2},
		{"full", testSettings, 3},
		{"app password only", func(u *User) *AccountSettings {
			return &AccountSettings{AppPasswords: testSettings(u).AppPasswords}
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRecord(t, "alice", "bob")
			r.Keystore.Users[1].Settings = tc.settings(r.Keystore.Users[1])
			sealed, err := SealKeystoreRecord(root, r)
			if err != nil || sealed[4] != tc.want {
				t.Fatalf("version %d, %v", sealed[4], err)
			}
			got, err := OpenKeystoreRecord(root, sealed)
			if err != nil {
				t.Fatal(err)
			}
			b1, _ := marshalRecordBody(r)
			b2, _ := marshalRecordBody(got)
			if !bytes.Equal(b1, b2) {
				t.Fatal("round trip changed the record")
			}
		})
	}
}

// TestSettingsRules: invalid settings are refused when sealing, and a v3
// record's settings section follows its rules.
func TestSettingsRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s *AccountSettings, ks *Keystore)
	}{
		{"short TOTP secret", func(s *AccountSettings, _ *Keystore) { s.TOTPSecret = s.TOTPSecret[:10] }},
		{"codes without TOTP", func(s *AccountSettings, _ *Keystore) { s.TOTPSecret, s.TOTPLastStep = nil, 0 }},
		{"step without TOTP", func(s *AccountSettings, _ *Keystore) { s.TOTPSecret, s.RecoveryCodes = nil, nil }},
		{"duplicate code", func(s *AccountSettings, _ *Keystore) { s.RecoveryCodes[1] = s.RecoveryCodes[0] }},
		{"too many codes", func(s *AccountSettings, _ *Keystore) {
			for i := range MaxRecoveryCodes {
				s.RecoveryCodes = append(s.RecoveryCodes, [32]byte{byte(i + 1)})
			}
		}},
		{"app name empty", func(s *AccountSettings, _ *Keystore) { s.AppPasswords[0].Name = "" }},
		{"app name control", func(s *AccountSettings, _ *Keystore) { s.AppPasswords[0].Name = "a\nb" }},
		{"app zero id", func(s *AccountSettings, _ *Keystore) { s.AppPasswords[0].ID = [8]byte{} }},
		{"app duplicate id", func(s *AccountSettings, _ *Keystore) { s.AppPasswords = append(s.AppPasswords, s.AppPasswords[0]) }},
		{"s3 key taken", func(s *AccountSettings, ks *Keystore) { s.S3Keys[0].AccessKeyID = ks.Users[0].AccessKeyID }},
		{"s3 bad secret", func(s *AccountSettings, _ *Keystore) { s.S3Keys[0].Secret = Secret("short") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := testRecord(t, "alice", "bob")
			s := testSettings(r.Keystore.Users[1])
			r.Keystore.Users[1].Settings = s
			tc.edit(s, r.Keystore)
			if _, err := SealKeystoreRecord(testRootKey(0x40), r); !errors.Is(err, ErrKeystoreFormat) {
				t.Fatalf("sealed: %v", err)
			}
		})
	}
}

// TestSettingsSectionRules: parse-side rules no Validate sees.
func TestSettingsSectionRules(t *testing.T) {
	r := testRecord(t, "alice", "bob")
	r.Keystore.Users[0].Settings = testSettings(r.Keystore.Users[0])
	r.Keystore.Users[1].Settings = testSettings(r.Keystore.Users[1])
	r.Keystore.Users[1].Settings.S3Keys = nil
	body, _ := marshalRecordBody(r)
	v2, _ := marshalRecordBody(testRecord(t, "alice", "bob"))
	if _, err := parseRecordBody(KeystoreHeader{}, true, body); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		body []byte
		v3   bool
	}{
		{"v3 without section", v2, true},
		{"v3 with empty section", append(bytes.Clone(v2), 0, 0, 0, 0), true},
		{"v2 with a section", body, false},
		{"entry for unknown user", append(append(bytes.Clone(v2), 0, 0, 0, 1), bytes.Repeat([]byte{9}, 16+4+8+3)...), true},
		{"empty entry", append(append(append(bytes.Clone(v2), 0, 0, 0, 1), r.Keystore.Users[0].ID[:]...), make([]byte, 4+8+3)...), true},
	} {
		if _, err := parseRecordBody(KeystoreHeader{}, tc.v3, tc.body); !errors.Is(err, ErrKeystoreFormat) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestExtraS3KeyLookup: an extra key finds its account and secret.
func TestExtraS3KeyLookup(t *testing.T) {
	ks := testKeystore(t, "alice", "bob")
	ks.Users[1].Settings = testSettings(ks.Users[1])
	u, err := ks.UserByAccessKey("AKSGEXTRA0000000003")
	if err != nil || u.Name != "bob" {
		t.Fatalf("%v %v", u, err)
	}
	if sec, ok := u.S3Secret("AKSGEXTRA0000000003"); !ok || string(sec) != "extraSecret0123456789abcdefghijklmnopqr" {
		t.Fatal("extra secret")
	}
	if c := ks.Clone(); &c.Users[1].Settings.S3Keys[0].Secret[0] == &ks.Users[1].Settings.S3Keys[0].Secret[0] {
		t.Fatal("clone shares settings")
	}
	if _, err := SealKeystore(testRootKey(0x40), ks); !errors.Is(err, ErrKeystoreFormat) {
		t.Fatalf("v1 sealed settings: %v", err)
	}
}

// goldenV3Record is the v2 golden record's users with settings on alice.
func goldenV3Record(t *testing.T) *KeystoreRecord {
	data, err := os.ReadFile(keystoreRecordGolden)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := OpenKeystoreRecord(goldenGatewayRoot, data)
	if err != nil {
		t.Fatal(err)
	}
	rec.Version = 43
	rec.Keystore.Users[0].Settings = testSettings(rec.Keystore.Users[0])
	return rec
}

// TestKeystoreV3Golden opens the v3 golden file forever (pinned in
// frozen_test.go): the v2 golden record at version 43 with testSettings on
// alice, sealed with the golden nonce. Re-sealing gives it back byte for
// byte. No test writes it.
func TestKeystoreV3Golden(t *testing.T) {
	want := goldenV3Record(t)
	data, err := os.ReadFile(keystoreV3Golden)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKeystoreRecord(goldenGatewayRoot, data)
	if err != nil || data[4] != 3 {
		t.Fatal(err)
	}
	b1, _ := marshalRecordBody(want)
	b2, _ := marshalRecordBody(got)
	if !bytes.Equal(b1, b2) || got.Version != 43 || !got.Keystore.Users[0].Settings.TOTPEnabled() {
		t.Fatal("golden v3 differs from its fixed values")
	}
	again, err := sealKeystoreRecord(goldenGatewayRoot, got, bytes.NewReader(goldenNonce))
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-sealing the v3 golden record changed its bytes: %v", err)
	}
}
