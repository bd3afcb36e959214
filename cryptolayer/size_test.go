package cryptolayer

import (
	"math/rand/v2"
	"testing"
)

// TestSizeFormulaExhaustive checks every upstream size up to four chunks:
// DecryptedSize accepts exactly the image of EncryptedSize.
func TestSizeFormulaExhaustive(t *testing.T) {
	image := map[int64]int64{}
	for p := int64(0); p <= 6*ChunkSize; p++ {
		image[EncryptedSize(p)] = p
	}
	for e := int64(0); e <= EncryptedSize(4*ChunkSize)+SealedChunkSize; e++ {
		p, ok := DecryptedSize(e)
		want, genuine := image[e]
		if ok != genuine || (ok && p != want) {
			t.Fatalf("DecryptedSize(%d) = %d, %v; want %d, %v", e, p, ok, want, genuine)
		}
	}
}

// TestSizeFormulaProperty: DecryptedSize(EncryptedSize(p)) == p for random
// and boundary p up to beyond 5 TiB, and the formula is strictly increasing.
func TestSizeFormulaProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ps := []int64{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 5<<30 - 1, 5 << 30, 5<<30 + 1, 5 << 40}
	for range 100000 {
		ps = append(ps, r.Int64N(6<<40))
	}
	for _, p := range ps {
		e := EncryptedSize(p)
		if got, ok := DecryptedSize(e); !ok || got != p {
			t.Fatalf("p=%d: E=%d decrypts to %d, %v", p, e, got, ok)
		}
		if EncryptedSize(p+1) <= e {
			t.Fatalf("not increasing at %d", p)
		}
		if p%ChunkSize == 0 && p > 0 { // the gap where a new chunk starts
			if _, ok := DecryptedSize(e + 1); ok {
				t.Fatalf("E=%d+1 accepted after a full chunk", e)
			}
		}
	}
}
