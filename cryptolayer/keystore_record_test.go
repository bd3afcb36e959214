package cryptolayer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"testing"
)

func testRecord(t testing.TB, names ...string) *KeystoreRecord {
	t.Helper()
	return &KeystoreRecord{Deployment: [16]byte{0xde, 0x91}, Generation: 1, Version: 7, Keystore: testKeystore(t, names...)}
}

func TestKeystoreRecordRoundTrip(t *testing.T) {
	root, next := testRootKey(0x40), testRootKey(0x60)
	for _, withNext := range []bool{false, true} {
		r := testRecord(t, "alice", "bob")
		if withNext {
			r.NextRoot = &next
		}
		sealed, err := SealKeystoreRecord(root, r)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ReadKeystoreHeader(sealed)
		if err != nil || h != r.Header(root) || h.Root != RootKeyID(root) {
			t.Fatalf("header %+v, %v", h, err)
		}
		got, err := OpenKeystoreRecord(root, sealed)
		if err != nil {
			t.Fatal(err)
		}
		b1, _ := marshalRecordBody(r)
		b2, _ := marshalRecordBody(got)
		if !bytes.Equal(b1, b2) || got.Deployment != r.Deployment || got.Generation != 1 || got.Version != 7 {
			t.Fatalf("round trip changed the record (next root %v)", withNext)
		}
		if withNext != (got.NextRoot != nil) || (withNext && *got.NextRoot != next) {
			t.Fatalf("next root lost")
		}
	}
}

// TestKeystoreRecordTamper: every byte of the header and the body is
// authenticated; a record sealed under another root key names that key.
func TestKeystoreRecordTamper(t *testing.T) {
	root := testRootKey(0x40)
	sealed, err := SealKeystoreRecord(root, testRecord(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want error
	}{
		{"version raised", func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[keystoreRecordHeader-8:], 8)
			return b
		}, ErrKeystoreAuth},
		{"generation raised", func(b []byte) []byte { b[keystoreRecordHeader-9]++; return b }, ErrKeystoreAuth},
		{"deployment changed", func(b []byte) []byte { b[keystoreHdrLen+8] ^= 1; return b }, ErrKeystoreAuth},
		{"root id changed", func(b []byte) []byte { b[keystoreHdrLen] ^= 1; return b }, ErrKeystoreAuth},
		{"body bit", func(b []byte) []byte { b[len(b)-20] ^= 1; return b }, ErrKeystoreAuth},
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, ErrKeystoreAuth},
		{"extended", func(b []byte) []byte { return append(b, 0) }, ErrKeystoreAuth},
		{"v1 magic", func(b []byte) []byte { b[4] = 1; return b }, ErrUnsupportedVersion},
		{"not a keystore", func(b []byte) []byte { b[0] = 'X'; return b }, ErrKeystoreFormat},
		{"header only", func(b []byte) []byte { return b[:keystoreRecordHeader] }, ErrKeystoreFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenKeystoreRecord(root, tc.edit(bytes.Clone(sealed)))
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	_, err = OpenKeystoreRecord(testRootKey(0x41), sealed)
	if !errors.Is(err, ErrKeystoreAuth) || !bytes.Contains([]byte(err.Error()), []byte(RootKeyID(root).String())) {
		t.Fatalf("another root key: %v", err)
	}
}

func TestKeystoreHeaderCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b KeystoreHeader
		want int
	}{
		{KeystoreHeader{Version: 1}, KeystoreHeader{Version: 2}, -1},
		{KeystoreHeader{Version: 2}, KeystoreHeader{Version: 2}, 0},
		{KeystoreHeader{Generation: 1, Version: 1}, KeystoreHeader{Version: 900}, 1},
		{KeystoreHeader{Generation: 1, Version: 5}, KeystoreHeader{Generation: 2, Version: 1}, -1},
	} {
		if got := tc.a.Compare(tc.b); got != tc.want {
			t.Errorf("%+v vs %+v: %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestKeystoreRecordRejectsZeroNextRoot(t *testing.T) {
	r := testRecord(t, "alice")
	r.NextRoot = &Key{}
	if _, err := SealKeystoreRecord(testRootKey(0x40), r); !errors.Is(err, ErrKeystoreFormat) {
		t.Fatalf("zero next root sealed: %v", err)
	}
}

// FuzzRecordBody: the v2 and v3 body parsers never panic, fail only with
// ErrKeystoreFormat, and are canonical (a v3 body always has settings).
func FuzzRecordBody(f *testing.F) {
	next := testRootKey(0x60)
	r := testRecord(f, "alice", "bob")
	plain, _ := marshalRecordBody(r)
	r.NextRoot = &next
	withNext, _ := marshalRecordBody(r)
	r.Keystore.Users[1].Settings = testSettings(r.Keystore.Users[1])
	v3, _ := marshalRecordBody(r)
	v2 := func(b []byte) []byte { return append([]byte{0}, b...) }
	f.Add(v2(plain))
	f.Add(v2(withNext))
	f.Add(v2(withNext[:len(withNext)-3]))
	f.Add(v2([]byte{0, 0, 0, 0, 0, 0, 0, 0}))
	f.Add(append([]byte{1}, v3...))
	f.Add(append([]byte{1}, v3[:len(v3)-5]...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		isV3 := data[0]&1 == 1
		data = data[1:]
		rec, err := parseRecordBody(KeystoreHeader{}, isV3, data)
		if err != nil {
			if !errors.Is(err, ErrKeystoreFormat) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		out, err := marshalRecordBody(rec)
		if err != nil || !bytes.Equal(out, data) || hasSettings(rec.Keystore) != isV3 {
			t.Fatalf("not canonical: %v", err)
		}
	})
}

const keystoreRecordGolden = "testdata/keystore-v2.golden"

// TestKeystoreRecordGolden opens the v2 golden file forever (its bytes are
// pinned in frozen_test.go): the golden users of v1 (docs/format-keys.md
// §6) in deployment d0 d1 … df, generation 3, version 42, with next root
// key 60 61 … 7f, sealed under the golden root key 40 41 … 5f with nonce
// 07 × 12. Re-sealing what it parses must give the file back byte for byte.
func TestKeystoreRecordGolden(t *testing.T) {
	next := testRootKey(0x60)
	var dep [16]byte
	for i := range dep {
		dep[i] = 0xd0 + byte(i)
	}
	data, err := os.ReadFile(keystoreRecordGolden)
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenKeystoreRecord(goldenGatewayRoot, data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Deployment != dep || got.Generation != 3 || got.Version != 42 || got.NextRoot == nil || *got.NextRoot != next {
		t.Fatalf("golden header fields differ: %+v", got.Header(goldenGatewayRoot))
	}
	want := goldenUsers()
	for i, u := range got.Keystore.Users {
		w := want[i]
		w.Password.Hash = u.Password.Hash // checked by CheckPassword below
		wb, _ := marshalKeystoreBody(&Keystore{Users: []*User{w}})
		ub, _ := marshalKeystoreBody(&Keystore{Users: []*User{u}})
		if !bytes.Equal(wb, ub) {
			t.Errorf("user %d differs from the golden values", i)
		}
	}
	if !got.Keystore.Users[0].CheckPassword(goldenPasswords["alice"]) {
		t.Error("golden password does not verify")
	}
	again, err := sealKeystoreRecord(goldenGatewayRoot, got, bytes.NewReader(goldenNonce))
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-sealing the golden record changed its bytes: %v", err)
	}
}
