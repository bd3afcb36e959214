package cryptolayer

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Key hierarchy (docs/format-keys.md):
//
//	gateway root key ─HKDF "keystore"──→ K_ks: seals the keystore
//	user root key (random, per user, immutable)
//	                 ─HKDF "user dir"─────────────────────────────→ HMAC key: UpstreamDir(user id)
//	                 ─HKDF "name mac|enc|long", lp(bucket)────────→ object name keys
//	                 ─HKDF "bucket name mac|enc|long"─────────────→ bucket name keys
//	                 ─HKDF "gateway key", lp(label)───────────────→ DeriveUserKey(label)
//	epoch keys (random, per user, stored): content keys of the object format
//
// Epoch keys are stored, not derived: dropping an epoch destroys its key.

// Key hierarchy errors.
var (
	// ErrUnknownEpoch: the user has no (longer any) key for that epoch.
	ErrUnknownEpoch = errors.New("cryptolayer: unknown key epoch")
	// ErrCurrentEpoch: the current epoch cannot be dropped.
	ErrCurrentEpoch = errors.New("cryptolayer: cannot drop the current epoch")
	// ErrTooManyEpochs: the user already has MaxEpochs live epochs.
	ErrTooManyEpochs = errors.New("cryptolayer: too many key epochs")
)

// Labels of the keys derived in this file.
const (
	labelUserDir    = "user dir"
	labelGatewayKey = "gateway key"
)

// MaxEpochs bounds the live epochs of one user (rotation drops old ones).
const MaxEpochs = 1024

var accessKeyB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// Secret is a byte string that never prints: its String, GoString, Format
// and MarshalText methods return "[REDACTED]". The S3 secret access key is
// one.
type Secret []byte

// String returns "[REDACTED]".
func (Secret) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (Secret) GoString() string { return "[REDACTED]" }

// Format prints "[REDACTED]" for every verb.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// MarshalText returns "[REDACTED]".
func (Secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// UserStatus tells whether an account may authenticate.
type UserStatus uint8

// Account states.
const (
	StatusActive   UserStatus = 1
	StatusDisabled UserStatus = 2 // keys kept, no authentication
)

func (s UserStatus) valid() bool { return s == StatusActive || s == StatusDisabled }

// Epoch is one content key epoch of a user.
type Epoch struct {
	ID      uint32 // 1, 2, ...: what object headers carry
	Key     Key    // random, stored in the keystore
	Created time.Time
}

// User is one account of the keystore. The zero value is not valid; make
// users with Keystore.AddUser.
type User struct {
	Name         string   // account name (WebDAV login), see validUserName
	ID           [16]byte // random, immutable: upstream identity and binding
	Status       UserStatus
	AccessKeyID  string // S3 access key id
	Secret       Secret // S3 secret access key
	Password     PasswordVerifier
	Root         Key     // user root key: names and gateway keys
	Epochs       []Epoch // ascending by ID
	CurrentEpoch uint32  // the epoch new objects use
	Created      time.Time
	// Settings are the account's security settings (record format v3,
	// keystore_settings.go), or nil: none.
	Settings *AccountSettings
}

// EpochKey returns the content key of an epoch, or an error wrapping
// ErrUnknownEpoch. A *User is a KeyRing.
func (u *User) EpochKey(id uint32) (Key, error) {
	for _, e := range u.Epochs {
		if e.ID == id {
			return e.Key, nil
		}
	}
	return Key{}, fmt.Errorf("%w: %d", ErrUnknownEpoch, id)
}

// ContentKey returns the current epoch and its key: what new objects are
// sealed with.
func (u *User) ContentKey() (ContentKey, error) {
	k, err := u.EpochKey(u.CurrentEpoch)
	return ContentKey{Epoch: u.CurrentEpoch, Key: k}, err
}

// NameCipher returns the cipher of the object keys in one bucket. Each call
// derives keys (a few µs): callers cache the result per (user, bucket).
// It panics on a deleted (wiped) user rather than derive from a zero key.
func (u *User) NameCipher(bucket string) *NameCipher { return NewNameCipher(u.root(), bucket) }

// BucketNameCipher returns the cipher of the user's bucket names. It panics
// on a deleted (wiped) user.
func (u *User) BucketNameCipher() *NameCipher { return NewBucketNameCipher(u.root()) }

// root returns the user root key, panicking if it is zero: a record used
// after DeleteUser wiped it (a gateway bug that must not silently encrypt
// under a publicly known key).
func (u *User) root() Key {
	if u.Root == (Key{}) {
		panic("cryptolayer: user root key is zero (deleted user)")
	}
	return u.Root
}

// DeriveUserKey returns a key for one gateway purpose, such as "multipart"
// for the records of multipart uploads: HKDF(user root, "sgw1 gateway key"
// || lp(label)). Each purpose needs its own label, and label must not be
// empty (it panics: a programming error, as is a deleted user).
func (u *User) DeriveUserKey(label string) Key {
	if label == "" {
		panic("cryptolayer: DeriveUserKey: empty label")
	}
	root := u.root()
	return deriveKey(root[:], nil, labelGatewayKey, []byte(label))
}

// CheckPassword reports whether pw is the user's password (one Argon2id run).
func (u *User) CheckPassword(pw []byte) bool { return u.Password.Verify(pw, u.Name, u.ID) }

// Rotate adds a new random epoch key and makes it current; it returns the
// new epoch id. Old epochs stay until DropEpoch (after re-encryption).
func (u *User) Rotate() (uint32, error) {
	if len(u.Epochs) >= MaxEpochs {
		return 0, fmt.Errorf("%w: %d", ErrTooManyEpochs, len(u.Epochs))
	}
	var last uint32
	if n := len(u.Epochs); n > 0 {
		last = u.Epochs[n-1].ID
	}
	if last == ^uint32(0) {
		return 0, fmt.Errorf("%w: epoch ids exhausted", ErrTooManyEpochs)
	}
	e := Epoch{ID: last + 1, Key: NewKey(), Created: keysNow()}
	u.Epochs = append(u.Epochs, e)
	u.CurrentEpoch = e.ID
	return e.ID, nil
}

// DropEpoch removes an epoch and wipes its key in memory (best effort):
// objects still sealed under it become unreadable. The current epoch is
// refused (ErrCurrentEpoch); an absent one is ErrUnknownEpoch.
func (u *User) DropEpoch(id uint32) error {
	if id == u.CurrentEpoch {
		return fmt.Errorf("%w: %d", ErrCurrentEpoch, id)
	}
	i := slices.IndexFunc(u.Epochs, func(e Epoch) bool { return e.ID == id })
	if i < 0 {
		return fmt.Errorf("%w: %d", ErrUnknownEpoch, id)
	}
	clear(u.Epochs[i].Key[:])
	u.Epochs = slices.Delete(u.Epochs, i, i+1)
	return nil
}

// wipe zeroes the user's secrets in memory, best effort (copies made
// elsewhere, e.g. expanded cipher keys, are out of reach).
func (u *User) wipe() {
	clear(u.Root[:])
	for i := range u.Epochs {
		clear(u.Epochs[i].Key[:])
	}
	clear(u.Secret)
	clear(u.Password.Hash[:])
	if s := u.Settings; s != nil {
		clear(s.TOTPSecret)
		for _, k := range s.S3Keys {
			clear(k.Secret)
		}
	}
	u.Epochs, u.Secret, u.Settings = nil, nil, nil
}

// UpstreamDir returns the user's upstream directory: lowercase unpadded
// base32 of HMAC-SHA256(HKDF(user root key, "sgw1 user dir"), id)[:16], 26
// characters. It is a MAC of the random immutable id, never of the name, so
// a re-created account never sees an old account's leftovers; it does not
// depend on the gateway root key, so rotating that key moves nothing.
func (u *User) UpstreamDir() string {
	root := u.root()
	k := deriveKey(root[:], nil, labelUserDir)
	m := hmac.New(sha256.New, k[:])
	m.Write(u.ID[:])
	return nameB32.EncodeToString(m.Sum(nil)[:16])
}

// newAccessKeyID returns "AKSG" + 16 random base32 characters (80 bits),
// 20 characters like an AWS access key id.
func newAccessKeyID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return "AKSG" + accessKeyB32.EncodeToString(b[:])
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newSecret returns a 40-character S3 secret access key of random
// alphanumerics (about 238 bits), drawn without modulo bias.
func newSecret() Secret {
	out := make(Secret, 0, 40)
	var buf [64]byte
	for len(out) < 40 {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if b < 248 && len(out) < 40 { // 248 = 4 × 62
				out = append(out, secretAlphabet[b%62])
			}
		}
	}
	clear(buf[:])
	return out
}

// newUserID returns a random 128-bit user id.
func newUserID() [16]byte {
	var id [16]byte
	_, _ = rand.Read(id[:])
	return id
}

// now is the creation time stamp: UTC, no monotonic reading.
func keysNow() time.Time { return time.Now().UTC().Round(0) }
