package gateway

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestChecksumCombine checks the full-object and composite checksums of
// random part layouts against a direct computation over the whole body.
func TestChecksumCombine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, alg := range []ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME} {
		for trial := range 40 {
			parts, body := randomParts(rng, 1+rng.IntN(6), trial%4 == 0)
			whole := NewChecksumHash(alg)
			whole.Write(body)
			got, ok := fullObjectChecksum(alg, parts(alg))
			if !ok || !bytes.Equal(got, whole.Sum(nil)) {
				t.Fatalf("alg %d trial %d: combined %x, direct %x", alg, trial, got, whole.Sum(nil))
			}
		}
	}
}

// randomParts cuts a random body into n parts of random sizes (some empty
// if withEmpty) and returns a function computing their sums.
func randomParts(rng *rand.Rand, n int, withEmpty bool) (func(ChecksumAlgorithm) []partSum, []byte) {
	var chunks [][]byte
	var body []byte
	for range n {
		size := rng.IntN(5000)
		if withEmpty && rng.IntN(2) == 0 {
			size = 0
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		chunks = append(chunks, b)
		body = append(body, b...)
	}
	return func(alg ChecksumAlgorithm) []partSum {
		out := make([]partSum, len(chunks))
		for i, c := range chunks {
			h := NewChecksumHash(alg)
			h.Write(c)
			out[i] = partSum{sum: h.Sum(nil), size: int64(len(c))}
		}
		return out
	}, body
}

func TestCompositeChecksum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, alg := range []ChecksumAlgorithm{ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256} {
		parts, _ := randomParts(rng, 4, false)
		ps := parts(alg)
		want := NewChecksumHash(alg)
		for _, p := range ps {
			want.Write(p.sum)
		}
		got, ok := compositeChecksum(alg, ps)
		if !ok || !bytes.Equal(got, want.Sum(nil)) {
			t.Fatalf("alg %d: composite %x, want %x", alg, got, want.Sum(nil))
		}
	}
}

func TestChecksumCapabilities(t *testing.T) {
	tests := []struct {
		alg        ChecksumAlgorithm
		full, comp bool
	}{
		{ChecksumCRC32, true, true},
		{ChecksumCRC32C, true, true},
		{ChecksumCRC64NVME, true, false},
		{ChecksumSHA1, false, true},
		{ChecksumSHA256, false, true},
		{ChecksumNone, false, false},
	}
	for _, tc := range tests {
		if FullObjectCapable(tc.alg) != tc.full || CompositeCapable(tc.alg) != tc.comp {
			t.Errorf("alg %d: full %v composite %v", tc.alg, FullObjectCapable(tc.alg), CompositeCapable(tc.alg))
		}
	}
	if _, ok := fullObjectChecksum(ChecksumSHA1, nil); ok {
		t.Error("SHA1 made a full-object checksum")
	}
	if _, ok := fullObjectChecksum(ChecksumCRC32, []partSum{{sum: []byte{1}}}); ok {
		t.Error("a short CRC was combined")
	}
}
