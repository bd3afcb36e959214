package gateway

import (
	"bytes"
	"fmt"
)

// checkUploadChecksum refuses a declared upload checksum of a type its
// algorithm cannot make.
func checkUploadChecksum(c Checksum) error {
	switch {
	case c.Algorithm == ChecksumNone && !c.Composite:
		return nil
	case c.Composite && !CompositeCapable(c.Algorithm), !c.Composite && !FullObjectCapable(c.Algorithm):
		return fmt.Errorf("%w: checksum algorithm %d, composite=%v", ErrInvalidArgument, c.Algorithm, c.Composite)
	}
	return nil
}

// partChecksumAlg is the algorithm of a part's checksum: the upload's, or
// CRC64NVME if it declared none. A request announcing another algorithm,
// or (strict) none for a COMPOSITE upload, is refused.
func partChecksumAlg(st *uploadState, opts PartOptions) (ChecksumAlgorithm, error) {
	if st.CkAlg == ChecksumNone {
		return ChecksumCRC64NVME, nil
	}
	got := opts.Algorithm
	if got != ChecksumNone && got != st.CkAlg || got == ChecksumNone && opts.Strict && st.CkComposite {
		return ChecksumNone, &ChecksumAlgorithmError{Want: st.CkAlg, Got: got}
	}
	return st.CkAlg, nil
}

// partInfo is what UploadPart and ListParts tell of a part: its checksum
// only if the upload declared an algorithm.
func partInfo(num int, rec partRecord, st *uploadState) PartInfo {
	p := PartInfo{Number: num, Size: rec.Size, ETag: fmt.Sprintf("%x", rec.MD5), LastModified: rec.Time}
	if st.CkAlg != ChecksumNone && rec.CkAlg == st.CkAlg {
		p.Checksum = Checksum{Algorithm: rec.CkAlg, Value: rec.Ck}
	}
	return p
}

// objectChecksum checks the Complete's part checksums and the whole
// object's checksum the client expects (opts) against the stored parts,
// and returns the object's checksum: the upload's type and algorithm, or
// a FULL_OBJECT CRC64NVME if it declared none (none if a part, recorded
// before checksums were, has no checksum).
func objectChecksum(st *uploadState, parts []CompletedPart, recs []partRecord, opts PutOptions) (Checksum, error) {
	if st.CkAlg == ChecksumNone {
		sum, ok := fullObjectChecksum(ChecksumCRC64NVME, partSums(recs, ChecksumCRC64NVME))
		if !ok {
			return Checksum{}, nil
		}
		return Checksum{Algorithm: ChecksumCRC64NVME, Value: sum}, nil // the client's expectation is ignored, as on S3
	}
	if m := opts.ChecksumMode; m != ChecksumModeUnset && (m == ChecksumModeComposite) != st.CkComposite {
		return Checksum{}, &ChecksumModeError{Composite: st.CkComposite}
	}
	if err := checkPartChecksums(st, parts, recs); err != nil {
		return Checksum{}, err
	}
	combine := fullObjectChecksum
	if st.CkComposite {
		combine = compositeChecksum
	}
	sum, ok := combine(st.CkAlg, partSums(recs, st.CkAlg))
	if !ok {
		return Checksum{}, fmt.Errorf("%w: a part has no %d checksum", ErrInvalidPart, st.CkAlg)
	}
	if c := opts.Checksum; c.Algorithm != ChecksumNone && (c.Algorithm != st.CkAlg || !bytes.Equal(c.Value, sum)) {
		return Checksum{}, &ChecksumValueError{Algorithm: c.Algorithm}
	}
	return Checksum{Algorithm: st.CkAlg, Composite: st.CkComposite, Value: sum}, nil
}

// checkPartChecksums checks the part checksums the Complete names: each
// of the upload's algorithm and equal to the part's (required for a
// COMPOSITE upload).
func checkPartChecksums(st *uploadState, parts []CompletedPart, recs []partRecord) error {
	for i, p := range parts {
		c := p.Checksum
		switch {
		case c.Algorithm == ChecksumNone && st.CkComposite:
			return &PartChecksumError{Part: p.Number, Want: st.CkAlg}
		case c.Algorithm == ChecksumNone:
		case c.Algorithm != st.CkAlg:
			return &PartChecksumError{Part: p.Number, Want: st.CkAlg, Got: c.Algorithm}
		case recs[i].CkAlg != c.Algorithm || !bytes.Equal(recs[i].Ck, c.Value):
			return fmt.Errorf("%w: part %d checksum", ErrInvalidPart, p.Number)
		}
	}
	return nil
}

// partSums are the parts' checksums of alg (nil sums where a record has
// another).
func partSums(recs []partRecord, alg ChecksumAlgorithm) []partSum {
	out := make([]partSum, len(recs))
	for i, r := range recs {
		out[i].size = r.Size
		if r.CkAlg == alg {
			out[i].sum = r.Ck
		}
	}
	return out
}

func uploadInfo(id string, st *uploadState) UploadInfo {
	return UploadInfo{Key: st.Key, UploadID: id, Initiated: st.Created,
		Checksum: UploadChecksum{Algorithm: st.CkAlg, Composite: st.CkComposite}}
}
