package cryptolayer

import (
	"bytes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Key export: the gateway root key and the sealed keystore, sealed again
// under a passphrase, so a gateway whose disk is lost can be rebuilt and
// read its old upstream. Format (docs/format-keys.md §Export):
//
//	"SGWX" || 0x01 || BE32(time) || BE32(memory KiB) || threads(1) || salt(16) || nonce(24)
//	|| XChaCha20-Poly1305(K, nonce, root key(32) || keystore file, aad = all header bytes) || tag(16)
//	K = Argon2id(passphrase, salt, time, memory, threads, 32)
//
// Argon2 parameters are bounded on open like password verifiers, so a
// crafted file can neither take minutes to try nor be cheap to guess.

// ErrExportAuth means a wrong passphrase, or a damaged or altered export.
var ErrExportAuth = errors.New("cryptolayer: key export failed authentication (wrong passphrase or damaged file)")

var exportMagic = []byte("SGWX")

const exportHeader = 4 + 1 + 4 + 4 + 1 + 16 + chacha20poly1305.NonceSizeX

// SealExport seals the root key and the keystore file under passphrase.
func SealExport(passphrase []byte, p PasswordParams, root Key, keystore []byte) ([]byte, error) {
	if len(passphrase) < 8 {
		return nil, fmt.Errorf("%w: passphrase shorter than 8 bytes", ErrInvalidPassword)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	hdr := append([]byte(nil), exportMagic...)
	hdr = append(hdr, 1)
	hdr = binary.BigEndian.AppendUint32(hdr, p.Time)
	hdr = binary.BigEndian.AppendUint32(hdr, p.MemoryKiB)
	hdr = append(hdr, p.Threads)
	salt := make([]byte, 16+chacha20poly1305.NonceSizeX)
	randomBytes(salt)
	hdr = append(hdr, salt...)
	a, err := exportAEAD(passphrase, p, hdr[14:30])
	if err != nil {
		return nil, err
	}
	pt := append(append([]byte(nil), root[:]...), keystore...)
	defer clear(pt)
	return a.Seal(hdr, hdr[30:exportHeader], pt, hdr), nil
}

// OpenExport opens a key export with its passphrase.
func OpenExport(passphrase, data []byte) (Key, []byte, error) {
	var root Key
	if len(data) < exportHeader+KeySize+chacha20poly1305.Overhead || !bytes.Equal(data[:4], exportMagic) {
		return root, nil, fmt.Errorf("%w: not a sealgate key export", ErrExportAuth)
	}
	if data[4] != 1 {
		return root, nil, fmt.Errorf("%w: export version %d", ErrUnsupportedFormat, data[4])
	}
	p := PasswordParams{Time: binary.BigEndian.Uint32(data[5:9]), MemoryKiB: binary.BigEndian.Uint32(data[9:13]), Threads: data[13]}
	if err := p.Validate(); err != nil {
		return root, nil, fmt.Errorf("%w: %w", ErrExportAuth, err)
	}
	a, err := exportAEAD(passphrase, p, data[14:30])
	if err != nil {
		return root, nil, err
	}
	pt, err := a.Open(nil, data[30:exportHeader], data[exportHeader:], data[:exportHeader])
	if err != nil {
		return root, nil, ErrExportAuth
	}
	copy(root[:], pt)
	ks := append([]byte(nil), pt[KeySize:]...)
	clear(pt)
	return root, ks, nil
}

func exportAEAD(passphrase []byte, p PasswordParams, salt []byte) (cipher.AEAD, error) {
	k := argon2id(passphrase, salt, p.Time, p.MemoryKiB, p.Threads, KeySize)
	defer clear(k)
	return chacha20poly1305.NewX(k)
}
