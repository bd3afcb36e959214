package cryptolayer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"
)

// Per-account security settings: the settings section of keystore record
// format v3 (docs/format-keys.md §6c). They live in the keystore record,
// not in a shared record, so that the record's high-water mark protects
// them: an upstream cannot switch two-factor sign-in off, or bring back a
// revoked app password or S3 key, by deleting or rolling back a record.
//
//	settings = u32 n || entry*                      (n ≥ 1, entries in user order)
//	entry    = id[16] || lp(totpSecret) || u64 totpLastStep
//	           || u8 nCodes || hash[32]*            (recovery code hashes)
//	           || u8 nApp || app* || u8 nKeys || key*
//	app      = id[8] || lp(name) || time(created) || hash[32]
//	key      = lp(accessKeyID) || lp(secret) || time(created)
//
// A user without settings has no entry; an entry is never empty.

// Settings bounds.
const (
	TOTPSecretLen    = 20 // RFC 6238 with SHA-1: a 160-bit secret
	MaxRecoveryCodes = 10
	MaxAppPasswords  = 20
	MaxS3Keys        = 10
	maxAppName       = 64
	labelRecovery    = "recovery code"
	labelAppPassword = "app password"
)

// AccountSettings are one account's security settings. A nil
// *AccountSettings is valid and means none.
type AccountSettings struct {
	// TOTPSecret is the RFC 6238 secret while two-factor sign-in is on
	// (TOTPSecretLen bytes), else nil: its presence is the enabled flag.
	TOTPSecret Secret
	// TOTPLastStep is the newest TOTP time step accepted (a code is never
	// accepted twice); 0 while TOTP is off.
	TOTPLastStep uint64
	// RecoveryCodes are keyed hashes (RecoveryCodeHash) of the unused
	// recovery codes; only while TOTP is on.
	RecoveryCodes [][32]byte
	AppPasswords  []AppPassword
	// S3Keys are access key pairs besides the account's original one.
	S3Keys []S3Key
}

// AppPassword is a password for WebDAV only; the keystore holds its keyed
// hash (AppPasswordHash), never the password.
type AppPassword struct {
	ID      [8]byte
	Name    string
	Created time.Time
	Hash    [32]byte
}

// S3Key is an extra S3 access key pair of an account.
type S3Key struct {
	AccessKeyID string
	Secret      Secret
	Created     time.Time
}

// TOTPEnabled reports whether two-factor sign-in is on.
func (s *AccountSettings) TOTPEnabled() bool { return s != nil && len(s.TOTPSecret) > 0 }

// Empty reports whether s holds nothing (nil is empty).
func (s *AccountSettings) Empty() bool {
	return s == nil || len(s.TOTPSecret) == 0 && s.TOTPLastStep == 0 && len(s.RecoveryCodes) == 0 &&
		len(s.AppPasswords) == 0 && len(s.S3Keys) == 0
}

// Clone returns a deep copy (nil for nil).
func (s *AccountSettings) Clone() *AccountSettings {
	if s == nil {
		return nil
	}
	c := *s
	c.TOTPSecret = slices.Clone(s.TOTPSecret)
	c.RecoveryCodes = slices.Clone(s.RecoveryCodes)
	c.AppPasswords = slices.Clone(s.AppPasswords)
	c.S3Keys = make([]S3Key, len(s.S3Keys))
	for i, k := range s.S3Keys {
		c.S3Keys[i] = S3Key{AccessKeyID: k.AccessKeyID, Secret: slices.Clone(k.Secret), Created: k.Created}
	}
	if s.S3Keys == nil {
		c.S3Keys = nil
	}
	return &c
}

func (s *AccountSettings) s3Keys() []S3Key {
	if s == nil {
		return nil
	}
	return s.S3Keys
}

func (s *AccountSettings) hasS3Key(id string) bool {
	return slices.ContainsFunc(s.s3Keys(), func(k S3Key) bool { return k.AccessKeyID == id })
}

// S3Secret returns the secret of the account's access key id (the original
// pair or an extra one), and whether the account has that key.
func (u *User) S3Secret(accessKeyID string) (Secret, bool) {
	if u.AccessKeyID == accessKeyID {
		return u.Secret, true
	}
	for _, k := range u.Settings.s3Keys() {
		if k.AccessKeyID == accessKeyID {
			return k.Secret, true
		}
	}
	return nil, false
}

// NewS3Key returns a fresh access key pair (the caller checks that its id
// is free, as Insert does).
func NewS3Key(now time.Time) S3Key {
	return S3Key{AccessKeyID: newAccessKeyID(), Secret: newSecret(), Created: now.UTC()}
}

// validate checks the rules of §6c.
func (s *AccountSettings) validate() error {
	if s == nil {
		return nil
	}
	switch {
	case len(s.TOTPSecret) != 0 && len(s.TOTPSecret) != TOTPSecretLen:
		return fmt.Errorf("%w: TOTP secret of %d bytes", ErrInvalidUser, len(s.TOTPSecret))
	case len(s.TOTPSecret) == 0 && (s.TOTPLastStep != 0 || len(s.RecoveryCodes) != 0):
		return fmt.Errorf("%w: TOTP state without a secret", ErrInvalidUser)
	case len(s.RecoveryCodes) > MaxRecoveryCodes || len(s.AppPasswords) > MaxAppPasswords || len(s.S3Keys) > MaxS3Keys:
		return fmt.Errorf("%w: too many recovery codes, app passwords or S3 keys", ErrInvalidUser)
	}
	for i, h := range s.RecoveryCodes {
		if h == ([32]byte{}) || slices.Contains(s.RecoveryCodes[:i], h) {
			return fmt.Errorf("%w: recovery code %d", ErrInvalidUser, i)
		}
	}
	for i, p := range s.AppPasswords {
		dup := slices.ContainsFunc(s.AppPasswords[:i], func(q AppPassword) bool { return q.ID == p.ID })
		if dup || p.ID == ([8]byte{}) || p.Hash == ([32]byte{}) || !validAppName(p.Name) {
			return fmt.Errorf("%w: app password %d", ErrInvalidUser, i)
		}
	}
	for i, k := range s.S3Keys {
		if !validAccessKeyID(k.AccessKeyID) || !validSecret(k.Secret) {
			return fmt.Errorf("%w: S3 key %d", ErrInvalidUser, i)
		}
	}
	return nil
}

// validAppName: 1–64 bytes of UTF-8 without control characters.
func validAppName(s string) bool {
	if s == "" || len(s) > maxAppName || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// RecoveryCodeHash is HMAC-SHA256(DeriveUserKey("recovery code"), code).
func (u *User) RecoveryCodeHash(code []byte) [32]byte {
	return u.keyedHash(labelRecovery, code)
}

// AppPasswordHash is HMAC-SHA256(DeriveUserKey("app password"), id ||
// password). App passwords are 128+ random bits: no slow hash is needed.
func (u *User) AppPasswordHash(id [8]byte, password []byte) [32]byte {
	return u.keyedHash(labelAppPassword, id[:], password)
}

func (u *User) keyedHash(label string, parts ...[]byte) [32]byte {
	k := u.DeriveUserKey(label)
	defer clear(k[:])
	m := hmac.New(sha256.New, k[:])
	for _, p := range parts {
		m.Write(p)
	}
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// hasSettings reports whether any user of ks has settings (the record is
// then written as v3).
func hasSettings(ks *Keystore) bool {
	return slices.ContainsFunc(ks.Users, func(u *User) bool { return !u.Settings.Empty() })
}

// appendSettings appends the settings section of ks (users with non-empty
// settings, in user order).
func appendSettings(b []byte, ks *Keystore) []byte {
	n := 0
	for _, u := range ks.Users {
		if !u.Settings.Empty() {
			n++
		}
	}
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	for _, u := range ks.Users {
		if s := u.Settings; !s.Empty() {
			b = append(b, u.ID[:]...)
			b = appendEntry(b, s)
		}
	}
	return b
}

func appendEntry(b []byte, s *AccountSettings) []byte {
	b = appendLP(b, s.TOTPSecret)
	b = binary.BigEndian.AppendUint64(b, s.TOTPLastStep)
	b = append(b, byte(len(s.RecoveryCodes)))
	for _, h := range s.RecoveryCodes {
		b = append(b, h[:]...)
	}
	b = append(b, byte(len(s.AppPasswords)))
	for _, p := range s.AppPasswords {
		b = append(b, p.ID[:]...)
		b = appendLP(b, []byte(p.Name))
		b = appendTime(b, p.Created)
		b = append(b, p.Hash[:]...)
	}
	b = append(b, byte(len(s.S3Keys)))
	for _, k := range s.S3Keys {
		b = appendLP(b, []byte(k.AccessKeyID))
		b = appendLP(b, k.Secret)
		b = appendTime(b, k.Created)
	}
	return b
}

// readSettings parses the settings section into the users of ks: every
// entry names a user after the previous entry's, and is not empty.
func (r *ksReader) readSettings(ks *Keystore) {
	n := r.u32()
	if n == 0 && r.err == nil {
		r.err = fmt.Errorf("empty settings section")
	}
	next := 0
	for i := uint32(0); i < n && r.err == nil; i++ {
		var id [16]byte
		copy(id[:], r.take(16))
		at := slices.IndexFunc(ks.Users, func(u *User) bool { return u.ID == id })
		if r.err == nil && at < next {
			r.err = fmt.Errorf("settings entry %d: unknown or out-of-order user", i)
			return
		}
		s := r.entry()
		if r.err == nil && s.Empty() {
			r.err = fmt.Errorf("settings entry %d is empty", i)
		}
		if r.err == nil {
			ks.Users[at].Settings, next = s, at+1
		}
	}
}

func (r *ksReader) entry() *AccountSettings {
	s := &AccountSettings{TOTPSecret: Secret(r.lp(TOTPSecretLen)), TOTPLastStep: binary.BigEndian.Uint64(r.take(8))}
	if len(s.TOTPSecret) == 0 {
		s.TOTPSecret = nil
	}
	for n := r.u8(); n > 0 && r.err == nil; n-- {
		s.RecoveryCodes = append(s.RecoveryCodes, [32]byte(r.take(32)))
	}
	for n := r.u8(); n > 0 && r.err == nil; n-- {
		p := AppPassword{ID: [8]byte(r.take(8)), Name: string(r.lp(maxAppName))}
		p.Created = r.time()
		p.Hash = [32]byte(r.take(32))
		s.AppPasswords = append(s.AppPasswords, p)
	}
	for n := r.u8(); n > 0 && r.err == nil; n-- {
		k := S3Key{AccessKeyID: string(r.lp(maxCredLen)), Secret: Secret(r.lp(maxCredLen))}
		k.Created = r.time()
		s.S3Keys = append(s.S3Keys, k)
	}
	return s
}
