package gateway

import (
	"fmt"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Get returns the account name, or an error wrapping ErrNoSuchUser. A
// disabled account is returned too (see Status).
func (a *Accounts) Get(name string) (*Account, error) {
	acc := a.lookup(func(s *snapshot) *Account { return s.byName[name] })
	if acc == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchUser, name)
	}
	return acc, nil
}

// ByAccessKey returns the active account with this S3 access key id: an
// error wrapping ErrNoSuchUser if there is none (S3: InvalidAccessKeyId),
// or ErrAccessDenied if the account is disabled. The caller verifies the
// request signature with the account's Secret.
func (a *Accounts) ByAccessKey(accessKeyID string) (*Account, error) {
	acc := a.lookup(func(s *snapshot) *Account { return s.byAccess[accessKeyID] })
	switch {
	case acc == nil:
		return nil, fmt.Errorf("%w: access key %s", ErrNoSuchUser, accessKeyID)
	case acc.Status() != AccountActive:
		return nil, ErrAccessDenied
	}
	return acc, nil
}

// lookup finds an account in the current snapshot; on a miss it re-reads
// a changed file at once and looks again (an account just made by another
// process works at once). It returns nil after Close.
func (a *Accounts) lookup(find func(*snapshot) *Account) *Account {
	if a.closed.Load() {
		return nil
	}
	if acc := find(a.current()); acc != nil {
		return acc
	}
	a.refresh(true)
	return find(a.snap.Load())
}

// Create makes an active account with a new S3 key pair and a password
// verifier of password; a nil password is generated and returned in the
// credentials. Errors wrap ErrUserExists, ErrInvalidUserName or
// ErrInvalidPassword. The account is in the keystore file when it returns.
func (a *Accounts) Create(name string, password []byte) (Credentials, error) {
	c := Credentials{User: name}
	if password == nil {
		password = cryptolayer.GeneratePassword()
		c.Password = password
	}
	err := a.update(func(ks *cryptolayer.Keystore) error {
		var u *cryptolayer.User
		var err error
		a.login.argon(func() { u, err = ks.AddUser(name, password, a.params) })
		if err != nil {
			return err
		}
		c.AccessKeyID = u.AccessKeyID
		c.SecretAccessKey = append([]byte(nil), u.Secret...)
		return nil
	})
	if err != nil {
		c.Wipe()
		return Credentials{}, err
	}
	return c, nil
}

// ChangePassword replaces the account's password verifier (fresh salt,
// current parameters). Nothing else changes: not the root key, the epochs,
// the S3 keys, no object. Cached logins with the old password stop working
// at once. Errors wrap ErrNoSuchUser or ErrInvalidPassword.
func (a *Accounts) ChangePassword(name string, newPassword []byte) error {
	err := a.update(func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		a.login.argon(func() { err = u.SetPassword(newPassword, a.params) })
		return err
	})
	a.login.forget(name)
	return err
}

// NewKeys gives the account a new S3 access key id and secret; the old
// pair is refused as soon as this returns, here and in other processes on
// the same data dir. Credentials.Password is nil.
func (a *Accounts) NewKeys(name string) (Credentials, error) {
	c := Credentials{User: name}
	err := a.update(func(ks *cryptolayer.Keystore) error {
		id, secret, err := ks.NewCredentials(name)
		if err != nil {
			return err
		}
		c.AccessKeyID, c.SecretAccessKey = id, append([]byte(nil), secret...)
		return nil
	})
	a.login.forget(name)
	if err != nil {
		return Credentials{}, err
	}
	return c, nil
}

// Rotate adds a new content epoch and makes it current: new objects use
// it. Old epochs stay until the re-encryption job drops them.
func (a *Accounts) Rotate(name string) (epoch uint32, err error) {
	err = a.update(func(ks *cryptolayer.Keystore) error {
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

// SetStatus enables or disables an account. A disabled account keeps its
// keys but cannot authenticate (Login, ByAccessKey).
func (a *Accounts) SetStatus(name string, s AccountStatus) error {
	if s != AccountActive && s != AccountDisabled {
		return fmt.Errorf("%w: account status %d", ErrInvalidArgument, s)
	}
	err := a.update(func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		u.Status = cryptolayer.UserStatus(s)
		return nil
	})
	a.login.forget(name)
	return err
}

// Delete removes the account: its record (root key, epoch keys, S3 secret,
// verifier) is gone from the keystore file when Delete returns, so its
// upstream objects are noise (crypto-shredding; older copies of the file,
// such as backups, still hold it). It returns the account's upstream dir,
// whose objects the caller deletes best-effort.
func (a *Accounts) Delete(name string) (upstreamDir string, err error) {
	err = a.update(func(ks *cryptolayer.Keystore) error {
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
	if a.closed.Load() {
		return nil
	}
	s := a.current()
	out := make([]AccountSummary, 0, len(s.ks.Users))
	for _, u := range s.ks.Users {
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

// DropEpoch destroys an old content epoch of the account: objects still
// sealed under it become unreadable, so call it only after re-encryption
// (Service.Reencrypt) found none left. The current epoch is refused.
func (a *Accounts) DropEpoch(name string, epoch uint32) error {
	return a.update(func(ks *cryptolayer.Keystore) error {
		u, err := ks.User(name)
		if err != nil {
			return err
		}
		return u.DropEpoch(epoch)
	})
}
