package cryptolayer

import (
	"errors"
	"testing"
)

// TestEndRefusesMetadataChecksums: the algorithms kept in the sealed
// metadata are neither written to END nor accepted from it.
func TestEndRefusesMetadataChecksums(t *testing.T) {
	for _, alg := range []ChecksumAlgorithm{ChecksumSHA512, ChecksumMD5, ChecksumXXHASH64, ChecksumXXHASH3, ChecksumXXHASH128} {
		if alg.InEnd() || alg.Size() == 0 {
			t.Fatalf("algorithm %d: InEnd %v, size %d", alg, alg.InEnd(), alg.Size())
		}
		if err := (Checksum{Algorithm: alg, Value: make([]byte, alg.Size())}).validate(); err == nil {
			t.Errorf("algorithm %d: END would take it", alg)
		}
		e := endRecord{parts: 1, checksum: Checksum{Algorithm: ChecksumCRC32, Value: make([]byte, 4)}}
		b := e.marshal()
		b[48] = byte(alg)
		if _, err := parseEnd(b); !errors.Is(err, ErrIntegrity) {
			t.Errorf("algorithm %d: parseEnd = %v, want ErrIntegrity", alg, err)
		}
	}
}
