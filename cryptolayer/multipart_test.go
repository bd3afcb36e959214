package cryptolayer

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sealgate/sealgate/internal/etagtest"
)

// sealParts seals plain split into parts of the given sizes and returns the
// assembled object, the part infos and the summary.
func sealParts(t *testing.T, u Upload, plain []byte, sizes []int64) ([]byte, []PartInfo, Summary) {
	t.Helper()
	prefix, _, err := u.prefix(testKey, testBinding, Metadata{"content-type": "application/zip"})
	if err != nil {
		t.Fatal(err)
	}
	obj := append([]byte(nil), prefix...)
	var infos []PartInfo
	off := int64(0)
	for i, n := range sizes {
		var out bytes.Buffer
		w, err := u.NewPartWriter(&out, testKey, i+1)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(plain[off : off+n])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if int64(out.Len()) != SealedPartSize(n) {
			t.Fatalf("part %d: %d sealed bytes, SealedPartSize %d", i+1, out.Len(), SealedPartSize(n))
		}
		infos = append(infos, w.Info())
		obj = append(obj, out.Bytes()...)
		off += n
	}
	end, sum, err := assemble(u, testKey, infos)
	if err != nil {
		return nil, infos, Summary{}
	}
	return append(obj, end...), infos, sum
}

func TestMultipartLayouts(t *testing.T) {
	const ps = 2 * ChunkSize
	cases := [][]int64{
		{0}, {1}, {ps + 5}, // one part of any size
		{ps, 1}, {ps, ps}, {ps, ps, ps - 1}, {ChunkSize, ChunkSize, 10}, {ps, ps, ps, ChunkSize + 1},
	}
	for _, sizes := range cases {
		var total int64
		for _, n := range sizes {
			total += n
		}
		plain := pattern(total)
		obj, _, sum := sealParts(t, NewUpload(0, 1), plain, sizes)
		if obj == nil {
			t.Fatalf("%v: assemble refused a uniform layout", sizes)
		}
		if int64(len(obj)) != EncryptedSize(total) {
			t.Fatalf("%v: size %d, EncryptedSize %d", sizes, len(obj), EncryptedSize(total))
		}
		got, err := readAll(testKey, testBinding, obj)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%v: read back: %v", sizes, err)
		}
		if want := etagtest.Multipart(plain, sizes); sum.ETag() != want {
			t.Fatalf("%v: ETag %s want %s", sizes, sum.ETag(), want)
		}
		o, _, _ := openBytes(testKey, testBinding, obj)
		if o.ETag() != sum.ETag() || o.ETagParts() != len(sizes) {
			t.Fatalf("%v: opened %s parts %d", sizes, o.ETag(), o.ETagParts())
		}
	}
}

// TestPartWriterNumbers: part numbers are 1..MaxParts.
func TestPartWriterNumbers(t *testing.T) {
	u := NewUpload(0, 1)
	if _, err := u.NewPartWriter(&bytes.Buffer{}, testKey, 0); !errors.Is(err, ErrPartLayout) {
		t.Fatal("part 0 accepted")
	}
	if _, err := u.NewPartWriter(&bytes.Buffer{}, testKey, MaxParts+1); !errors.Is(err, ErrPartLayout) {
		t.Fatal("part 10001 accepted")
	}
}

func TestMultipartTamper(t *testing.T) {
	const ps = ChunkSize
	sizes := []int64{ps, ps, ps, 100}
	plain := pattern(3*ps + 100)
	u := NewUpload(0, 1)
	obj, _, _ := sealParts(t, u, plain, sizes)
	part := func(i int) []byte { // sealed part i (0-based), one chunk each here
		s := PrefixSize + i*SealedChunkSize
		return obj[s:min(s+SealedChunkSize, len(obj)-EndSize)]
	}
	end := obj[len(obj)-EndSize:]
	mk := func(ps ...[]byte) []byte {
		return bytes.Join(append([][]byte{obj[:PrefixSize]}, append(ps, end)...), nil)
	}
	mustFailClosed(t, "swap parts 1,2", testKey, testBinding, mk(part(1), part(0), part(2), part(3)), plain)
	mustFailClosed(t, "drop last part keep END", testKey, testBinding, mk(part(0), part(1), part(2)), plain)
	// A re-uploaded part 2 with other data is a valid part of this upload, but
	// not of the object completed with the first part 2's MD5: the ETag
	// changes and nonces never repeat.
	var again bytes.Buffer
	w, _ := u.NewPartWriter(&again, testKey, 2)
	_, _ = w.Write(pattern(2 * ps)[ps:])
	_ = w.Close()
	if bytes.Equal(again.Bytes()[:12], part(1)[:12]) {
		t.Fatal("re-uploaded part reuses a nonce")
	}
	// Parts of another upload of the same name do not splice in.
	other, _, _ := sealParts(t, NewUpload(0, 1), plain, sizes)
	mustFailClosed(t, "part from another upload", testKey, testBinding,
		mk(part(0), other[PrefixSize+SealedChunkSize:PrefixSize+2*SealedChunkSize], part(2), part(3)), plain)
}

func TestUploadStateRoundTrip(t *testing.T) {
	u := NewUpload(ChaCha20Poly1305, 7)
	b, _ := u.MarshalBinary()
	var v Upload
	if err := v.UnmarshalBinary(b); err != nil || v != u {
		t.Fatalf("round trip: %v", err)
	}
	b[0] = 9
	if err := v.UnmarshalBinary(b); err == nil {
		t.Fatal("bad suite accepted")
	}
	if err := v.UnmarshalBinary(b[:10]); err == nil {
		t.Fatal("short state accepted")
	}
}
