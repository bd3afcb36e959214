package cryptolayer

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Keystore file format v1 (docs/format-keys.md):
//
//	"SGWK" || 0x01 || nonce[12] || AES-256-GCM(K_ks, nonce, body, aad = "SGWK" || 0x01)
//	K_ks = HKDF-SHA256(gateway root key, info = "sgw1 keystore")
//
// body (all integers big-endian, lp(x) = u32 length || x):
//
//	body     = u32 nUsers || user*
//	user     = lp(name) || id[16] || status u8 || time(created)
//	           || lp(accessKeyID) || lp(secret) || verifier || root[32]
//	           || u32 currentEpoch || u32 nEpochs || epoch*
//	verifier = u32 time || u32 memoryKiB || u8 threads || salt[16] || hash[32]
//	epoch    = u32 id || key[32] || time(created)
//	time     = i64 unix seconds || u32 nanoseconds (< 10^9)
//
// There is exactly one encoding of each Keystore: the parser rejects
// trailing bytes, out-of-range values and everything Validate rejects.

const (
	keystoreMagic   = "SGWK"
	keystoreVersion = 1
	keystoreHdrLen  = len(keystoreMagic) + 1
	keystoreNonce   = 12
	keystoreTag     = 16
	labelKeystore   = "keystore"

	minKeystoreTime = -62135596800 // 0001-01-01T00:00:00Z (time.Time{})
	maxKeystoreTime = 253402300799 // 9999-12-31T23:59:59Z
)

// SealKeystore validates ks and returns the sealed keystore file under the
// gateway root key, with a fresh random nonce. Errors wrap
// ErrKeystoreFormat (an invalid Keystore).
func SealKeystore(root Key, ks *Keystore) ([]byte, error) {
	return sealKeystore(root, ks, rand.Reader)
}

// sealKeystore is SealKeystore with the nonce read from rnd (golden tests).
func sealKeystore(root Key, ks *Keystore, rnd io.Reader) ([]byte, error) {
	if hasSettings(ks) {
		return nil, fmt.Errorf("%w: format v1 holds no account settings", ErrKeystoreFormat)
	}
	body, err := marshalKeystoreBody(ks)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	return sealKeystoreBody(root, append([]byte(keystoreMagic), keystoreVersion), body, rnd)
}

// sealKeystoreBody returns header || nonce || AES-256-GCM(K_ks, nonce,
// body, aad = header), the nonce read from rnd: both keystore versions.
func sealKeystoreBody(root Key, header, body []byte, rnd io.Reader) ([]byte, error) {
	n := len(header)
	out := make([]byte, n+keystoreNonce, n+keystoreNonce+len(body)+keystoreTag)
	copy(out, header)
	if _, err := io.ReadFull(rnd, out[n:]); err != nil {
		return nil, fmt.Errorf("cryptolayer: keystore nonce: %w", err)
	}
	return keystoreAEAD(root).Seal(out, out[n:], body, out[:n]), nil
}

// openKeystoreBody authenticates data sealed by sealKeystoreBody after a
// header of n bytes, already checked to be complete; any failure is
// ErrKeystoreAuth.
func openKeystoreBody(root Key, data []byte, n int) ([]byte, error) {
	if len(data) < n+keystoreNonce+keystoreTag {
		return nil, fmt.Errorf("%w: truncated", ErrKeystoreAuth)
	}
	body, err := keystoreAEAD(root).Open(nil, data[n:n+keystoreNonce], data[n+keystoreNonce:], data[:n])
	if err != nil {
		return nil, fmt.Errorf("%w", ErrKeystoreAuth)
	}
	return body, nil
}

// OpenKeystore authenticates and parses a sealed keystore file. Errors wrap
// ErrKeystoreFormat (not a keystore, or a malformed body),
// ErrUnsupportedVersion, or ErrKeystoreAuth (wrong root key, any modified,
// missing or extra byte).
func OpenKeystore(root Key, data []byte) (*Keystore, error) {
	if len(data) < keystoreHdrLen || string(data[:len(keystoreMagic)]) != keystoreMagic {
		return nil, fmt.Errorf("%w: not a keystore", ErrKeystoreFormat)
	}
	if v := data[len(keystoreMagic)]; v != keystoreVersion {
		return nil, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, v)
	}
	body, err := openKeystoreBody(root, data, keystoreHdrLen)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	return parseKeystoreBody(body)
}

func keystoreAEAD(root Key) cipher.AEAD {
	k := deriveKey(root[:], nil, labelKeystore)
	defer clear(k[:])
	aead, err := newAEAD(AES256GCM, k)
	if err != nil {
		panic("cryptolayer: keystore AEAD: " + err.Error()) // a 32-byte key cannot fail
	}
	return aead
}

// marshalKeystoreBody returns the canonical body of a valid keystore.
func marshalKeystoreBody(ks *Keystore) ([]byte, error) {
	if err := ks.Validate(); err != nil {
		return nil, err
	}
	b := binary.BigEndian.AppendUint32(nil, uint32(len(ks.Users)))
	for _, u := range ks.Users {
		b = appendUser(b, u)
	}
	return b, nil
}

func appendUser(b []byte, u *User) []byte {
	b = appendLP(b, []byte(u.Name))
	b = append(b, u.ID[:]...)
	b = append(b, byte(u.Status))
	b = appendTime(b, u.Created)
	b = appendLP(b, []byte(u.AccessKeyID))
	b = appendLP(b, u.Secret)
	p := u.Password
	b = binary.BigEndian.AppendUint32(b, p.Time)
	b = binary.BigEndian.AppendUint32(b, p.MemoryKiB)
	b = append(b, p.Threads)
	b = append(b, p.Salt[:]...)
	b = append(b, p.Hash[:]...)
	b = append(b, u.Root[:]...)
	b = binary.BigEndian.AppendUint32(b, u.CurrentEpoch)
	b = binary.BigEndian.AppendUint32(b, uint32(len(u.Epochs)))
	for _, e := range u.Epochs {
		b = binary.BigEndian.AppendUint32(b, e.ID)
		b = append(b, e.Key[:]...)
		b = appendTime(b, e.Created)
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// parseKeystoreBody parses and validates a body. Errors wrap ErrKeystoreFormat.
func parseKeystoreBody(b []byte) (*Keystore, error) {
	r := &ksReader{b: b}
	n := r.u32()
	ks := &Keystore{}
	for i := uint32(0); i < n && r.err == nil; i++ {
		ks.Users = append(ks.Users, r.user())
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeystoreFormat, r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrKeystoreFormat, len(r.b))
	}
	if err := ks.Validate(); err != nil {
		return nil, err
	}
	return ks, nil
}

// ksReader reads a body; after the first error every read returns zeros.
type ksReader struct {
	b   []byte
	err error
}

func (r *ksReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = fmt.Errorf("truncated")
		}
		return make([]byte, max(n, 0))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *ksReader) u8() uint8   { return r.take(1)[0] }
func (r *ksReader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }

// lp reads a length-prefixed field of at most limit bytes, copied.
func (r *ksReader) lp(limit int) []byte {
	n := r.u32()
	if n > uint32(limit) {
		if r.err == nil {
			r.err = fmt.Errorf("field of %d bytes", n)
		}
		return nil
	}
	return append([]byte(nil), r.take(int(n))...)
}

func (r *ksReader) time() time.Time {
	sec := int64(binary.BigEndian.Uint64(r.take(8)))
	nsec := r.u32()
	if (sec < minKeystoreTime || sec > maxKeystoreTime || nsec >= 1e9) && r.err == nil {
		r.err = fmt.Errorf("time out of range")
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *ksReader) user() *User {
	u := &User{Name: string(r.lp(maxUserName))}
	copy(u.ID[:], r.take(16))
	u.Status = UserStatus(r.u8())
	u.Created = r.time()
	u.AccessKeyID = string(r.lp(maxCredLen))
	u.Secret = Secret(r.lp(maxCredLen))
	u.Password.Time = r.u32()
	u.Password.MemoryKiB = r.u32()
	u.Password.Threads = r.u8()
	copy(u.Password.Salt[:], r.take(16))
	copy(u.Password.Hash[:], r.take(32))
	copy(u.Root[:], r.take(KeySize))
	u.CurrentEpoch = r.u32()
	n := r.u32()
	if n > MaxEpochs && r.err == nil {
		r.err = fmt.Errorf("%d epochs", n)
	}
	for i := uint32(0); i < n && r.err == nil; i++ {
		e := Epoch{ID: r.u32()}
		copy(e.Key[:], r.take(KeySize))
		e.Created = r.time()
		u.Epochs = append(u.Epochs, e)
	}
	return u
}
