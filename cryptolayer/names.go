package cryptolayer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"
)

// Name cipher (docs/format-names.md): every '/'-separated segment of an
// object key, and every bucket name, is encrypted deterministically with the
// SIV composition (Rogaway–Shrimpton) of HMAC-SHA256 and AES-256-CTR, with
// the plaintext parent path and the segment kind as associated data.
//
// Name keys come from the user root key, never from a content epoch: a name
// is a lookup key, so rotating its key would rename every object of the
// user. They change only with the user root key (a compromise: re-encrypt
// everything).

// Sentinel errors of the name cipher. Their messages, and those of every
// error that wraps them, never contain a plaintext name or key material.
var (
	// ErrNameAuth: an encrypted segment is malformed, was tampered with, was
	// moved under another parent, or belongs to another bucket, user or kind.
	ErrNameAuth = errors.New("cryptolayer: encrypted name failed authentication")
	// ErrLongName: the segment is in the hashed long form; the plaintext is
	// not recoverable from the name (read it from the object's metadata and
	// check it with LongSegmentMatches).
	ErrLongName = errors.New("cryptolayer: long name is not decryptable")
	// ErrKeyTooLong: an object key longer than MaxKeyBytes.
	ErrKeyTooLong = errors.New("cryptolayer: object key too long")
)

// SegmentKind tells an object name from a folder segment. The kind is part
// of the MAC input and shows as the last character of the encrypted segment,
// so S3 keys "a" and "a/b" coexist on every backend.
type SegmentKind uint8

// The two segment kinds; the value is the suffix character.
const (
	KindObject SegmentKind = '0' // last segment of an object key
	KindFolder SegmentKind = '1' // every other segment (and bucket directories)
)

func (k SegmentKind) valid() bool { return k == KindObject || k == KindFolder }

// String returns "object" or "folder".
func (k SegmentKind) String() string {
	switch k {
	case KindObject:
		return "object"
	case KindFolder:
		return "folder"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Limits of the name cipher.
const (
	// MaxEncodedSegment is the longest encrypted segment (suffix included)
	// written in the decryptable form; it fits a 255-byte file name.
	// Plaintext segments of 0–MaxShortSegment (127) bytes stay decryptable
	// (at most 232 characters); segments of 128 bytes or more use the long
	// form.
	MaxEncodedSegment = 240
	// MaxShortSegment is the longest plaintext segment, in bytes, that is
	// encrypted in the decryptable form.
	MaxShortSegment = 127
	// LongEncodedLen is the length of every long-form segment:
	// "~" + 52 base32 characters + the kind suffix.
	LongEncodedLen = 54
	// MaxKeyBytes is S3's limit on an object key (bytes of UTF-8).
	MaxKeyBytes = 1024
)

// Labels of the name keys (HKDF info "sgw1 " + label + lp(bucket)).
const (
	labelNameMAC        = "name mac"
	labelNameEnc        = "name enc"
	labelNameLong       = "name long"
	labelBucketNameMAC  = "bucket name mac"
	labelBucketNameEnc  = "bucket name enc"
	labelBucketNameLong = "bucket name long"
)

const (
	nameBlock   = aes.BlockSize // padding unit and IV size
	nameLongTag = '~'
)

var nameB32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NameCipher encrypts the segments of one namespace: the object keys of one
// bucket of one user, or the bucket names of one user. It is safe for
// concurrent use. Its String and Format methods print "[REDACTED]".
type NameCipher struct {
	mac, long *hmacPool
	block     cipher.Block
}

// NewNameCipher returns the cipher for the object keys of bucket, under the
// user root key.
func NewNameCipher(userRoot Key, bucket string) *NameCipher {
	b := []byte(bucket)
	return newNameCipher(
		deriveKey(userRoot[:], nil, labelNameMAC, b),
		deriveKey(userRoot[:], nil, labelNameEnc, b),
		deriveKey(userRoot[:], nil, labelNameLong, b))
}

// NewBucketNameCipher returns the cipher for the user's bucket names (each
// a single segment with parent ""), under the user root key.
func NewBucketNameCipher(userRoot Key) *NameCipher {
	return newNameCipher(
		deriveKey(userRoot[:], nil, labelBucketNameMAC),
		deriveKey(userRoot[:], nil, labelBucketNameEnc),
		deriveKey(userRoot[:], nil, labelBucketNameLong))
}

func newNameCipher(kMAC, kEnc, kLong Key) *NameCipher {
	block, err := aes.NewCipher(kEnc[:])
	if err != nil { // impossible: the key has 32 bytes
		panic("cryptolayer: aes: " + err.Error())
	}
	clear(kEnc[:])
	return &NameCipher{mac: newHMACPool(kMAC), long: newHMACPool(kLong), block: block}
}

// String returns "[REDACTED]".
func (*NameCipher) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (*NameCipher) GoString() string { return "[REDACTED]" }

// Format prints "[REDACTED]" for every verb.
func (*NameCipher) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// EncryptSegment encrypts one segment seg, whose plaintext parent path is
// parent: the exact bytes of the key before the segment ("" for the first
// segment, otherwise ending in '/'). The result is deterministic, never
// empty, ".", "..", and never contains '/'. Segments longer than
// MaxShortSegment bytes get the long form (see IsLong).
// It panics if seg contains '/' or kind is not a SegmentKind constant:
// both are programming errors.
func (c *NameCipher) EncryptSegment(parent, seg string, kind SegmentKind) string {
	if !kind.valid() || strings.IndexByte(seg, '/') >= 0 {
		panic("cryptolayer: EncryptSegment: invalid segment or kind")
	}
	if len(seg) > MaxShortSegment {
		return c.longForm(parent, seg, kind)
	}
	pt := pad16([]byte(seg))
	iv := c.siv(kind, parent, pt)
	buf := make([]byte, nameBlock+len(pt))
	copy(buf, iv[:])
	c.ctr(iv, buf[nameBlock:], pt)
	out := make([]byte, nameB32.EncodedLen(len(buf))+1)
	nameB32.Encode(out, buf)
	out[len(out)-1] = byte(kind)
	return string(out)
}

// DecryptSegment returns the plaintext of an encrypted segment enc of the
// given kind under parent. Any malformed, foreign or tampered input returns
// an error wrapping ErrNameAuth; a well-formed long-form name returns one
// wrapping ErrLongName. It never panics.
func (c *NameCipher) DecryptSegment(parent, enc string, kind SegmentKind) (string, error) {
	if !kind.valid() {
		return "", fmt.Errorf("%w: invalid kind", ErrNameAuth)
	}
	if k, ok := KindOf(enc); !ok || k != kind {
		return "", fmt.Errorf("%w: wrong kind suffix", ErrNameAuth)
	}
	if IsLong(enc) {
		return "", fmt.Errorf("%w", ErrLongName)
	}
	body := enc[:len(enc)-1]
	if len(enc) > MaxEncodedSegment {
		return "", fmt.Errorf("%w: too long", ErrNameAuth)
	}
	raw, err := nameB32.DecodeString(body)
	if err != nil || len(raw) < 2*nameBlock || len(raw)%nameBlock != 0 ||
		nameB32.EncodeToString(raw) != body { // canonical encodings only
		return "", fmt.Errorf("%w: malformed", ErrNameAuth)
	}
	var iv [nameBlock]byte
	copy(iv[:], raw)
	pt := raw[nameBlock:]
	c.ctr(iv, pt, pt)
	want := c.siv(kind, parent, pt)
	if !hmac.Equal(iv[:], want[:]) {
		return "", fmt.Errorf("%w: bad tag", ErrNameAuth)
	}
	seg, ok := unpad16(pt)
	if !ok || len(seg) > MaxShortSegment || strings.IndexByte(string(seg), '/') >= 0 {
		return "", fmt.Errorf("%w: bad padding", ErrNameAuth) // unreachable without the key
	}
	return string(seg), nil
}

// LongSegmentMatches reports whether enc is the long form of segment seg of
// the given kind under parent. The gateway calls it after reading the full
// key from the object's sealed metadata. The tag comparison is constant
// time. A segment short enough for the decryptable form never matches.
func (c *NameCipher) LongSegmentMatches(parent, seg string, kind SegmentKind, enc string) bool {
	if !kind.valid() || len(seg) <= MaxShortSegment || !IsLong(enc) ||
		strings.IndexByte(seg, '/') >= 0 {
		return false
	}
	want := c.longForm(parent, seg, kind)
	return hmac.Equal([]byte(want), []byte(enc))
}

// KindOf returns the kind shown by the suffix of an encrypted segment, and
// false when enc has no valid suffix. It does not authenticate anything.
func KindOf(enc string) (SegmentKind, bool) {
	if len(enc) < 2 {
		return 0, false
	}
	k := SegmentKind(enc[len(enc)-1])
	return k, k.valid()
}

// IsLong reports whether enc has the syntax of a long-form segment: '~',
// 52 lowercase base32 characters and a kind suffix. It does not
// authenticate anything.
func IsLong(enc string) bool {
	if len(enc) != LongEncodedLen || enc[0] != nameLongTag {
		return false
	}
	if _, ok := KindOf(enc); !ok {
		return false
	}
	for i := 1; i < len(enc)-1; i++ {
		if c := enc[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// siv returns HMAC-SHA256(K_mac, lp(kind) || lp(parent) || lp(pt))[:16].
func (c *NameCipher) siv(kind SegmentKind, parent string, pt []byte) [nameBlock]byte {
	var iv [nameBlock]byte
	sum := c.mac.sum(kind, parent, pt)
	copy(iv[:], sum[:])
	return iv
}

// ctr XORs src with the AES-256-CTR keystream for the synthetic IV into dst.
// As in RFC 5297 §2.5, bits 63 and 31 of the counter block are cleared, so
// that 32-, 64- and 128-bit counter implementations agree.
func (c *NameCipher) ctr(iv [nameBlock]byte, dst, src []byte) {
	iv[8] &= 0x7f
	iv[12] &= 0x7f
	cipher.NewCTR(c.block, iv[:]).XORKeyStream(dst, src)
}

// longForm returns "~" + base32(HMAC-SHA256(K_long, lp(kind)||lp(parent)||lp(seg))) + suffix.
func (c *NameCipher) longForm(parent, seg string, kind SegmentKind) string {
	sum := c.long.sum(kind, parent, []byte(seg))
	out := make([]byte, LongEncodedLen)
	out[0] = nameLongTag
	nameB32.Encode(out[1:], sum[:])
	out[len(out)-1] = byte(kind)
	return string(out)
}

// pad16 returns b with PKCS#7 padding to a multiple of 16 bytes (1–16
// bytes of padding, so the empty segment becomes one block).
func pad16(b []byte) []byte {
	n := nameBlock - len(b)%nameBlock
	out := make([]byte, len(b)+n)
	copy(out, b)
	for i := len(b); i < len(out); i++ {
		out[i] = byte(n)
	}
	return out
}

// unpad16 strips PKCS#7 padding, reporting false if it is not valid. It is
// only called on authenticated data.
func unpad16(b []byte) ([]byte, bool) {
	if len(b) == 0 || len(b)%nameBlock != 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n < 1 || n > nameBlock {
		return nil, false
	}
	for _, v := range b[len(b)-n:] {
		if int(v) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}

// hmacPool keeps HMAC-SHA256 states for one key, so that a segment costs no
// key setup.
type hmacPool struct{ p sync.Pool }

func newHMACPool(k Key) *hmacPool {
	hp := &hmacPool{}
	hp.p.New = func() any { return hmac.New(sha256.New, k[:]) }
	return hp
}

// sum returns HMAC(lp(kind) || lp(parent) || lp(msg)).
func (hp *hmacPool) sum(kind SegmentKind, parent string, msg []byte) [sha256.Size]byte {
	buf := make([]byte, 0, 13+len(parent)+len(msg))
	buf = appendLP(buf, []byte{byte(kind)})
	buf = appendLP(buf, []byte(parent))
	buf = appendLP(buf, msg)
	h := hp.p.Get().(hash.Hash)
	h.Reset()
	h.Write(buf)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	hp.p.Put(h)
	return out
}
