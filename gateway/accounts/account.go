package accounts

import (
	"fmt"
	"sync"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

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

// Secret returns a copy of the S3 secret access key, for SigV4
// verification. The caller may clear it after use.
func (a *Account) Secret() []byte { return append([]byte(nil), a.u.Secret...) }

// ID is the account's random, immutable id.
func (a *Account) ID() [16]byte { return a.u.ID }

// Status tells whether the account may authenticate.
func (a *Account) Status() AccountStatus { return AccountStatus(a.u.Status) }

// KeyRecord is the account's key record, for the gateway's namespaces
// (gateway.Account). Never change it.
func (a *Account) KeyRecord() *cryptolayer.User { return a.u }

// NamespaceKeys returns the user's upstream directory and bucket-name
// cipher, derived once per account snapshot instead of on every request
// (a few HKDF and HMAC runs). A changed account (password, keys, status,
// deletion) is a new snapshot, so nothing derived outlives the record it
// came from.
func (a *Account) NamespaceKeys() (string, *cryptolayer.NameCipher) {
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
