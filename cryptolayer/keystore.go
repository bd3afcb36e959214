package cryptolayer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Keystore errors.
var (
	// ErrKeystoreAuth: the keystore does not open with this root key: a
	// wrong key, a flipped bit, a truncated or extended file.
	ErrKeystoreAuth = errors.New("cryptolayer: keystore failed authentication")
	// ErrKeystoreFormat: not a keystore (bad magic), or a body that
	// authenticates but breaks the format's rules (duplicates, bounds,
	// trailing bytes). Marshalling an invalid Keystore also returns it.
	ErrKeystoreFormat = errors.New("cryptolayer: malformed keystore")
	// ErrUnsupportedVersion: a keystore version this build does not read.
	ErrUnsupportedVersion = errors.New("cryptolayer: unsupported keystore version")
	// ErrUserExists: the name is taken.
	ErrUserExists = errors.New("cryptolayer: user exists")
	// ErrNoSuchUser: no user with that name, id or access key.
	ErrNoSuchUser = errors.New("cryptolayer: no such user")
	// ErrInvalidUser: an invalid user name or S3 credential.
	ErrInvalidUser = errors.New("cryptolayer: invalid user record")
)

// Keystore is the set of accounts of one gateway: everything the gateway
// root key protects (SealKeystore, OpenKeystore). It is a plain value, not
// safe for concurrent use: the gateway changes a Clone under its lock,
// writes the sealed bytes atomically, then publishes the clone.
type Keystore struct {
	Users []*User // in creation order
}

// Clone returns a deep copy: the gateway changes a clone, seals and writes
// it, then swaps it in, so that requests holding *User values of the old
// keystore never see a half-made change (or keys wiped by DeleteUser).
func (ks *Keystore) Clone() *Keystore {
	c := &Keystore{Users: make([]*User, len(ks.Users))}
	for i, u := range ks.Users {
		cu := *u
		cu.Epochs = slices.Clone(u.Epochs)
		cu.Secret = slices.Clone(u.Secret)
		cu.Settings = u.Settings.Clone()
		c.Users[i] = &cu
	}
	return c
}

// AddUser creates an active account: random id, random user root key, epoch
// 1 with a random key, a new S3 access key id and secret, and a password
// verifier of pw with parameters p (one Argon2id run). Errors wrap
// ErrInvalidUser (name), ErrUserExists, ErrInvalidPassword or
// ErrPasswordParams.
func (ks *Keystore) AddUser(name string, pw []byte, p PasswordParams) (*User, error) {
	return ks.addUser(name, func(id [16]byte) (PasswordVerifier, error) {
		return NewPasswordVerifier(pw, p, name, id)
	})
}

// addUser is AddUser with the verifier made by mkVerifier (tests avoid
// Argon2 with it).
func (ks *Keystore) addUser(name string, mkVerifier func(id [16]byte) (PasswordVerifier, error)) (*User, error) {
	if _, err := ks.User(name); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrUserExists, name)
	}
	u, err := newUser(name, mkVerifier)
	if err != nil {
		return nil, err
	}
	if err := ks.Insert(u); err != nil {
		return nil, err
	}
	return u, nil
}

// NewUser makes an active account record outside any keystore (the
// Argon2id run of its verifier can then happen before a compare-and-swap
// of the keystore, not in its retry loop); Insert adds it. Errors as
// AddUser's, but for ErrUserExists.
func NewUser(name string, pw []byte, p PasswordParams) (*User, error) {
	return newUser(name, func(id [16]byte) (PasswordVerifier, error) { return NewPasswordVerifier(pw, p, name, id) })
}

func newUser(name string, mkVerifier func(id [16]byte) (PasswordVerifier, error)) (*User, error) {
	if !validUserName(name) {
		return nil, fmt.Errorf("%w: name must be 1–%d characters of a-z 0-9 . _ @ -", ErrInvalidUser, maxUserName)
	}
	id := newUserID()
	v, err := mkVerifier(id)
	if err != nil {
		return nil, err
	}
	t := keysNow()
	u := &User{
		Name: name, ID: id, Status: StatusActive, Password: v, Root: NewKey(),
		Epochs: []Epoch{{ID: 1, Key: NewKey(), Created: t}}, CurrentEpoch: 1, Created: t,
	}
	u.AccessKeyID, u.Secret = newAccessKeyID(), newSecret()
	return u, nil
}

// Insert adds a record made by NewUser (the keystore keeps u itself). Its
// name must be free (else ErrUserExists) and its id unused (a 2^-128
// event, also ErrUserExists); an access key id another user has is
// replaced by a fresh one.
func (ks *Keystore) Insert(u *User) error {
	if _, err := ks.User(u.Name); err == nil {
		return fmt.Errorf("%w: %s", ErrUserExists, u.Name)
	}
	if ks.hasID(u.ID) {
		return fmt.Errorf("%w: id of %s", ErrUserExists, u.Name)
	}
	for _, err := ks.UserByAccessKey(u.AccessKeyID); err == nil; _, err = ks.UserByAccessKey(u.AccessKeyID) {
		u.AccessKeyID = newAccessKeyID()
	}
	if err := u.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrKeystoreFormat, err)
	}
	ks.Users = append(ks.Users, u)
	return nil
}

// User returns the user with this name, or an error wrapping ErrNoSuchUser.
func (ks *Keystore) User(name string) (*User, error) {
	for _, u := range ks.Users {
		if u.Name == name {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrNoSuchUser, name)
}

// UserByAccessKey returns the user with this S3 access key id, or an error
// wrapping ErrNoSuchUser. Access key ids are not secret.
func (ks *Keystore) UserByAccessKey(accessKeyID string) (*User, error) {
	for _, u := range ks.Users {
		if u.AccessKeyID == accessKeyID || u.Settings.hasS3Key(accessKeyID) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: access key %s", ErrNoSuchUser, accessKeyID)
}

// UserByID returns the user with this id, or an error wrapping ErrNoSuchUser.
func (ks *Keystore) UserByID(id [16]byte) (*User, error) {
	for _, u := range ks.Users {
		if u.ID == id {
			return u, nil
		}
	}
	return nil, fmt.Errorf("%w: id %x", ErrNoSuchUser, id)
}

// DeleteUser removes the account and wipes its keys in memory (best
// effort). Once the keystore without it is sealed and written, the user's
// upstream objects are noise (crypto-shredding); deleting them is the
// gateway's best-effort follow-up.
func (ks *Keystore) DeleteUser(name string) error {
	i := slices.IndexFunc(ks.Users, func(u *User) bool { return u.Name == name })
	if i < 0 {
		return fmt.Errorf("%w: %s", ErrNoSuchUser, name)
	}
	ks.Users[i].wipe()
	ks.Users = slices.Delete(ks.Users, i, i+1)
	return nil
}

// NewCredentials gives the user a new S3 access key id and secret; the old
// pair stops working once the keystore is saved. It returns the new pair
// (show the secret once).
func (ks *Keystore) NewCredentials(name string) (string, Secret, error) {
	u, err := ks.User(name)
	if err != nil {
		return "", nil, err
	}
	id, secret := ks.freshCredentials()
	clear(u.Secret)
	u.AccessKeyID, u.Secret = id, secret
	return id, secret, nil
}

// freshCredentials returns an access key id no user has, and a secret.
func (ks *Keystore) freshCredentials() (string, Secret) {
	id := newAccessKeyID()
	for _, err := ks.UserByAccessKey(id); err == nil; _, err = ks.UserByAccessKey(id) {
		id = newAccessKeyID()
	}
	return id, newSecret()
}

func (ks *Keystore) hasID(id [16]byte) bool {
	_, err := ks.UserByID(id)
	return err == nil
}

// Validate checks every rule of the keystore format: valid and unique
// names, ids and access keys, bounded password parameters, epochs strictly
// ascending with the current one present, non-zero keys. Errors wrap
// ErrKeystoreFormat.
func (ks *Keystore) Validate() error {
	names, ids, aks := map[string]bool{}, map[[16]byte]bool{}, map[string]bool{}
	for i, u := range ks.Users {
		if u == nil {
			return fmt.Errorf("%w: user %d is nil", ErrKeystoreFormat, i)
		}
		if err := u.validate(); err != nil {
			return fmt.Errorf("%w: user %d: %w", ErrKeystoreFormat, i, err)
		}
		if names[u.Name] || ids[u.ID] || aks[u.AccessKeyID] {
			return fmt.Errorf("%w: user %d: duplicate name, id or access key", ErrKeystoreFormat, i)
		}
		names[u.Name], ids[u.ID], aks[u.AccessKeyID] = true, true, true
		for _, k := range u.Settings.s3Keys() {
			if aks[k.AccessKeyID] {
				return fmt.Errorf("%w: user %d: duplicate access key", ErrKeystoreFormat, i)
			}
			aks[k.AccessKeyID] = true
		}
	}
	return nil
}

// validate checks one user record.
func (u *User) validate() error {
	switch {
	case !validUserName(u.Name):
		return fmt.Errorf("%w: name", ErrInvalidUser)
	case u.ID == [16]byte{}:
		return fmt.Errorf("%w: zero id", ErrInvalidUser)
	case !u.Status.valid():
		return fmt.Errorf("%w: status %d", ErrInvalidUser, u.Status)
	case !validAccessKeyID(u.AccessKeyID):
		return fmt.Errorf("%w: access key id", ErrInvalidUser)
	case !validSecret(u.Secret):
		return fmt.Errorf("%w: secret", ErrInvalidUser)
	case u.Root == Key{}:
		return fmt.Errorf("%w: zero root key", ErrInvalidUser)
	}
	if err := u.Password.Validate(); err != nil {
		return err
	}
	if err := u.Settings.validate(); err != nil {
		return err
	}
	return u.validateEpochs()
}

func (u *User) validateEpochs() error {
	if len(u.Epochs) == 0 || len(u.Epochs) > MaxEpochs {
		return fmt.Errorf("%w: %d epochs", ErrInvalidUser, len(u.Epochs))
	}
	current := false
	for i, e := range u.Epochs {
		if e.ID == 0 || (i > 0 && e.ID <= u.Epochs[i-1].ID) || e.Key == (Key{}) {
			return fmt.Errorf("%w: epoch %d", ErrInvalidUser, i)
		}
		current = current || e.ID == u.CurrentEpoch
	}
	if !current {
		return fmt.Errorf("%w: current epoch missing", ErrInvalidUser)
	}
	return nil
}

const (
	maxUserName  = 64
	minCredLen   = 16
	maxCredLen   = 128
	userNameMore = "._@-"
)

// validUserName: 1–64 bytes of a-z, 0-9, '.', '_', '@', '-', starting with
// a letter or digit (no ':' — RFC 7617 Basic auth — no '/', no upper case).
func validUserName(s string) bool {
	if len(s) == 0 || len(s) > maxUserName {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || strings.IndexByte(userNameMore, c) < 0) {
			return false
		}
	}
	return true
}

// validAccessKeyID: 16–128 characters of A-Z and 0-9 (as AWS).
func validAccessKeyID(s string) bool {
	if len(s) < minCredLen || len(s) > maxCredLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validSecret: 16–128 bytes of printable ASCII without space (0x21–0x7e),
// so that imported AWS-style secrets with '/' and '+' fit.
func validSecret(s Secret) bool {
	if len(s) < minCredLen || len(s) > maxCredLen {
		return false
	}
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
