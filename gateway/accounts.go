package gateway

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Errors of the accounts, besides ErrNoSuchUser, ErrUserExists and
// ErrAccessDenied (api.go). Their messages never contain a password, a
// secret or key material; user names are not secret.
var (
	// ErrNoKeystore: the data dir has no keystore; `sealgate init` makes one.
	ErrNoKeystore = errors.New("gateway: no keystore")
	// ErrInvalidUserName: not 1–64 of a-z 0-9 . _ @ -, starting with a
	// letter or digit. Errors with it also wrap cryptolayer.ErrInvalidUser.
	ErrInvalidUserName = errors.New("gateway: invalid user name")
	// ErrInvalidPassword: empty or too long. Errors with it also wrap
	// cryptolayer.ErrInvalidPassword.
	ErrInvalidPassword = errors.New("gateway: invalid password")
	// ErrAccountsClosed: the Accounts was closed.
	ErrAccountsClosed = errors.New("gateway: accounts closed")
)

// Files in the data dir.
const (
	keystoreFile   = "keystore"
	lockFile       = "keystore.lock"
	tempFilePrefix = "keystore.tmp-"
)

// AccountsConfig configures OpenAccounts.
type AccountsConfig struct {
	Dir  string          // data dir: keystore at Dir/keystore, lock at Dir/keystore.lock
	Root cryptolayer.Key // gateway root key
	// PasswordParams is the Argon2id cost of new verifiers (and of the dummy
	// verifier run for unknown users); zero: cryptolayer.DefaultPasswordParams.
	PasswordParams cryptolayer.PasswordParams
	// Now (nil: time.Now) dates login cache entries and failures.
	Now func() time.Time
}

// Accounts is the keystore of one gateway, kept in its data dir, and the
// authentication of requests against it. It is safe for concurrent use,
// and several processes (a server and the CLI) may use one data dir at
// once: every change takes an exclusive file lock, re-reads the file,
// changes it and writes it atomically; readers use an immutable snapshot
// that they re-read when the file changed (a lock-free stat on every
// lookup), so a change made by the CLI applies to the next request.
type Accounts struct {
	dir    string
	root   cryptolayer.Key
	params cryptolayer.PasswordParams
	now    func() time.Time
	sleep  func(time.Duration) // throttle delay; tests replace it

	snap      atomic.Pointer[snapshot]
	refreshMu sync.Mutex // serialises reading the file and publishing
	closed    atomic.Bool

	login *loginGuard
}

// AccountStatus tells whether an account may authenticate.
type AccountStatus uint8

// Account states (the values of cryptolayer.UserStatus).
const (
	AccountActive   = AccountStatus(cryptolayer.StatusActive)
	AccountDisabled = AccountStatus(cryptolayer.StatusDisabled) // keys kept, no authentication
)

// String returns "active" or "disabled".
func (s AccountStatus) String() string {
	switch s {
	case AccountActive:
		return "active"
	case AccountDisabled:
		return "disabled"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Account is an immutable snapshot of one account, as the keystore held it
// when it was looked up. Printing it (%v, %+v, %#v) shows no secret.
type Account struct {
	u  *cryptolayer.User // from a published keystore: never changed
	ns *derivedNS        // nil: derived on every use
}

// derivedNS holds what every request of one account snapshot derives.
type derivedNS struct {
	once    sync.Once
	dir     string
	buckets *cryptolayer.NameCipher
}

// newAccount wraps a published user record.
func newAccount(u *cryptolayer.User) *Account { return &Account{u: u, ns: &derivedNS{}} }

// Name is the account name (the WebDAV login).
func (a *Account) Name() string { return a.u.Name }

// AccessKeyID is the S3 access key id (not secret).
func (a *Account) AccessKeyID() string { return a.u.AccessKeyID }

// Secret returns a copy of the S3 secret access key, for SigV4
// verification. The caller may clear it after use.
func (a *Account) Secret() []byte { return append([]byte(nil), a.u.Secret...) }

// ID is the account's random, immutable id.
func (a *Account) ID() [16]byte { return a.u.ID }

// Status tells whether the account may authenticate.
func (a *Account) Status() AccountStatus { return AccountStatus(a.u.Status) }

// Created is when the account was made.
func (a *Account) Created() time.Time { return a.u.Created }

// user is the key record, for the gateway's namespaces. Never change it.
func (a *Account) user() *cryptolayer.User { return a.u }

// namespaceKeys returns the user's upstream directory and bucket-name
// cipher, derived once per account snapshot instead of on every request
// (a few HKDF and HMAC runs). A changed account (password, keys, status,
// deletion) is a new snapshot, so nothing derived outlives the record it
// came from.
func (a *Account) namespaceKeys() (string, *cryptolayer.NameCipher) {
	d := a.ns
	if d == nil {
		return a.u.UpstreamDir(), a.u.BucketNameCipher()
	}
	d.once.Do(func() { d.dir, d.buckets = a.u.UpstreamDir(), a.u.BucketNameCipher() })
	return d.dir, d.buckets
}

// String shows the name, access key id and status; no secret.
func (a *Account) String() string {
	return fmt.Sprintf("Account{%s %s %s}", a.u.Name, a.u.AccessKeyID, a.Status())
}

// GoString is String.
func (a *Account) GoString() string { return a.String() }

// Format prints String for every verb.
func (a *Account) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(a.String())) }

// Credentials are what the person who created an account, or asked for
// new S3 keys, is shown once. Printing them (%v, %+v, %#v) redacts the
// secret and the password; the CLI prints those fields explicitly, then
// calls Wipe.
type Credentials struct {
	User            string
	AccessKeyID     string
	SecretAccessKey []byte
	Password        []byte // a generated password; nil when the caller chose it or none changed
}

// String shows the user and access key id; the secrets are redacted.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{User:%s AccessKeyID:%s SecretAccessKey:[REDACTED] Password:[REDACTED]}",
		c.User, c.AccessKeyID)
}

// GoString is String.
func (c Credentials) GoString() string { return c.String() }

// Format prints String for every verb.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

// Wipe clears the secret and the password.
func (c *Credentials) Wipe() {
	clear(c.SecretAccessKey)
	clear(c.Password)
}

// AccountSummary describes an account for listings: no secret.
type AccountSummary struct {
	Name         string
	AccessKeyID  string
	Created      time.Time
	Status       AccountStatus
	Epochs       []uint32 // ascending
	CurrentEpoch uint32
}

// InitAccounts creates an empty keystore sealed under root in dir (made
// 0700 if missing), unless one exists: it never overwrites. An existing
// keystore must open with root (else an error wrapping
// cryptolayer.ErrKeystoreAuth), so that init with the wrong root key fails
// loudly rather than later.
func InitAccounts(dir string, root cryptolayer.Key) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("gateway: data dir: %w", err)
	}
	a := &Accounts{dir: dir, root: root}
	unlock, err := a.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if _, _, err := a.readFile(); !errors.Is(err, ErrNoKeystore) {
		return err // nil: it exists and opens
	}
	_, err = a.writeKeystore(&cryptolayer.Keystore{})
	return err
}

// OpenAccounts opens the keystore in cfg.Dir. A missing keystore is an
// error wrapping ErrNoKeystore; a wrong root key (or a damaged file) one
// wrapping cryptolayer.ErrKeystoreAuth. Temp files left by a crashed write
// (they hold key material) are removed.
func OpenAccounts(cfg AccountsConfig) (*Accounts, error) {
	a := &Accounts{
		dir: cfg.Dir, root: cfg.Root, params: cfg.PasswordParams,
		now: cfg.Now, sleep: time.Sleep,
	}
	if a.params == (cryptolayer.PasswordParams{}) {
		a.params = cryptolayer.DefaultPasswordParams
	}
	if err := a.params.Validate(); err != nil {
		return nil, fmt.Errorf("gateway: accounts: %w", err)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if _, err := os.Stat(filepath.Join(a.dir, keystoreFile)); errors.Is(err, os.ErrNotExist) {
		return nil, a.noKeystore()
	}
	if err := a.openLocked(); err != nil {
		return nil, err
	}
	a.login = newLoginGuard(a.params, runtime.NumCPU())
	return a, nil
}

// openLocked removes temp leftovers and loads the keystore, under the file
// lock (a temp file of a concurrent writer is not a leftover).
func (a *Accounts) openLocked() error {
	unlock, err := a.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := a.removeTemps(); err != nil {
		return err
	}
	ks, id, err := a.readFile()
	if err != nil {
		return err
	}
	a.publish(ks, id)
	return nil
}

// Close forgets cached logins. Afterwards lookups fail (ErrNoSuchUser,
// ErrAccessDenied) and changes return ErrAccountsClosed.
func (a *Accounts) Close() error {
	if a.closed.Swap(true) {
		return nil
	}
	a.login.reset()
	return nil
}

// noKeystore is the error of a data dir without keystore.
func (a *Accounts) noKeystore() error {
	return fmt.Errorf("%w in %s: run `sealgate init` first", ErrNoKeystore, a.dir)
}

// mapKeystoreErr turns cryptolayer's keystore errors into the gateway's.
func mapKeystoreErr(err error) error {
	switch {
	case errors.Is(err, cryptolayer.ErrNoSuchUser):
		return fmt.Errorf("%w: %w", ErrNoSuchUser, err)
	case errors.Is(err, cryptolayer.ErrUserExists):
		return fmt.Errorf("%w: %w", ErrUserExists, err)
	case errors.Is(err, cryptolayer.ErrInvalidUser):
		return fmt.Errorf("%w: %w", ErrInvalidUserName, err)
	case errors.Is(err, cryptolayer.ErrInvalidPassword):
		return fmt.Errorf("%w: %w", ErrInvalidPassword, err)
	}
	return err
}
