package cryptolayer

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

// KeySize is the size of every symmetric key in sealgate: 256 bits.
const KeySize = 32

// Key is a 256-bit secret. Its String, GoString, Format and MarshalText
// methods print "[REDACTED]", so a Key that reaches a log or an error message
// by mistake shows nothing.
type Key [KeySize]byte

// String returns "[REDACTED]".
func (Key) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (Key) GoString() string { return "[REDACTED]" }

// Format prints "[REDACTED]" for every verb.
func (Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// MarshalText returns "[REDACTED]": a Key never serialises by accident.
func (Key) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// NewKey returns a fresh random key from crypto/rand (which never fails
// since Go 1.24: it crashes the process rather than return weak bytes).
func NewKey() Key {
	var k Key
	_, _ = rand.Read(k[:])
	return k
}

// derive returns HKDF-SHA256(secret, salt, info)[:n] with
// info = "sgw1 " + label || lp(ctx[0]) || lp(ctx[1]) ...
// Every key sealgate uses comes from here, each with its own label, so no two
// purposes ever share a key (crypto.md R2). Variable fields are
// length-prefixed so that no two contexts encode to the same info.
func derive(secret, salt []byte, n int, label string, ctx ...[]byte) []byte {
	info := make([]byte, 0, 64)
	info = append(info, "sgw1 "...)
	info = append(info, label...)
	for _, c := range ctx {
		info = appendLP(info, c)
	}
	out, err := hkdf.Key(sha256.New, secret, salt, string(info), n)
	if err != nil { // only for n > 255*32, a programming error
		panic("cryptolayer: hkdf: " + err.Error())
	}
	return out
}

// deriveKey is derive for a full-size Key.
func deriveKey(secret, salt []byte, label string, ctx ...[]byte) Key {
	var k Key
	copy(k[:], derive(secret, salt, KeySize, label, ctx...))
	return k
}

// appendLP appends a 4-byte big-endian length and then b.
func appendLP(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}
