package cryptolayer

import (
	"bytes"
	"errors"
	"testing"
)

func TestRecordRoundTripAndTamper(t *testing.T) {
	k := fixedKey(3)
	for _, pt := range [][]byte{nil, []byte("x"), pattern(5000)} {
		sealed := SealRecord(k, "upload\x00b\x00k", pt)
		if len(sealed) != len(pt)+RecordOverhead {
			t.Fatalf("size %d for %d bytes", len(sealed), len(pt))
		}
		got, err := OpenRecord(k, "upload\x00b\x00k", sealed)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("round trip: %v", err)
		}
		bad := map[string]func() ([]byte, error){
			"other context": func() ([]byte, error) { return OpenRecord(k, "upload\x00b\x00k2", sealed) },
			"other key":     func() ([]byte, error) { return OpenRecord(fixedKey(4), "upload\x00b\x00k", sealed) },
			"truncated":     func() ([]byte, error) { return OpenRecord(k, "upload\x00b\x00k", sealed[:len(sealed)-1]) },
			"empty":         func() ([]byte, error) { return OpenRecord(k, "upload\x00b\x00k", nil) },
			"flipped":       func() ([]byte, error) { return OpenRecord(k, "upload\x00b\x00k", flip(sealed, len(sealed)/2, 3)) },
			"version":       func() ([]byte, error) { return OpenRecord(k, "upload\x00b\x00k", flip(sealed, 0, 1)) },
		}
		for name, f := range bad {
			if _, err := f(); !errors.Is(err, ErrIntegrity) {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}

func TestPartReader(t *testing.T) {
	u := NewUpload(0, 1)
	for _, size := range []int64{0, 1, ChunkSize, ChunkSize + 1, 3*ChunkSize - 7} {
		plain := pattern(size)
		var sealed bytes.Buffer
		w, _ := u.NewPartWriter(&sealed, testKey, 4)
		_, _ = w.Write(plain)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := u.NewPartReader(bytes.NewReader(sealed.Bytes()), testKey, 4, size)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := got.ReadFrom(r); err != nil || !bytes.Equal(got.Bytes(), plain) {
			t.Fatalf("%d: %v", size, err)
		}
		for name, c := range map[string]struct {
			part int
			size int64
			b    []byte
		}{
			"other part number": {5, size, sealed.Bytes()},
			"claims shorter":    {4, max(size-1, 0), sealed.Bytes()},
			"truncated":         {4, size, sealed.Bytes()[:sealed.Len()-1]},
			"extended":          {4, size, append(bytes.Clone(sealed.Bytes()), 0)},
		} {
			if name == "claims shorter" && size == 0 {
				continue
			}
			r, _ := u.NewPartReader(bytes.NewReader(c.b), testKey, c.part, c.size)
			if _, err := new(bytes.Buffer).ReadFrom(r); !errors.Is(err, ErrIntegrity) {
				t.Fatalf("%d %s: %v", size, name, err)
			}
		}
	}
}
