package accounts

import (
	"context"
	"errors"
	"fmt"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// Get returns the account name, or an error wrapping gateway.ErrNoSuchUser.
// A disabled account is returned too (see Status).
func (a *Accounts) Get(name string) (*Account, error) {
	acc := a.lookup(func(s *snapshot) *Account { return s.byName[name] })
	if acc == nil {
		return nil, fmt.Errorf("%w: %s", gateway.ErrNoSuchUser, name)
	}
	return acc, nil
}

// ByID returns the account with this id, or an error wrapping
// gateway.ErrNoSuchUser. It does not read the upstream.
func (a *Accounts) ByID(id [16]byte) (*Account, error) {
	if s := a.snap.Load(); s != nil && !a.closed.Load() {
		if acc := s.byID[id]; acc != nil {
			return acc, nil
		}
	}
	return nil, fmt.Errorf("%w: id %x", gateway.ErrNoSuchUser, id)
}

// FreshByID is ByID after reading the upstream keystore if it changed (at
// most every 200 ms): for an account changed through another gateway a
// moment ago.
func (a *Accounts) FreshByID(id [16]byte) (*Account, error) {
	a.refreshMiss()
	return a.ByID(id)
}

// ByAccessKey returns the active account with this S3 access key id: an
// error wrapping gateway.ErrNoSuchUser if there is none (S3:
// InvalidAccessKeyId), or gateway.ErrAccessDenied if the account is
// disabled. The caller verifies the request signature with the account's
// Secret.
func (a *Accounts) ByAccessKey(accessKeyID string) (*Account, error) {
	acc := a.lookup(func(s *snapshot) *Account { return s.byAccess[accessKeyID] })
	switch {
	case acc == nil:
		return nil, fmt.Errorf("%w: access key %s", gateway.ErrNoSuchUser, accessKeyID)
	case acc.Status() != AccountActive:
		return nil, gateway.ErrAccessDenied
	}
	return acc, nil
}

// lookup finds an account in the current snapshot; on a miss it reads the
// upstream at once (at most every 200 ms) and looks again, so an account
// just made through another gateway works at once. It returns nil after
// Close.
func (a *Accounts) lookup(find func(*snapshot) *Account) *Account {
	if a.closed.Load() {
		return nil
	}
	if acc := find(a.snap.Load()); acc != nil {
		return acc
	}
	a.refreshMiss()
	return find(a.snap.Load())
}

// Create makes an active account with a new S3 key pair and a password
// verifier of password; a nil password is generated and returned in the
// credentials. Errors wrap gateway.ErrUserExists, ErrInvalidUserName or
// ErrInvalidPassword. The account is in the upstream keystore when it
// returns.
func (a *Accounts) Create(ctx context.Context, name string, password []byte) (Credentials, error) {
	c, _, err := a.create1(ctx, name, password, false)
	return c, err
}

// CreateFirst is Create, but only while the deployment has no account at
// all: created is false (and nothing changed) when one exists, also when
// several gateways start at once over a new deployment.
func (a *Accounts) CreateFirst(ctx context.Context, name string) (c Credentials, created bool, err error) {
	return a.create1(ctx, name, nil, true)
}

// errHasAccounts ends CreateFirst's change without writing.
var errHasAccounts = errors.New("accounts: the deployment has accounts")

func (a *Accounts) create1(ctx context.Context, name string, password []byte, onlyFirst bool) (Credentials, bool, error) {
	if a.closed.Load() {
		return Credentials{}, false, ErrClosed
	}
	c := Credentials{User: name}
	if password == nil {
		password = cryptolayer.GeneratePassword()
		c.Password = password
	}
	var u *cryptolayer.User
	var err error
	a.login.argon(func() { u, err = cryptolayer.NewUser(name, password, a.params) })
	if err != nil {
		c.Wipe()
		return Credentials{}, false, mapKeystoreErr(err)
	}
	err = a.update(ctx, func(ks *cryptolayer.Keystore) error {
		if onlyFirst && len(ks.Users) > 0 {
			return errHasAccounts
		}
		fresh := *u // Insert may give it another access key id
		if err := ks.Insert(&fresh); err != nil {
			return err
		}
		c.AccessKeyID, c.SecretAccessKey = fresh.AccessKeyID, append(c.SecretAccessKey[:0], fresh.Secret...)
		return nil
	})
	if errors.Is(err, errHasAccounts) {
		c.Wipe()
		return Credentials{}, false, nil
	}
	if err != nil {
		c.Wipe()
		return Credentials{}, false, err
	}
	return c, true, nil
}

// ChangePassword replaces the account's password verifier (fresh salt,
// current parameters). Nothing else changes: not the user root key, the
// epochs, the S3 keys, no object. Cached logins with the old password stop
// working on every gateway once it has the new keystore. Errors wrap
// gateway.ErrNoSuchUser or ErrInvalidPassword.
func (a *Accounts) ChangePassword(ctx context.Context, name string, newPassword []byte) error {
	acc, err := a.fresh(ctx, name)
	if err != nil {
		return err
	}
	var v cryptolayer.PasswordVerifier
	a.login.argon(func() { v, err = cryptolayer.NewPasswordVerifier(newPassword, a.params, name, acc.ID()) })
	if err != nil {
		return mapKeystoreErr(err)
	}
	err = a.changeUser(ctx, name, acc.ID(), func(u *cryptolayer.User) error {
		u.Password = v
		return nil
	})
	a.login.forget(name)
	return err
}

// fresh reads the upstream and returns the account as it is now.
func (a *Accounts) fresh(ctx context.Context, name string) (*Account, error) {
	if err := a.Refresh(ctx); err != nil {
		return nil, err
	}
	return a.Get(name)
}

// changeUser changes one account's record, refusing if the account with
// that name is not the one with id any more (deleted and made again).
func (a *Accounts) changeUser(ctx context.Context, name string, id [16]byte, change func(u *cryptolayer.User) error) error {
	return a.update(ctx, func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		if u.ID != id {
			return fmt.Errorf("%w: %s was deleted and made again meanwhile", cryptolayer.ErrNoSuchUser, name)
		}
		return change(u)
	})
}

// NewKeys gives the account a new S3 access key id and secret; the old
// pair is refused as soon as this returns here, and within a poll on every
// other gateway. Credentials.Password is nil.
func (a *Accounts) NewKeys(ctx context.Context, name string) (Credentials, error) {
	c := Credentials{User: name}
	err := a.update(ctx, func(ks *cryptolayer.Keystore) error {
		id, secret, err := ks.NewCredentials(name)
		if err != nil {
			return err
		}
		c.AccessKeyID, c.SecretAccessKey = id, append([]byte(nil), secret...)
		return nil
	})
	a.login.forget(name)
	if err != nil {
		c.Wipe()
		return Credentials{}, err
	}
	return c, nil
}

// Rotate adds a new content epoch and makes it current: new objects use
// it. Old epochs stay until the re-encryption job drops them.
func (a *Accounts) Rotate(ctx context.Context, name string) (epoch uint32, err error) {
	err = a.update(ctx, func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		epoch, err = u.Rotate()
		return err
	})
	if err != nil {
		return 0, err
	}
	return epoch, nil
}

// Delete removes the account: its record (root key, epoch keys, S3 secret,
// verifier) is gone from the upstream keystore when Delete returns, so its
// upstream objects are noise (crypto-shredding; older copies of the
// keystore, such as upstream versions and backups, still hold it until a
// root-key rotation). It returns the account's upstream dir, whose objects
// the caller deletes best-effort.
func (a *Accounts) Delete(ctx context.Context, name string) (upstreamDir string, err error) {
	err = a.update(ctx, func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		upstreamDir = u.UpstreamDir()
		return ks.DeleteUser(name)
	})
	a.login.forget(name)
	if err != nil {
		return "", err
	}
	return upstreamDir, nil
}

// List describes every account, in creation order. No secret.
func (a *Accounts) List() []AccountSummary {
	s := a.snap.Load()
	if a.closed.Load() || s == nil {
		return nil
	}
	out := make([]AccountSummary, 0, len(s.rec.Keystore.Users))
	for _, u := range s.rec.Keystore.Users {
		sum := AccountSummary{
			Name: u.Name, AccessKeyID: u.AccessKeyID, Created: u.Created,
			Status: AccountStatus(u.Status), CurrentEpoch: u.CurrentEpoch,
		}
		for _, e := range u.Epochs {
			sum.Epochs = append(sum.Epochs, e.ID)
		}
		out = append(out, sum)
	}
	return out
}

// Accounts returns every account snapshot, in creation order (gc needs
// their upstream dirs).
func (a *Accounts) Accounts() []*Account {
	s := a.snap.Load()
	if a.closed.Load() || s == nil {
		return nil
	}
	out := make([]*Account, 0, len(s.rec.Keystore.Users))
	for _, u := range s.rec.Keystore.Users {
		out = append(out, s.byName[u.Name])
	}
	return out
}

// DropEpoch destroys an old content epoch of the account: objects still
// sealed under it become unreadable, so call it only after re-encryption
// (gateway.Service.Reencrypt) found none left. The current epoch is refused.
func (a *Accounts) DropEpoch(ctx context.Context, name string, epoch uint32) error {
	return a.update(ctx, func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		return u.DropEpoch(epoch)
	})
}
