package cryptolayer

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// Benchmarks (go test -bench . -run '^$' ./cryptolayer/). Sizes per op are
// whole streams, so MB/s is per stream and per core:
//   - RawAESGCM: the ceiling, one 64 KiB seal.
//   - MD5: the ETag's cost alone.
//   - Seal/*-noMD5: sealing with the digest supplied by the caller.
//   - Seal/*-MD5: sealing with the MD5 on its own goroutine.
//   - Open/*: authenticated reads.

func benchSizes() []struct {
	name string
	n    int64
} {
	return []struct {
		name string
		n    int64
	}{{"64KiB", 64 << 10}, {"1GiB", 1 << 30}}
}

func BenchmarkRawAESGCM(b *testing.B) {
	k := fixedKey(1)
	blk, _ := aes.NewCipher(k[:])
	g, _ := cipher.NewGCM(blk)
	pt, out, nonce := make([]byte, ChunkSize), make([]byte, 0, SealedChunkSize), make([]byte, 12)
	b.SetBytes(ChunkSize)
	for b.Loop() {
		out = g.Seal(out[:0], nonce, pt, nil)
	}
}

func BenchmarkMD5(b *testing.B) {
	buf := make([]byte, ChunkSize)
	h := md5.New()
	b.SetBytes(ChunkSize)
	for b.Loop() {
		h.Write(buf)
	}
}

// zeroReader yields n zero bytes, without allocating per read.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n == 0 {
		return 0, io.EOF
	}
	m := min(int64(len(p)), z.n)
	clear(p[:m])
	z.n -= m
	return int(m), nil
}

func BenchmarkSeal(b *testing.B) {
	for _, sz := range benchSizes() {
		for _, md := range []bool{false, true} {
			name := sz.name + "-noMD5"
			if md {
				name = sz.name + "-MD5"
			}
			b.Run(name, func(b *testing.B) {
				p := defaultParams()
				p.ExternalDigest = !md
				b.SetBytes(sz.n)
				b.ReportAllocs()
				buf := make([]byte, 256<<10)
				for b.Loop() {
					w, _ := NewWriter(io.Discard, p)
					_, _ = io.CopyBuffer(w, &zeroReader{n: sz.n}, buf)
					w.SetDigest([16]byte{})
					if err := w.Close(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkOpen reads real sealed objects (held in memory, so at most 64 MiB).
func BenchmarkOpen(b *testing.B) {
	for _, n := range []int64{64 << 10, 64 << 20} {
		obj, _ := sealObject(b, defaultParams(), make([]byte, n))
		b.Run(sizeName(n), func(b *testing.B) {
			f := &memFetcher{obj: obj}
			b.SetBytes(n)
			b.ReportAllocs()
			for b.Loop() {
				o, err := Open(context.Background(), testKey, testBinding, int64(len(obj)), f.fetch)
				if err != nil {
					b.Fatal(err)
				}
				rc, _ := o.Range(context.Background(), 0, o.Size)
				if _, err := io.Copy(io.Discard, rc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sizeName(n int64) string {
	if n >= 1<<20 {
		return strconv.FormatInt(n>>20, 10) + "MiB"
	}
	return strconv.FormatInt(n>>10, 10) + "KiB"
}

// TestWriterMemoryIsBounded seals 256 MiB and checks that the bytes
// allocated stay at a few chunks: memory per stream does not grow with the
// object (a bound, not a timing).
func TestWriterMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("seals 256 MiB")
	}
	measure := func(n int64) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		w, _ := NewWriter(io.Discard, defaultParams())
		_, _ = io.CopyBuffer(w, &zeroReader{n: n}, make([]byte, 32<<10))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, big := measure(1<<20), measure(256<<20)
	if big > 1<<20 || big > small+256<<10 {
		t.Fatalf("sealing allocates with the object's size: 1 MiB → %d B, 256 MiB → %d B", small, big)
	}
	t.Logf("allocated: 1 MiB stream %d B, 256 MiB stream %d B", small, big)
}
