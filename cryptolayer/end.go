package cryptolayer

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ChecksumAlgorithm names a client checksum kept in the END record
// (S3's x-amz-checksum-*). sealgate verifies it at upload and returns it
// on request; the format only stores it.
type ChecksumAlgorithm uint8

// Checksum algorithms and their value sizes.
const (
	ChecksumNone ChecksumAlgorithm = iota
	ChecksumCRC32
	ChecksumCRC32C
	ChecksumSHA1
	ChecksumSHA256
	ChecksumCRC64NVME
	// The algorithms below are never stored in END (SHA-512 does not fit
	// it, and readers of the first format reject unknown algorithms): the
	// gateway keeps them in the sealed metadata.
	ChecksumSHA512
	ChecksumMD5
	ChecksumXXHASH64
	ChecksumXXHASH3
	ChecksumXXHASH128
)

// Size returns the digest length of the algorithm in bytes (0 for none or unknown).
func (a ChecksumAlgorithm) Size() int {
	switch a {
	case ChecksumCRC32, ChecksumCRC32C:
		return 4
	case ChecksumSHA1:
		return 20
	case ChecksumSHA256:
		return 32
	case ChecksumCRC64NVME, ChecksumXXHASH64, ChecksumXXHASH3:
		return 8
	case ChecksumSHA512:
		return 64
	case ChecksumMD5, ChecksumXXHASH128:
		return 16
	}
	return 0
}

// InEnd reports whether END can hold a checksum of the algorithm.
func (a ChecksumAlgorithm) InEnd() bool { return a >= ChecksumCRC32 && a <= ChecksumCRC64NVME }

// endSize is the digest length of an algorithm END holds, else 0.
func (a ChecksumAlgorithm) endSize() int {
	if !a.InEnd() {
		return 0
	}
	return a.Size()
}

// Checksum is a client checksum of the plaintext. Composite marks the
// checksum-of-part-checksums form of a multipart upload ("…-N" on S3).
type Checksum struct {
	Algorithm ChecksumAlgorithm
	Composite bool
	Value     []byte
}

func (c Checksum) validate() error {
	if c.Algorithm == ChecksumNone {
		if c.Composite || len(c.Value) != 0 {
			return fmt.Errorf("cryptolayer: checksum value without algorithm")
		}
		return nil
	}
	if c.Algorithm.endSize() == 0 || len(c.Value) != c.Algorithm.endSize() {
		return fmt.Errorf("cryptolayer: bad checksum (algorithm %d, %d bytes)", c.Algorithm, len(c.Value))
	}
	return nil
}

// endRecord is the sealed trailer of every object. Its plaintext is
// endPlainSize bytes, big-endian:
//
//	 0  8 plaintext size P
//	 8  8 chunk count n
//	16  4 layout part count (>= 1): the parts the chunk positions count
//	20  8 part size (0 when there is one layout part, else the uniform size)
//	28 16 ETag digest (MD5 of the plaintext, or MD5 of the part MD5s)
//	44  4 ETag part count: 0 for a single PUT ("hex"), N >= 1 for a
//	      multipart upload of N parts ("hex-N"), whatever the layout
//	48  1 checksum algorithm
//	49  1 checksum kind: 0 full object, 1 composite
//	50  2 reserved, 0
//	52 32 checksum value, zero padded
type endRecord struct {
	size, chunks int64
	parts        uint32 // layout parts
	partSize     int64
	digest       [16]byte
	etagParts    uint32
	checksum     Checksum
}

func (e *endRecord) marshal() []byte {
	b := make([]byte, 0, endPlainSize)
	b = binary.BigEndian.AppendUint64(b, uint64(e.size))
	b = binary.BigEndian.AppendUint64(b, uint64(e.chunks))
	b = binary.BigEndian.AppendUint32(b, e.parts)
	b = binary.BigEndian.AppendUint64(b, uint64(e.partSize))
	b = append(b, e.digest[:]...)
	b = binary.BigEndian.AppendUint32(b, e.etagParts)
	b = append(b, byte(e.checksum.Algorithm), boolByte(e.checksum.Composite), 0, 0)
	var v [32]byte
	copy(v[:], e.checksum.Value)
	return append(b, v[:]...)
}

// parseEnd decodes an END plaintext and checks that it describes a layout
// this format can produce. Consistency with the upstream size is checked by
// the reader.
func parseEnd(b []byte) (*endRecord, error) {
	if len(b) != endPlainSize {
		return nil, fmt.Errorf("%w: END length", ErrIntegrity)
	}
	e := &endRecord{
		size:      int64(binary.BigEndian.Uint64(b[0:8])),
		chunks:    int64(binary.BigEndian.Uint64(b[8:16])),
		parts:     binary.BigEndian.Uint32(b[16:20]),
		partSize:  int64(binary.BigEndian.Uint64(b[20:28])),
		etagParts: binary.BigEndian.Uint32(b[44:48]),
	}
	copy(e.digest[:], b[28:44])
	e.checksum.Algorithm = ChecksumAlgorithm(b[48])
	n := e.checksum.Algorithm.endSize()
	e.checksum.Value = append([]byte(nil), b[52:52+n]...)
	switch {
	case b[49] > 1 || b[50] != 0 || b[51] != 0 || !allZero(b[52+n:]):
		return nil, fmt.Errorf("%w: END flags", ErrIntegrity)
	case e.checksum.Algorithm != ChecksumNone && n == 0:
		return nil, fmt.Errorf("%w: END checksum algorithm", ErrIntegrity)
	case e.checksum.Algorithm == ChecksumNone && b[49] != 0:
		return nil, fmt.Errorf("%w: END checksum kind", ErrIntegrity)
	}
	e.checksum.Composite = b[49] == 1
	if e.checksum.Algorithm == ChecksumNone {
		e.checksum.Value = nil
	}
	if err := e.checkLayout(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	return e, nil
}

// checkLayout accepts exactly the layouts writers produce: one part with
// part size 0, or 2..MaxParts parts of a uniform 64 KiB-aligned size and a
// non-empty last part of at most that size. A multipart ETag of N parts goes
// with N layout parts, or with one (an upload re-sealed into one layout).
func (e *endRecord) checkLayout() error {
	bad := func(why string) error { return errors.New("layout: " + why) }
	switch {
	case e.size < 0 || e.chunks != ChunkCount(e.size):
		return bad("size and chunk count disagree")
	case e.parts == 0 || e.parts > MaxParts:
		return bad("part count")
	case e.etagParts > MaxParts:
		return bad("ETag part count")
	case e.etagParts == 0 && e.parts != 1:
		return bad("single-PUT ETag on several parts")
	case e.etagParts != 0 && e.parts != 1 && e.parts != e.etagParts:
		return bad("ETag part count differs from the layout")
	case e.parts == 1:
		if e.partSize != 0 {
			return bad("part size on one part")
		}
		return nil
	case e.partSize <= 0 || e.partSize%ChunkSize != 0:
		return bad("unaligned part size")
	}
	last := e.size - int64(e.parts-1)*e.partSize
	if last < 1 || last > e.partSize {
		return bad("last part size")
	}
	return nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// endAAD = "SGWe" || object id.
func endAAD(k *objectKeys) []byte { return append([]byte("SGWe"), k.id[:]...) }

func sealEnd(k *objectKeys, e *endRecord) []byte {
	return seal(k.data, make([]byte, 0, EndSize), e.marshal(), endAAD(k))
}

func openEnd(k *objectKeys, sealed []byte) (*endRecord, error) {
	if len(sealed) != EndSize {
		return nil, integrity("end", nil)
	}
	pt, err := open(k.data, nil, sealed, endAAD(k))
	if err != nil {
		return nil, integrity("end", nil)
	}
	e, err := parseEnd(pt)
	if err != nil {
		return nil, integrity("end", err)
	}
	return e, nil
}

// chunkPos maps a global chunk index g to its (part, index in part, last)
// triple, the chunk's position as its AAD states it.
func (e *endRecord) chunkPos(g int64) (part uint32, idx uint32, last bool) {
	if e.parts == 1 {
		return 1, uint32(g), g == e.chunks-1
	}
	cpp := e.partSize / ChunkSize
	p := g / cpp
	return uint32(p + 1), uint32(g - p*cpp), g == e.chunks-1 || g%cpp == cpp-1
}

// chunkAAD = "SGWc" || object id || BE32(part) || BE32(index) || last.
func chunkAAD(dst []byte, k *objectKeys, part, idx uint32, last bool) []byte {
	dst = append(dst[:0], "SGWc"...)
	dst = append(dst, k.id[:]...)
	dst = binary.BigEndian.AppendUint32(dst, part)
	dst = binary.BigEndian.AppendUint32(dst, idx)
	return append(dst, boolByte(last))
}
