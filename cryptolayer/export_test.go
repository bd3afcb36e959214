package cryptolayer

import (
	"bytes"
	"errors"
	"testing"
)

func TestKeyExport(t *testing.T) {
	root := fixedKey(5)
	ks := []byte("sealed keystore bytes")
	pass := []byte("correct horse battery")
	exp, err := SealExport(pass, MinPasswordParams, root, ks)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(exp, root[:]) || bytes.Contains(exp, ks) {
		t.Fatal("export holds plaintext")
	}
	gotRoot, gotKS, err := OpenExport(pass, exp)
	if err != nil || gotRoot != root || !bytes.Equal(gotKS, ks) {
		t.Fatalf("round trip: %v", err)
	}
	if _, _, err := OpenExport([]byte("wrong passphrase"), exp); !errors.Is(err, ErrExportAuth) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	for _, off := range []int{0, 14, 31, exportHeader + 3, len(exp) - 1} {
		bad := append([]byte(nil), exp...)
		bad[off] ^= 1
		if _, _, err := OpenExport(pass, bad); err == nil {
			t.Fatalf("flip at %d accepted", off)
		}
	}
	weak := append([]byte(nil), exp...)
	clear(weak[9:13]) // memory 0 KiB, far below the floor: refused before any Argon2 run
	weak[12] = 1
	if _, _, err := OpenExport(pass, weak); !errors.Is(err, ErrExportAuth) {
		t.Fatalf("downgraded parameters: %v", err)
	}
	if _, err := SealExport([]byte("short"), MinPasswordParams, root, ks); err == nil {
		t.Fatal("short passphrase accepted")
	}
}
