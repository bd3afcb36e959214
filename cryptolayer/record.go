package cryptolayer

import (
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Small sealed records: the gateway's own state that lives in the untrusted
// upstream (bucket records, multipart upload state and part records,
// properties, shared records, rotation acknowledgements). Format:
//
//	0x01 || nonce(24) || XChaCha20-Poly1305(k, nonce, plaintext, aad = "SGWr" || lp(context)) || tag(16)
//
// The context names what the record is and where it belongs (for example
// "upload\x00<upload id>"), so a record moved to another place fails to
// open. XChaCha20's 192-bit random nonces put no practical
// limit on the number of records per key.

// RecordOverhead is the size a sealed record adds to its plaintext.
const RecordOverhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead

const recordVersion = 1

// SealRecord seals plaintext under k, bound to context.
func SealRecord(k Key, context string, plaintext []byte) []byte {
	a, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		panic("cryptolayer: " + err.Error()) // only for a wrong key size
	}
	out := make([]byte, 1+chacha20poly1305.NonceSizeX, RecordOverhead+len(plaintext))
	out[0] = recordVersion
	randomBytes(out[1:])
	return a.Seal(out, out[1:], plaintext, recordAAD(context))
}

// OpenRecord authenticates and decrypts a record sealed by SealRecord with
// the same key and context. Any other input is an error wrapping ErrIntegrity.
func OpenRecord(k Key, context string, sealed []byte) ([]byte, error) {
	if len(sealed) < RecordOverhead || sealed[0] != recordVersion {
		return nil, integrity("record", fmt.Errorf("malformed record"))
	}
	a, err := chacha20poly1305.NewX(k[:])
	if err != nil {
		return nil, err
	}
	n := 1 + chacha20poly1305.NonceSizeX
	pt, err := a.Open(nil, sealed[1:n], sealed[n:], recordAAD(context))
	if err != nil {
		return nil, integrity("record", nil)
	}
	return pt, nil
}

func recordAAD(context string) []byte { return appendLP([]byte("SGWr"), []byte(context)) }
