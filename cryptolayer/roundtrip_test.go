package cryptolayer

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

var boundarySizes = []int64{0, 1, 100, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2*ChunkSize - 1,
	2 * ChunkSize, 2*ChunkSize + 1, 3<<20 + 12345, 4 << 20}

func TestRoundTripSizes(t *testing.T) {
	for _, suite := range []Suite{AES256GCM, ChaCha20Poly1305} {
		for _, size := range boundarySizes {
			plain := pattern(size)
			p := defaultParams()
			p.Suite = suite
			obj, sum := sealObject(t, p, plain)
			if int64(len(obj)) != EncryptedSize(size) || sum.UpstreamSize != int64(len(obj)) {
				t.Fatalf("%v/%d: upstream size %d, EncryptedSize %d", suite, size, len(obj), EncryptedSize(size))
			}
			if got, ok := DecryptedSize(int64(len(obj))); !ok || got != size {
				t.Fatalf("%v/%d: DecryptedSize = %d, %v", suite, size, got, ok)
			}
			got, err := readAll(testKey, testBinding, obj)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%v/%d: read back %d bytes, err %v", suite, size, len(got), err)
			}
			md := md5.Sum(plain)
			if want := hex.EncodeToString(md[:]); sum.ETag() != want {
				t.Fatalf("%v/%d: ETag %s, want %s", suite, size, sum.ETag(), want)
			}
		}
	}
}

func TestOpenReportsMetadataAndETag(t *testing.T) {
	p := defaultParams()
	p.Meta = Metadata{"content-type": "text/plain", "x-amz-meta-ü": "wert", "empty": ""}
	plain := pattern(70000)
	obj, sum := sealObject(t, p, plain)
	o, _, err := openBytes(testKey, testBinding, obj)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Meta) != 3 || o.Meta["x-amz-meta-ü"] != "wert" || o.Meta["empty"] != "" {
		t.Fatalf("metadata %q", o.Meta)
	}
	if o.ETag() != sum.ETag() || o.Size != 70000 || o.ETagParts() != 0 || o.Epoch() != 1 {
		t.Fatalf("object %+v, summary %+v", o, sum)
	}
}

func TestWriterManySmallWrites(t *testing.T) {
	plain := pattern(3*ChunkSize + 7)
	var out bytes.Buffer
	w, err := NewWriter(&out, defaultParams())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(plain); i += 1000 {
		if _, err := w.Write(plain[i:min(i+1000, len(plain))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := readAll(testKey, testBinding, out.Bytes())
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("err %v", err)
	}
}

func TestExternalDigest(t *testing.T) {
	p := defaultParams()
	p.ExternalDigest = true
	var out bytes.Buffer
	w, _ := NewWriter(&out, p)
	_, _ = w.Write([]byte("hello"))
	if err := w.Close(); !errors.Is(err, ErrWriterState) {
		t.Fatalf("Close without digest: %v", err)
	}
	out.Reset()
	w, _ = NewWriter(&out, p)
	_, _ = w.Write([]byte("hello"))
	d := md5.Sum([]byte("hello"))
	w.SetDigest(d)
	w.SetChecksum(Checksum{Algorithm: ChecksumCRC32, Value: []byte{1, 2, 3, 4}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	o, _, err := openBytes(testKey, testBinding, out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if o.Digest() != d || o.Checksum().Algorithm != ChecksumCRC32 || !bytes.Equal(o.Checksum().Value, []byte{1, 2, 3, 4}) {
		t.Fatalf("digest/checksum not kept: %+v", o.Checksum())
	}
}

func TestWriterRejectsBadChecksumAndLateWrites(t *testing.T) {
	var out bytes.Buffer
	w, _ := NewWriter(&out, defaultParams())
	w.SetChecksum(Checksum{Algorithm: ChecksumSHA256, Value: []byte{1}})
	if err := w.Close(); err == nil {
		t.Fatal("bad checksum accepted")
	}
	w, _ = NewWriter(&out, defaultParams())
	_ = w.Close()
	if _, err := w.Write([]byte("x")); !errors.Is(err, ErrWriterState) {
		t.Fatalf("write after close: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrWriterState) {
		t.Fatalf("double close: %v", err)
	}
	w.Abort() // harmless after Close
}

func TestMetadataTooLarge(t *testing.T) {
	p := defaultParams()
	p.Meta = Metadata{"big": string(make([]byte, MaxMetadataSize))}
	if _, err := NewWriter(io.Discard, p); !errors.Is(err, ErrMetadataTooLarge) {
		t.Fatalf("got %v", err)
	}
	p.Meta = Metadata{"k": string(make([]byte, MaxMetadataSize-1-1-2))} // exactly fits
	if _, err := NewWriter(io.Discard, p); err != nil {
		t.Fatalf("largest metadata refused: %v", err)
	}
	p.Meta = Metadata{"": "x"}
	if _, err := NewWriter(io.Discard, p); !errors.Is(err, ErrInvalidMetadata) {
		t.Fatalf("empty name: %v", err)
	}
}

// TestRanges reads every range shape around chunk boundaries and checks that
// each costs exactly one upstream fetch of the predicted range.
func TestRanges(t *testing.T) {
	size := int64(3*ChunkSize + 1000)
	plain := pattern(size)
	obj, _ := sealObject(t, defaultParams(), plain)
	o, f, err := openBytes(testKey, testBinding, obj)
	if err != nil {
		t.Fatal(err)
	}
	offs := []int64{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2*ChunkSize - 1, 3 * ChunkSize, size - 1, size}
	lens := []int64{0, 1, 2, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, size}
	for _, off := range offs {
		for _, n := range lens {
			n = min(n, size-off)
			before := f.calls.Load()
			rc, err := o.Range(context.Background(), off, n)
			if err != nil {
				t.Fatalf("Range(%d,%d): %v", off, n, err)
			}
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, plain[off:off+n]) {
				t.Fatalf("Range(%d,%d): %d bytes, err %v", off, n, len(got), err)
			}
			calls := f.calls.Load() - before
			uoff, un, _ := o.UpstreamRange(off, n)
			if (n == 0 && calls != 0) || (n > 0 && (calls != 1 || f.last != [2]int64{uoff, un})) {
				t.Fatalf("Range(%d,%d): %d fetches, last %v, want one of [%d,+%d)", off, n, calls, f.last, uoff, un)
			}
		}
	}
	for _, bad := range [][2]int64{{-1, 1}, {0, size + 1}, {size, 1}, {size + 1, 0}, {0, -1}} {
		if _, err := o.Range(context.Background(), bad[0], bad[1]); !errors.Is(err, ErrRange) {
			t.Fatalf("Range%v: %v", bad, err)
		}
	}
}

func TestParseAndDecryptWithoutFetcher(t *testing.T) {
	plain := pattern(2*ChunkSize + 5)
	obj, _ := sealObject(t, defaultParams(), plain)
	e := int64(len(obj))
	o, err := Parse(testKey, testBinding, e, obj[:PrefixSize], obj[e-EndSize:])
	if err != nil {
		t.Fatal(err)
	}
	off, n := int64(ChunkSize+3), int64(ChunkSize)
	uoff, un, _ := o.UpstreamRange(off, n)
	got, err := io.ReadAll(o.Decrypt(bytes.NewReader(obj[uoff:uoff+un]), off, n))
	if err != nil || !bytes.Equal(got, plain[off:off+n]) {
		t.Fatalf("Decrypt: %v", err)
	}
	if _, err := o.Range(context.Background(), 0, 1); !errors.Is(err, ErrWriterState) {
		t.Fatalf("Range without fetcher: %v", err)
	}
}

// TestResealedMultipartETag: an upload re-sealed into one layout keeps its
// multipart ETag; inconsistent ETag settings are refused.
func TestResealedMultipartETag(t *testing.T) {
	p := defaultParams()
	p.ExternalDigest, p.ETagParts = true, 3
	var out bytes.Buffer
	w, err := NewWriter(&out, p)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(pattern(100))
	w.SetDigest([16]byte{0xab})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	o, _, err := openBytes(testKey, testBinding, out.Bytes())
	if err != nil || o.ETag() != "ab000000000000000000000000000000-3" || w.Summary().ETag() != o.ETag() {
		t.Fatalf("ETag %v, %v", o, err)
	}
	p.ExternalDigest = false
	if _, err := NewWriter(io.Discard, p); !errors.Is(err, ErrWriterState) {
		t.Fatalf("ETagParts without ExternalDigest: %v", err)
	}
}

func TestPeekAndVerifyPrefix(t *testing.T) {
	p := defaultParams()
	p.Meta = Metadata{"sg:key": testBinding.Key}
	obj, _ := sealObject(t, p, pattern(10))
	m, err := PeekMetadata(testKey, obj[:PrefixSize])
	if err != nil || m["sg:key"] != testBinding.Key {
		t.Fatalf("peek: %v %v", m, err)
	}
	if _, err := VerifyPrefix(testKey, testBinding, obj[:PrefixSize]); err != nil {
		t.Fatal(err)
	}
	other := testBinding
	other.Key = "moved"
	if _, err := VerifyPrefix(testKey, other, obj[:PrefixSize]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("moved prefix verified: %v", err)
	}
	if _, err := PeekMetadata(testKey, flip(obj, HeaderSize+20, 1)[:PrefixSize]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("tampered slot peeked: %v", err)
	}
	if _, err := PeekMetadata(ContentKey{Epoch: 1, Key: fixedKey(7)}, obj[:PrefixSize]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("foreign key peeked: %v", err)
	}
}
