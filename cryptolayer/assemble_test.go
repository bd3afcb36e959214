package cryptolayer

import (
	"crypto/md5"
	"fmt"
)

// assemble returns the END record and the summary of an object made of an
// upload's parts in place, Prefix || part 1 chunks || … || part N chunks ||
// END: the multipart layout of docs/FORMAT.md, which readers open but
// sealgate no longer writes (it re-seals uploads, so that an older attempt
// of a part cannot be spliced in). The golden vectors and the reader's
// tests build such objects with it. parts must be numbered 1..N and fit the
// uniform layout the reader checks.
func assemble(u Upload, ring KeyRing, parts []PartInfo) ([]byte, Summary, error) {
	k, err := u.keys(ring)
	if err != nil {
		return nil, Summary{}, err
	}
	e := &endRecord{parts: uint32(len(parts)), etagParts: uint32(len(parts))}
	h := md5.New()
	for i, p := range parts {
		if p.Number != i+1 {
			return nil, Summary{}, fmt.Errorf("%w: part %d at position %d", ErrPartLayout, p.Number, i+1)
		}
		h.Write(p.MD5[:])
		e.size += p.Size
	}
	copy(e.digest[:], h.Sum(nil))
	e.chunks = ChunkCount(e.size)
	if len(parts) > 1 {
		e.partSize = parts[0].Size
	}
	if err := e.checkLayout(); err != nil {
		return nil, Summary{}, fmt.Errorf("%w: %v", ErrPartLayout, err)
	}
	s := Summary{Size: e.size, UpstreamSize: EncryptedSize(e.size), Digest: e.digest, ETagParts: len(parts)}
	return sealEnd(k, e), s, nil
}
