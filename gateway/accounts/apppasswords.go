package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// App password and S3 key errors.
var (
	// ErrNoSuchItem: no app password or S3 key with that id.
	ErrNoSuchItem = errors.New("accounts: no such app password or S3 key")
	// ErrTooMany: the account has the most app passwords or S3 keys allowed.
	ErrTooMany = errors.New("accounts: too many app passwords or S3 keys")
	// ErrLastKey: the account's only S3 key pair cannot be revoked.
	ErrLastKey = errors.New("accounts: the account's only S3 key pair cannot be revoked")
	// ErrInvalidLabel: an app password name that is empty, too long or
	// holds control characters.
	ErrInvalidLabel = errors.New("accounts: invalid app password name (1-64 characters, no control characters)")
)

// appPasswordBytes is the randomness of an app password (160 bits).
const appPasswordBytes = 20

// AppPasswordInfo describes an app password: never the password.
type AppPasswordInfo struct {
	ID      string // 16 hex digits
	Name    string
	Created time.Time
}

// AppPasswords lists the account's app passwords.
func (a *Account) AppPasswords() []AppPasswordInfo {
	if a.u.Settings == nil {
		return nil
	}
	out := make([]AppPasswordInfo, 0, len(a.u.Settings.AppPasswords))
	for _, p := range a.u.Settings.AppPasswords {
		out = append(out, AppPasswordInfo{ID: hex.EncodeToString(p.ID[:]), Name: p.Name, Created: p.Created})
	}
	return out
}

// AddAppPassword makes a WebDAV-only password named label and returns it
// once (the keystore holds a keyed hash of it); it never prints. The
// caller clears it.
func (a *Accounts) AddAppPassword(ctx context.Context, name, label string) (AppPasswordInfo, cryptolayer.Secret, error) {
	var p cryptolayer.AppPassword
	_, _ = rand.Read(p.ID[:])
	raw := make([]byte, appPasswordBytes)
	_, _ = rand.Read(raw)
	pw := cryptolayer.Secret(strings.ToLower(b32.EncodeToString(raw)))
	clear(raw)
	p.Name, p.Created = label, a.now().UTC().Truncate(time.Second)
	err := a.changeSettings(ctx, name, func(u *cryptolayer.User, s *cryptolayer.AccountSettings) error {
		if len(s.AppPasswords) >= cryptolayer.MaxAppPasswords {
			return ErrTooMany
		}
		p.Hash = u.AppPasswordHash(p.ID, pw)
		s.AppPasswords = append(s.AppPasswords, p)
		return nil
	})
	if errors.Is(err, cryptolayer.ErrKeystoreFormat) {
		err = ErrInvalidLabel
	}
	if err != nil {
		clear(pw)
		return AppPasswordInfo{}, nil, err
	}
	return AppPasswordInfo{ID: hex.EncodeToString(p.ID[:]), Name: p.Name, Created: p.Created}, pw, nil
}

// RevokeAppPassword deletes an app password: refused here at once, and on
// every other gateway within a poll.
func (a *Accounts) RevokeAppPassword(ctx context.Context, name, id string) error {
	return a.changeSettings(ctx, name, func(_ *cryptolayer.User, s *cryptolayer.AccountSettings) error {
		i := slices.IndexFunc(s.AppPasswords, func(p cryptolayer.AppPassword) bool { return hex.EncodeToString(p.ID[:]) == id })
		if i < 0 {
			return ErrNoSuchItem
		}
		s.AppPasswords = slices.Delete(s.AppPasswords, i, i+1)
		return nil
	})
}

// changeSettings changes the fresh settings of an account, dropping them
// if they end up empty.
func (a *Accounts) changeSettings(ctx context.Context, name string, change func(u *cryptolayer.User, s *cryptolayer.AccountSettings) error) error {
	acc, err := a.fresh(ctx, name)
	if err != nil {
		return err
	}
	return a.changeUser(ctx, name, acc.ID(), func(u *cryptolayer.User) error {
		if err := change(u, settingsOf(u)); err != nil {
			tidy(u)
			return err
		}
		tidy(u)
		return nil
	})
}

// checkAppPassword reports whether password is one of u's app passwords.
func checkAppPassword(u *cryptolayer.User, password []byte) bool {
	if u.Settings == nil || len(password) == 0 {
		return false
	}
	ok := 0
	for _, p := range u.Settings.AppPasswords {
		h := u.AppPasswordHash(p.ID, password)
		ok |= subtle.ConstantTimeCompare(h[:], p.Hash[:])
	}
	return ok == 1
}

// LoginDAV checks a WebDAV login. Without two-factor sign-in the account
// password (Login, cached) and app passwords open WebDAV; with it only app
// passwords do. App passwords are checked against the current snapshot on
// every request (an HMAC each, no cache), so a revocation through any
// gateway ends access within a poll; a login that fails reads the
// upstream (at most every 200 ms, as a lookup miss) and checks app
// passwords again, so one just made through another gateway works at
// once. Failures are gateway.ErrAccessDenied, slowed per name as Login's;
// a refused account password with two-factor sign-in on costs the same
// Argon2id run as a wrong one.
func (a *Accounts) LoginDAV(name string, password []byte) (*Account, error) {
	byName := func(s *snapshot) *Account { return s.byName[name] }
	acc := a.lookup(byName)
	if appPasswordOK(acc, password) {
		return acc, nil
	}
	if acc == nil || !acc.TOTPEnabled() {
		acc, err := a.Login(name, password)
		if err == nil || !errors.Is(err, gateway.ErrAccessDenied) {
			return acc, err
		}
		return a.freshAppPassword(name, password, err)
	}
	g := a.login
	if d := g.delay(name, a.now()); d > 0 {
		a.sleep(d)
	}
	if !g.tryArgon(func() { g.dummy.Verify(password, name, [16]byte{}) }) {
		return nil, gateway.ErrSlowDown
	}
	acc, err := a.freshAppPassword(name, password, gateway.ErrAccessDenied)
	if err != nil {
		g.failed(name, a.now())
	}
	return acc, err
}

// freshAppPassword checks password against the app passwords of a fresh
// read of the upstream; failed is the error if it is none of them.
func (a *Accounts) freshAppPassword(name string, password []byte, failed error) (*Account, error) {
	a.refreshMiss()
	if acc := a.lookup(func(s *snapshot) *Account { return s.byName[name] }); appPasswordOK(acc, password) {
		return acc, nil
	}
	return nil, failed
}

func appPasswordOK(acc *Account, password []byte) bool {
	return acc != nil && acc.Status() == AccountActive && checkAppPassword(acc.u, password)
}

// ChangeOwnPassword is ChangePassword after checking the current password
// (Login): the web app's password change.
func (a *Accounts) ChangeOwnPassword(ctx context.Context, name string, current, newPassword []byte) error {
	if _, err := a.Login(name, current); err != nil {
		return err
	}
	if err := a.ChangePassword(ctx, name, newPassword); err != nil {
		return fmt.Errorf("changing the password: %w", err)
	}
	return nil
}
