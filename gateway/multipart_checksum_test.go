package gateway

import (
	"bytes"
	"errors"
	"testing"
)

func sumOf(alg ChecksumAlgorithm, b []byte) []byte {
	h := NewChecksumHash(alg)
	h.Write(b)
	return h.Sum(nil)
}

// TestObjectChecksum: the Complete's checks and the object checksum made
// from the part records, for each kind of upload.
func TestObjectChecksum(t *testing.T) {
	p1, p2 := bytes.Repeat([]byte("a"), 100), []byte("tail")
	recs := func(alg ChecksumAlgorithm) []partRecord {
		return []partRecord{{Size: 100, CkAlg: alg, Ck: sumOf(alg, p1)}, {Size: 4, CkAlg: alg, Ck: sumOf(alg, p2)}}
	}
	parts := func(alg ChecksumAlgorithm) []CompletedPart {
		return []CompletedPart{{Number: 1, Checksum: Checksum{Algorithm: alg, Value: sumOf(alg, p1)}},
			{Number: 2, Checksum: Checksum{Algorithm: alg, Value: sumOf(alg, p2)}}}
	}
	whole := append(append([]byte(nil), p1...), p2...)
	composite := sumOf(ChecksumSHA256, append(sumOf(ChecksumSHA256, p1), sumOf(ChecksumSHA256, p2)...))
	tests := []struct {
		name    string
		st      uploadState
		parts   []CompletedPart
		recs    []partRecord
		opts    PutOptions
		want    Checksum
		wantErr any
	}{
		{"default CRC64NVME", uploadState{}, []CompletedPart{{Number: 1}, {Number: 2}}, recs(ChecksumCRC64NVME), PutOptions{},
			Checksum{Algorithm: ChecksumCRC64NVME, Value: sumOf(ChecksumCRC64NVME, whole)}, nil},
		{"records without checksums", uploadState{}, []CompletedPart{{Number: 1}, {Number: 2}}, []partRecord{{Size: 100}, {Size: 4}}, PutOptions{},
			Checksum{}, nil},
		{"CRC32C full object", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumCRC32C), recs(ChecksumCRC32C), PutOptions{},
			Checksum{Algorithm: ChecksumCRC32C, Value: sumOf(ChecksumCRC32C, whole)}, nil},
		{"SHA256 composite", uploadState{CkAlg: ChecksumSHA256, CkComposite: true}, parts(ChecksumSHA256), recs(ChecksumSHA256), PutOptions{},
			Checksum{Algorithm: ChecksumSHA256, Composite: true, Value: composite}, nil},
		{"expected value matches", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumCRC32C), recs(ChecksumCRC32C),
			PutOptions{Checksum: Checksum{Algorithm: ChecksumCRC32C, Value: sumOf(ChecksumCRC32C, whole)}},
			Checksum{Algorithm: ChecksumCRC32C, Value: sumOf(ChecksumCRC32C, whole)}, nil},
		{"expected value differs", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumCRC32C), recs(ChecksumCRC32C),
			PutOptions{Checksum: Checksum{Algorithm: ChecksumCRC32C, Value: []byte{1, 2, 3, 4}}}, Checksum{}, new(*ChecksumValueError)},
		{"mode differs", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumCRC32C), recs(ChecksumCRC32C),
			PutOptions{ChecksumMode: ChecksumModeComposite}, Checksum{}, new(*ChecksumModeError)},
		{"part checksum missing", uploadState{CkAlg: ChecksumSHA256, CkComposite: true}, []CompletedPart{{Number: 1}, {Number: 2}}, recs(ChecksumSHA256),
			PutOptions{}, Checksum{}, new(*PartChecksumError)},
		{"part checksum of another algorithm", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumSHA1), recs(ChecksumCRC32C),
			PutOptions{}, Checksum{}, new(*PartChecksumError)},
		{"part checksum wrong", uploadState{CkAlg: ChecksumCRC32C}, parts(ChecksumCRC32C), []partRecord{{Size: 100, CkAlg: ChecksumCRC32C, Ck: []byte{0, 0, 0, 0}}, recs(ChecksumCRC32C)[1]},
			PutOptions{}, Checksum{}, ErrInvalidPart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := objectChecksum(&tc.st, tc.parts, tc.recs, tc.opts)
			switch want := tc.wantErr.(type) {
			case nil:
				if err != nil || got.Algorithm != tc.want.Algorithm || got.Composite != tc.want.Composite || !bytes.Equal(got.Value, tc.want.Value) {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
			case error:
				if !errors.Is(err, want) {
					t.Fatalf("err %v, want %v", err, want)
				}
			default:
				if err == nil || !errors.As(err, want) {
					t.Fatalf("err %v, want a %T", err, want)
				}
			}
		})
	}
}

// TestPartChecksumAlg: the part's algorithm, and the refusals.
func TestPartChecksumAlg(t *testing.T) {
	tests := []struct {
		st   uploadState
		opts PartOptions
		want ChecksumAlgorithm
		ok   bool
	}{
		{uploadState{}, PartOptions{Algorithm: ChecksumSHA1, Strict: true}, ChecksumCRC64NVME, true},
		{uploadState{CkAlg: ChecksumCRC32}, PartOptions{Algorithm: ChecksumCRC32, Strict: true}, ChecksumCRC32, true},
		{uploadState{CkAlg: ChecksumCRC32}, PartOptions{Algorithm: ChecksumSHA1}, ChecksumNone, false},
		{uploadState{CkAlg: ChecksumCRC32}, PartOptions{Strict: true}, ChecksumCRC32, true}, // FULL_OBJECT: computed
		{uploadState{CkAlg: ChecksumCRC32, CkComposite: true}, PartOptions{Strict: true}, ChecksumNone, false},
		{uploadState{CkAlg: ChecksumCRC32, CkComposite: true}, PartOptions{}, ChecksumCRC32, true}, // a copied part
	}
	for i, tc := range tests {
		got, err := partChecksumAlg(&tc.st, tc.opts)
		var ae *ChecksumAlgorithmError
		if got != tc.want || (err == nil) != tc.ok || err != nil && !errors.As(err, &ae) {
			t.Errorf("%d: %d, %v", i, got, err)
		}
	}
}

// TestChecksumMeta: the sealed metadata form of the checksums END cannot
// hold reads back, and nothing else is accepted.
func TestChecksumMeta(t *testing.T) {
	for _, c := range []Checksum{
		{Algorithm: ChecksumSHA512, Value: sumOf(ChecksumSHA512, []byte("x"))},
		{Algorithm: ChecksumXXHASH128, Composite: true, Value: sumOf(ChecksumXXHASH128, []byte("x"))},
		{Algorithm: ChecksumMD5, Value: sumOf(ChecksumMD5, nil)},
	} {
		got, ok := parseChecksumMeta(checksumMeta(c))
		if !ok || got.Algorithm != c.Algorithm || got.Composite != c.Composite || !bytes.Equal(got.Value, c.Value) {
			t.Errorf("%+v read back as %+v, %v", c, got, ok)
		}
		if endChecksum(c).Algorithm != ChecksumNone {
			t.Errorf("%d went to END", c.Algorithm)
		}
	}
	// Frozen: the sealed form must stay readable (docs/FORMAT.md, sg:cksum).
	const frozen = "7:1:d41d8cd98f00b204e9800998ecf8427e" // composite MD5 of nothing
	if got := checksumMeta(Checksum{Algorithm: ChecksumMD5, Composite: true, Value: sumOf(ChecksumMD5, nil)}); got != frozen {
		t.Errorf("sg:cksum form %q, frozen %q", got, frozen)
	}
	if c, ok := parseChecksumMeta(frozen); !ok || c.Algorithm != ChecksumMD5 || !c.Composite {
		t.Errorf("frozen %q read as %+v, %v", frozen, c, ok)
	}
	if checksumMeta(Checksum{Algorithm: ChecksumCRC32, Value: []byte{1, 2, 3, 4}}) != "" {
		t.Error("a CRC32 went to the metadata")
	}
	for _, bad := range []string{"", "1:0:00000000", "6:2:00", "6:0:00", "7:0:zz", "x"} {
		if _, ok := parseChecksumMeta(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
