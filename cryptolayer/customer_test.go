package cryptolayer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"testing"
)

const goldenCustomerKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// customerGoldenSHA256 pins the object a customer key (SSE-C) seals to
// with the golden vectors' deterministic randomness: header flag byte 7,
// and the chunk key derived from the data key and the customer key. A
// change of either is a format change and fails here.
const customerGoldenSHA256 = "4b565b3f8aae7f0b31179e8abd303de3e71d656642e958b24b77fd0beae72a84"

func customerVector() goldenVector {
	v := goldenVector{Name: "aesgcm-ssec-70000", Suite: AES256GCM, Size: 70000,
		Meta: map[string]string{"content-type": "text/plain"}, Customer: goldenCustomerKey}
	v.fill(len(goldenVectors) + 1)
	return v
}

func TestGoldenCustomerKeyObject(t *testing.T) {
	v := customerVector()
	obj := v.seal(t)
	if got := fmt.Sprintf("%x", sha256.Sum256(obj)); got != customerGoldenSHA256 {
		t.Fatalf("SSE-C golden object changed: sha256 %s", got)
	}
	if obj[7] != flagCustomerKey {
		t.Fatalf("header byte 7 = %#x", obj[7])
	}
}

// TestCustomerKey: the metadata, size and ETag of an SSE-C object open
// without its key; its content only with it; another key fails the
// chunks; clearing the flag fails the header.
func TestCustomerKey(t *testing.T) {
	v := customerVector()
	obj := v.seal(t)
	read := func(ck []byte) ([]byte, error) {
		o, _, err := openBytes(v.ring(), v.binding(), obj)
		if err != nil {
			return nil, err
		}
		if !o.NeedsCustomerKey() || o.Size != v.Size || o.Meta["content-type"] != "text/plain" {
			t.Fatalf("opened without the key: needs %v, size %d, meta %v", o.NeedsCustomerKey(), o.Size, o.Meta)
		}
		if ck != nil {
			if err := o.UseCustomerKey(ck); err != nil {
				return nil, err
			}
		}
		rc := o.Decrypt(bytes.NewReader(obj[PrefixSize:]), 0, o.Size)
		defer func() { _ = rc.Close() }()
		return io.ReadAll(rc)
	}
	key := hexKey(t, goldenCustomerKey)
	if got, err := read(key[:]); err != nil || !bytes.Equal(got, goldenPlain(v.Size)) {
		t.Fatalf("with the key: %v", err)
	}
	if _, err := read(nil); !errors.Is(err, ErrCustomerKey) {
		t.Fatalf("without the key: %v", err)
	}
	other := key
	other[0] ^= 1
	if _, err := read(other[:]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("with another key: %v", err)
	}
	if _, err := read(key[:5]); !errors.Is(err, ErrCustomerKey) {
		t.Fatalf("a short key: %v", err)
	}
	flipped := bytes.Clone(obj)
	flipped[7] = 0
	if _, _, err := openBytes(v.ring(), v.binding(), flipped); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("flag cleared: %v", err)
	}
}
