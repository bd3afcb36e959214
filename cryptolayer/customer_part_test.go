package cryptolayer

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// TestCustomerKeyParts: a part sealed under a customer key opens with the
// same key only, not without one nor with another, and the key is not in
// the upload's binary form.
func TestCustomerKeyParts(t *testing.T) {
	ck := bytes.Repeat([]byte{7}, CustomerKeySize)
	other := bytes.Repeat([]byte{8}, CustomerKeySize)
	u := NewUpload(0, 1)
	cu, err := u.WithCustomerKey(ck)
	if err != nil {
		t.Fatal(err)
	}
	plain := pattern(ChunkSize + 100)
	var sealed bytes.Buffer
	w, err := cu.NewPartWriter(&sealed, testKey, 2)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	read := func(up Upload) ([]byte, error) {
		r, err := up.NewPartReader(bytes.NewReader(sealed.Bytes()), testKey, 2, int64(len(plain)))
		if err != nil {
			return nil, err
		}
		defer func() { _ = r.Close() }()
		return io.ReadAll(r)
	}
	if got, err := read(cu); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("same key: %v", err)
	}
	if _, err := read(u); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("without the key: %v, want ErrIntegrity", err)
	}
	wrong, _ := u.WithCustomerKey(other)
	if _, err := read(wrong); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("another key: %v, want ErrIntegrity", err)
	}
	a, _ := u.MarshalBinary()
	b, _ := cu.MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("the customer key changed the upload's binary form")
	}
	if _, err := u.WithCustomerKey(ck[:5]); !errors.Is(err, ErrCustomerKey) {
		t.Fatalf("short key: %v", err)
	}
}
