package sigv4

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/zeebo/xxh3"
)

// Checksum is a verified x-amz-checksum-* value: Algorithm is the S3 name
// (CRC32, CRC32C, SHA1, SHA256, CRC64NVME, SHA512, MD5, XXHASH64, XXHASH3,
// XXHASH128) and Value its base64 encoding.
type Checksum struct {
	Algorithm string
	Value     string
}

// crc64NVME is CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and
// xorout all ones (hash/crc64 applies both).
var crc64NVME = crc64.MakeTable(0x9a6c9329ac4bc9b5)

type checksumAlg struct {
	name string // S3 name
	size int    // digest size in bytes
	new  func() hash.Hash
}

var checksumAlgs = map[string]checksumAlg{
	"crc32":     {"CRC32", 4, func() hash.Hash { return crc32.NewIEEE() }},
	"crc32c":    {"CRC32C", 4, func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	"sha1":      {"SHA1", sha1.Size, sha1.New},
	"sha256":    {"SHA256", sha256.Size, sha256.New},
	"crc64nvme": {"CRC64NVME", 8, func() hash.Hash { return crc64.New(crc64NVME) }},
	"sha512":    {"SHA512", sha512.Size, sha512.New},
	"md5":       {"MD5", md5.Size, md5.New},
	"xxhash64":  {"XXHASH64", 8, func() hash.Hash { return xxhash.New() }},
	"xxhash3":   {"XXHASH3", 8, func() hash.Hash { return xxh3.New() }},
	"xxhash128": {"XXHASH128", 16, func() hash.Hash { return xxh3.New128() }},
}

const checksumPrefix = "x-amz-checksum-"

// checksumAlgOf returns the algorithm of a lower-case x-amz-checksum-* name.
func checksumAlgOf(header string) (checksumAlg, bool) {
	suffix, ok := strings.CutPrefix(header, checksumPrefix)
	if !ok {
		return checksumAlg{}, false
	}
	a, ok := checksumAlgs[suffix]
	return a, ok
}

// validChecksumValue reports whether v is the base64 of a digest of alg.
func validChecksumValue(alg checksumAlg, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == alg.size
}

// checksumSpec is the checksum a body must match: the algorithm, the header
// carrying it, and the value when it came as a request header ("" when it
// comes in the trailer).
type checksumSpec struct {
	alg    checksumAlg
	header string
	want   string
}

// finish runs the end-of-body checks: length, SHA-256, MD5, checksum.
func (st *bodyState) finish() error {
	if st.want >= 0 && st.n != st.want {
		return errorf(ErrIncompleteBody, "body has %d bytes, %d declared", st.n, st.want)
	}
	if st.sha != nil && !bytesEqual(st.sha.Sum(nil), st.wantSHA) {
		return sha256MismatchError(st.wantSHA, st.sha.Sum(nil), "the body's SHA-256 differs from x-amz-content-sha256")
	}
	if sum := st.md5; sum != nil && !bytesEqual(sum.Sum(nil), st.wantMD5) {
		// AWS's fields: the body's digest in base64, the header's in hex.
		return withDetail(errorf(ErrBadDigest, "the body's MD5 differs from Content-MD5"), Detail{
			CalculatedDigest: base64.StdEncoding.EncodeToString(sum.Sum(nil)),
			ExpectedDigest:   hex.EncodeToString(st.wantMD5),
		})
	}
	return st.finishChecksum()
}

func (st *bodyState) finishChecksum() error {
	if st.ck == nil {
		return nil
	}
	want := st.ck.want
	if want == "" && st.chunks != nil {
		want = st.chunks.trailers[st.ck.header]
	}
	if !validChecksumValue(st.ck.alg, want) {
		return awsErrorf(ErrInvalidChecksum, "Value for %s trailing header is invalid.", st.ck.header)
	}
	h := st.ckHash
	if h == nil {
		h = st.ck.alg.new()
	}
	got := base64.StdEncoding.EncodeToString(h.Sum(nil))
	if got != want {
		return awsErrorf(ErrBadChecksum, "The %s you specified did not match the calculated checksum.", st.ck.alg.name)
	}
	st.checksum = Checksum{Algorithm: st.ck.alg.name, Value: got}
	return nil
}

func bytesEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
