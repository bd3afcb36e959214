package gateway

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// Checksums of multipart uploads (S3's x-amz-checksum-type):
//
//   - COMPOSITE: the checksum of the concatenated binary part checksums,
//     shown as "<base64>-N" for N parts (any algorithm but CRC64NVME);
//   - FULL_OBJECT: the checksum of the whole object's plaintext, CRC32,
//     CRC32C or CRC64NVME only. It is not computed by re-reading the
//     object: the parts' CRCs are combined (crcCombine), as zlib's
//     crc32_combine does.

// Reflected polynomials of the CRCs a full-object checksum combines.
const (
	polyCRC32     = 0xedb88320         // IEEE
	polyCRC32C    = 0x82f63b78         // Castagnoli
	polyCRC64NVME = 0x9a6c9329ac4bc9b5 // CRC-64/NVME
)

var (
	tableCRC32C    = crc32.MakeTable(crc32.Castagnoli)
	tableCRC64NVME = crc64.MakeTable(polyCRC64NVME)
)

// NewChecksumHash returns a hash of alg (its Sum is the checksum S3
// shows, base64-encoded), nil for none or unknown.
func NewChecksumHash(alg ChecksumAlgorithm) hash.Hash {
	switch alg {
	case ChecksumCRC32:
		return crc32.NewIEEE()
	case ChecksumCRC32C:
		return crc32.New(tableCRC32C)
	case ChecksumSHA1:
		return sha1.New()
	case ChecksumSHA256:
		return sha256.New()
	case ChecksumCRC64NVME:
		return crc64.New(tableCRC64NVME)
	case ChecksumSHA512:
		return sha512.New()
	case ChecksumMD5:
		return md5.New()
	case ChecksumXXHASH64:
		return xxhash.New()
	case ChecksumXXHASH3:
		return xxh3.New()
	case ChecksumXXHASH128:
		return xxh3.New128()
	}
	return nil
}

// FullObjectCapable reports whether alg can make a FULL_OBJECT checksum
// of a multipart upload (a CRC).
func FullObjectCapable(alg ChecksumAlgorithm) bool { return crcOf(alg).width != 0 }

// CompositeCapable reports whether alg can make a COMPOSITE checksum.
func CompositeCapable(alg ChecksumAlgorithm) bool {
	return alg != ChecksumNone && alg != ChecksumCRC64NVME && alg.Size() != 0
}

// crcSpec is a reflected CRC with all-ones init and xorout: the standard
// CRC-32, CRC-32C and CRC-64/NVME.
type crcSpec struct {
	poly  uint64
	width uint
}

func crcOf(alg ChecksumAlgorithm) crcSpec {
	switch alg {
	case ChecksumCRC32:
		return crcSpec{polyCRC32, 32}
	case ChecksumCRC32C:
		return crcSpec{polyCRC32C, 32}
	case ChecksumCRC64NVME:
		return crcSpec{polyCRC64NVME, 64}
	}
	return crcSpec{}
}

// mulmod is a·b modulo the polynomial, in the reflected representation
// (the top bit is x⁰).
func (c crcSpec) mulmod(a, b uint64) uint64 {
	m := uint64(1) << (c.width - 1)
	var p uint64
	for a != 0 && m != 0 {
		if a&m != 0 {
			p ^= b
			a ^= m
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ c.poly
		} else {
			b >>= 1
		}
	}
	return p
}

// xpow8n is x^(8n) modulo the polynomial: n zero bytes appended.
func (c crcSpec) xpow8n(n int64) uint64 {
	one := uint64(1) << (c.width - 1)
	sq := one >> 1 // x¹
	for range 3 {
		sq = c.mulmod(sq, sq) // x⁸ after three squarings
	}
	p := one
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p = c.mulmod(sq, p)
		}
		sq = c.mulmod(sq, sq)
	}
	return p
}

// combine is the CRC of A‖B from crc(A), crc(B) and len(B).
func (c crcSpec) combine(crcA, crcB uint64, lenB int64) uint64 {
	return c.mulmod(c.xpow8n(lenB), crcA) ^ crcB
}

// partSum is one part's checksum and plaintext size.
type partSum struct {
	sum  []byte
	size int64
}

// fullObjectChecksum combines the parts' CRCs into the CRC of the whole
// object; ok is false if alg is no CRC or a part's value has the wrong size.
func fullObjectChecksum(alg ChecksumAlgorithm, parts []partSum) (sum []byte, ok bool) {
	c := crcOf(alg)
	if c.width == 0 {
		return nil, false
	}
	n := int(c.width / 8)
	var crc uint64
	for i, p := range parts {
		if len(p.sum) != n {
			return nil, false
		}
		v := beUint(p.sum)
		if i == 0 {
			crc = v
			continue
		}
		crc = c.combine(crc, v, p.size)
	}
	out := make([]byte, 8)
	binary.BigEndian.PutUint64(out, crc)
	return out[8-n:], true
}

func beUint(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}

// compositeChecksum is the checksum of the concatenated part checksums.
func compositeChecksum(alg ChecksumAlgorithm, parts []partSum) (sum []byte, ok bool) {
	h := NewChecksumHash(alg)
	if h == nil {
		return nil, false
	}
	for _, p := range parts {
		if len(p.sum) != alg.Size() {
			return nil, false
		}
		h.Write(p.sum)
	}
	return h.Sum(nil), true
}

// endChecksum is the part of a checksum END holds: none for the
// algorithms kept in the sealed metadata (checksumMeta).
func endChecksum(c Checksum) Checksum {
	if !c.Algorithm.InEnd() {
		return Checksum{}
	}
	return c
}

// checksumMeta is the sealed metadata value of a checksum END cannot
// hold, "" for others: "<algorithm number>:<0 full object|1 composite>:<hex>".
// Such a checksum must be known before the body is sealed (a header, not a
// trailer: the door refuses those).
func checksumMeta(c Checksum) string {
	if c.Algorithm == ChecksumNone || c.Algorithm.InEnd() || len(c.Value) != c.Algorithm.Size() {
		return ""
	}
	return fmt.Sprintf("%d:%d:%x", c.Algorithm, boolInt(c.Composite), c.Value)
}

// parseChecksumMeta reads a checksumMeta value.
func parseChecksumMeta(v string) (Checksum, bool) {
	var alg, kind int
	var sum []byte
	if _, err := fmt.Sscanf(v, "%d:%d:%x", &alg, &kind, &sum); err != nil || alg < 0 || alg > 255 || kind > 1 || kind < 0 {
		return Checksum{}, false
	}
	c := Checksum{Algorithm: ChecksumAlgorithm(alg), Composite: kind == 1, Value: sum}
	if c.Algorithm.InEnd() || c.Algorithm.Size() == 0 || len(sum) != c.Algorithm.Size() {
		return Checksum{}, false
	}
	return c, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
