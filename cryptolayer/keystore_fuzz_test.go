package cryptolayer

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzKeystoreBody: the body parser never panics, fails only with
// ErrKeystoreFormat, and the encoding is canonical: whatever parses
// marshals back to the same bytes, which parse again.
func FuzzKeystoreBody(f *testing.F) {
	ks := testKeystore(f, "alice", "bob")
	_, _ = ks.Users[0].Rotate()
	body, err := marshalKeystoreBody(ks)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add(body[:len(body)/2])
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := parseKeystoreBody(data)
		if err != nil {
			if !errors.Is(err, ErrKeystoreFormat) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		out, err := marshalKeystoreBody(ks)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("not canonical: %v", err)
		}
		if _, err := parseKeystoreBody(out); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzOpenKeystore: opening arbitrary bytes never panics and fails with a
// keystore sentinel.
func FuzzOpenKeystore(f *testing.F) {
	root := testRootKey(0x40)
	sealed, _ := SealKeystore(root, testKeystore(f, "alice"))
	f.Add(sealed)
	f.Add([]byte("SGWK\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := OpenKeystore(root, data)
		if err != nil && !errors.Is(err, ErrKeystoreAuth) && !errors.Is(err, ErrKeystoreFormat) &&
			!errors.Is(err, ErrUnsupportedVersion) {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
