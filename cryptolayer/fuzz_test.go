package cryptolayer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// FuzzParseHeader: parsing never panics, and a header that parses has
// exactly one encoding (parse → marshal reproduces the input).
func FuzzParseHeader(f *testing.F) {
	obj, _ := sealObject(f, defaultParams(), []byte("seed"))
	f.Add(obj[:HeaderSize])
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := parseHeader(b)
		if err != nil {
			if !errors.Is(err, ErrIntegrity) {
				t.Fatalf("error without ErrIntegrity: %v", err)
			}
			return
		}
		if !bytes.Equal(h.marshal(), b[:HeaderSize]) {
			t.Fatal("header has two encodings")
		}
	})
}

// FuzzParseEnd: END plaintexts that parse re-encode identically and
// describe a layout the writers can produce.
func FuzzParseEnd(f *testing.F) {
	f.Add((&endRecord{size: 5, chunks: 1, parts: 1}).marshal())
	f.Add((&endRecord{size: 3*ChunkSize + 1, chunks: 4, parts: 2, partSize: 2 * ChunkSize, etagParts: 2,
		checksum: Checksum{Algorithm: ChecksumSHA1, Value: make([]byte, 20)}}).marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseEnd(b)
		if err != nil {
			return
		}
		if !bytes.Equal(e.marshal(), b) {
			t.Fatal("END has two encodings")
		}
		if e.chunks != ChunkCount(e.size) || e.checkLayout() != nil {
			t.Fatal("accepted an impossible layout")
		}
		for g := int64(0); g < min(e.chunks, 4); g++ {
			if part, _, _ := e.chunkPos(g); part < 1 || part > e.parts {
				t.Fatalf("chunk %d maps to part %d of %d", g, part, e.parts)
			}
		}
	})
}

// FuzzDecodeMetadata: canonical encoding only — decode → encode is identity.
func FuzzDecodeMetadata(f *testing.F) {
	enc, _ := encodeMetadata(Metadata{"a": "1", "content-type": "text/plain", "x": ""})
	f.Add(enc)
	f.Add([]byte{0x80, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMetadata(b)
		if err != nil {
			return
		}
		again, err := encodeMetadata(m)
		if len(b) <= MaxMetadataSize && (err != nil || !bytes.Equal(again, b)) {
			t.Fatalf("metadata has two encodings (err %v)", err)
		}
	})
}

// FuzzOpen feeds arbitrary bytes, and mutations of a genuine object, to the
// reader: it never panics, and anything other than the genuine object fails
// with ErrIntegrity.
func FuzzOpen(f *testing.F) {
	plain := pattern(ChunkSize + 10)
	withDetRand(f, 9) // every fuzz worker must build the same genuine object
	genuine, _ := sealObject(f, defaultParams(), plain)
	f.Add(genuine, uint32(0), byte(0))
	f.Add([]byte("SGWE\x01\x01\x10\x00"), uint32(3), byte(1))
	f.Fuzz(func(t *testing.T, obj []byte, at uint32, x byte) {
		if len(obj) > 0 {
			obj = append([]byte(nil), obj...)
			obj[int(at)%len(obj)] ^= x
		}
		o, _, err := openBytes(testKey, testBinding, obj)
		if err == nil {
			var rc io.ReadCloser
			if rc, err = o.Range(context.Background(), 0, o.Size); err == nil {
				var got []byte
				got, err = io.ReadAll(rc)
				if err == nil && !bytes.Equal(obj, genuine) {
					t.Fatal("a forged object opened")
				}
				if !bytes.HasPrefix(plain, got) {
					t.Fatal("released bytes that are not genuine plaintext")
				}
			}
		}
		if err != nil && !errors.Is(err, ErrIntegrity) {
			t.Fatalf("error without ErrIntegrity: %v", err)
		}
	})
}
