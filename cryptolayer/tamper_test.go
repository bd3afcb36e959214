package cryptolayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

// openAndRead opens obj and reads it whole, and returns the first error.
// Whatever plaintext came out before it must be a prefix of the genuine
// plaintext: never a substituted byte.
func openAndRead(t *testing.T, what string, ring KeyRing, b Binding, obj, plain []byte) error {
	t.Helper()
	o, _, err := openBytes(ring, b, obj)
	if err != nil {
		return err
	}
	rc, err := o.Range(context.Background(), 0, o.Size)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	got, err := io.ReadAll(rc)
	if !bytes.HasPrefix(plain, got) {
		t.Fatalf("%s: released %d bytes that are not genuine plaintext", what, len(got))
	}
	return err
}

// mustFailClosed: obj must fail with ErrIntegrity, releasing nothing but a
// prefix of the genuine plaintext.
func mustFailClosed(t *testing.T, what string, ring KeyRing, b Binding, obj, plain []byte) {
	t.Helper()
	if err := openAndRead(t, what, ring, b, obj, plain); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("%s: want ErrIntegrity, got %v", what, err)
	}
}

func flip(obj []byte, off int, bit byte) []byte {
	c := append([]byte(nil), obj...)
	c[off] ^= 1 << bit
	return c
}

// TestBitFlipsEverywhere flips one bit in every byte of the header and END,
// and in sampled bytes of the slot and of every chunk's nonce, body and tag.
func TestBitFlipsEverywhere(t *testing.T) {
	plain := pattern(2*ChunkSize + 333)
	obj, _ := sealObject(t, defaultParams(), plain)
	var offs []int
	for i := 0; i < HeaderSize; i++ {
		offs = append(offs, i)
	}
	for i := HeaderSize; i < PrefixSize; i += 61 {
		offs = append(offs, i)
	}
	offs = append(offs, PrefixSize-1)
	for c := 0; c < 3; c++ {
		start, end := chunkAt(obj, c)
		for _, d := range []int{0, 5, 11, 12, 13, 1000, 40000} {
			if start+d < end {
				offs = append(offs, start+d)
			}
		}
		offs = append(offs, end-1, end-16)
	}
	for i := len(obj) - EndSize; i < len(obj); i++ {
		offs = append(offs, i)
	}
	for _, off := range offs {
		mustFailClosed(t, fmt.Sprintf("flip at %d", off), testKey, testBinding, flip(obj, off, byte(off%8)), plain)
	}
}

func chunkAt(obj []byte, g int) (int, int) {
	start := PrefixSize + g*SealedChunkSize
	return start, min(start+SealedChunkSize, len(obj)-EndSize)
}

func TestChunkSwapDuplicateReorder(t *testing.T) {
	plain := pattern(4 * ChunkSize)
	obj, _ := sealObject(t, defaultParams(), plain)
	chunk := func(g int) []byte { s, e := chunkAt(obj, g); return obj[s:e] }
	build := func(order ...int) []byte {
		out := append([]byte(nil), obj[:PrefixSize]...)
		for _, g := range order {
			out = append(out, chunk(g)...)
		}
		return append(out, obj[len(obj)-EndSize:]...)
	}
	cases := map[string][]int{
		"swap 0,1": {1, 0, 2, 3}, "swap 2,3 (last)": {0, 1, 3, 2}, "duplicate 0 over 1": {0, 0, 2, 3},
		"duplicate last over 2": {0, 1, 3, 3}, "rotate": {1, 2, 3, 0},
	}
	for name, order := range cases {
		mustFailClosed(t, name, testKey, testBinding, build(order...), plain)
	}
	if got, err := readAll(testKey, testBinding, build(0, 1, 2, 3)); err != nil || !bytes.Equal(got, plain) {
		t.Fatal("the untouched rebuild must open: the harness is wrong")
	}
}

func TestTruncationAndExtension(t *testing.T) {
	plain := pattern(3*ChunkSize + 100)
	obj, _ := sealObject(t, defaultParams(), plain)
	end := obj[len(obj)-EndSize:]
	_, c2end := chunkAt(obj, 2)
	cases := map[string][]byte{
		"zero bytes":                {},
		"header only":               obj[:HeaderSize],
		"prefix only":               obj[:PrefixSize],
		"drop END":                  obj[:len(obj)-EndSize],
		"cut at chunk boundary":     obj[:c2end],
		"cut mid chunk":             obj[:c2end-100],
		"cut mid END":               obj[:len(obj)-1],
		"drop last chunk, keep END": append(append([]byte(nil), obj[:c2end]...), end...),
		"append one byte":           append(append([]byte(nil), obj...), 0),
		"append a copy of END":      append(append([]byte(nil), obj...), end...),
		"append a copy of chunk 0":  append(append([]byte(nil), obj[:len(obj)-EndSize]...), append(append([]byte(nil), obj[PrefixSize:PrefixSize+SealedChunkSize]...), end...)...),
		"drop chunk 1 (full), keep": append(append([]byte(nil), obj[:PrefixSize+SealedChunkSize]...), obj[PrefixSize+2*SealedChunkSize:]...),
	}
	for name, c := range cases {
		mustFailClosed(t, name, testKey, testBinding, c, plain)
	}
}

// TestRangeOfTruncatedObjectFails: the requested range is intact, yet the
// object is shorter than it was: END is verified on open, so even a range
// read of the untouched first chunk fails.
func TestRangeOfTruncatedObjectFails(t *testing.T) {
	plain := pattern(3 * ChunkSize)
	obj, _ := sealObject(t, defaultParams(), plain)
	_, c1end := chunkAt(obj, 1)
	cut := append(append([]byte(nil), obj[:c1end]...), obj[len(obj)-EndSize:]...)
	if _, _, err := openBytes(testKey, testBinding, cut); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("open of truncated object: %v", err)
	}
}

func TestObjectSwapAcrossNames(t *testing.T) {
	plain := pattern(ChunkSize + 1)
	obj, _ := sealObject(t, defaultParams(), plain)
	other := func(f func(*Binding)) Binding { b := testBinding; f(&b); return b }
	cases := map[string]Binding{
		"other key":             other(func(b *Binding) { b.Key = "2024/dog.jpg" }),
		"trailing space":        other(func(b *Binding) { b.Key += " " }),
		"other bucket":          other(func(b *Binding) { b.Bucket = "photos2" }),
		"other user":            other(func(b *Binding) { b.UserID = []byte("user-0002-id-xyz") }),
		"bucket/key shift":      other(func(b *Binding) { b.Bucket, b.Key = "photos/2024", "cat.jpg" }),
		"empty user id":         other(func(b *Binding) { b.UserID = nil }),
		"key moved into bucket": other(func(b *Binding) { b.Bucket, b.Key = "photos2024", "/cat.jpg" }),
	}
	for name, b := range cases {
		mustFailClosed(t, name, testKey, b, obj, plain)
	}
	// Another user's key with the same epoch number.
	mustFailClosed(t, "other user's epoch key", ContentKey{Epoch: 1, Key: fixedKey(9)}, testBinding, obj, plain)
	// A dropped epoch: the key is unknown.
	mustFailClosed(t, "unknown epoch", ContentKey{Epoch: 2, Key: testKey.Key}, testBinding, obj, plain)
}

func TestHeaderDowngradeAndConfusion(t *testing.T) {
	plain := pattern(1000)
	obj, _ := sealObject(t, defaultParams(), plain)
	set := func(off int, v byte) []byte { c := append([]byte(nil), obj...); c[off] = v; return c }
	cases := map[string][]byte{
		"suite 1→2": set(5, 2), "suite 3": set(5, 3), "chunk log2 12": set(6, 12), "flags": set(7, 1),
		"epoch": set(11, 2), "slot size": set(44, 0), "reserved": set(46, 1), "version 0": set(4, 0),
		"version 2": set(4, 2), "magic": set(0, 'X'),
	}
	zeroMAC := append([]byte(nil), obj...)
	clear(zeroMAC[48:80])
	cases["zeroed MAC"] = zeroMAC
	for name, c := range cases {
		if bytes.Equal(c, obj) {
			t.Fatalf("%s: mutation changes nothing", name)
		}
		mustFailClosed(t, name, testKey, testBinding, c, plain)
	}
	_, _, err := openBytes(testKey, testBinding, set(4, 2))
	if !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("future version: want ErrUnsupportedFormat too, got %v", err)
	}
}

// TestSwapsBetweenVersions takes two genuine versions of the same name and
// mixes their regions: nothing but the genuine combinations opens.
func TestSwapsBetweenVersions(t *testing.T) {
	plain := pattern(2 * ChunkSize)
	a, _ := sealObject(t, defaultParams(), plain)
	p := defaultParams()
	p.Meta = Metadata{"content-type": "text/evil"}
	b, _ := sealObject(t, p, plain) // same name, same plaintext, other salt
	mix := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	body := func(o []byte) []byte { return o[PrefixSize : len(o)-EndSize] }
	endOf := func(o []byte) []byte { return o[len(o)-EndSize:] }
	cases := map[string][]byte{
		"slot of b":           mix(a[:HeaderSize], b[HeaderSize:PrefixSize], body(a), endOf(a)),
		"prefix of b":         mix(b[:PrefixSize], body(a), endOf(a)),
		"END of b":            mix(a[:PrefixSize], body(a), endOf(b)),
		"chunk 1 of b":        mix(a[:PrefixSize+SealedChunkSize], b[PrefixSize+SealedChunkSize:]),
		"chunk 0 of b":        mix(a[:PrefixSize], b[PrefixSize:PrefixSize+SealedChunkSize], a[PrefixSize+SealedChunkSize:]),
		"body of b, a's ends": mix(a[:PrefixSize], body(b), endOf(a)),
	}
	for name, c := range cases {
		mustFailClosed(t, name, testKey, testBinding, c, plain)
	}
	if bytes.Equal(a[HeaderSize:], b[HeaderSize:]) || bytes.Equal(a[12:44], b[12:44]) {
		t.Fatal("two seals of one plaintext share salt or bytes")
	}
}

func TestFreshnessOfSaltsAndNonces(t *testing.T) {
	plain := make([]byte, 8*ChunkSize) // all zero: equal chunks
	obj, _ := sealObject(t, defaultParams(), plain)
	seen := map[string]bool{}
	for g := 0; g < 8; g++ {
		s, _ := chunkAt(obj, g)
		n := string(obj[s : s+12])
		if seen[n] {
			t.Fatalf("nonce repeated at chunk %d", g)
		}
		seen[n] = true
	}
	again, _ := sealObject(t, defaultParams(), plain)
	for off := 12; off < len(obj); off += 4096 {
		if bytes.Equal(obj[off:off+16], again[off:off+16]) {
			t.Fatalf("two seals agree at %d", off)
		}
	}
}
