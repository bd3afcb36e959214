package main

import (
	"crypto/hmac"
	"crypto/sha256"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/webapp"
)

func init() { extraDoors = append(extraDoors, webDoor) }

// webDoor builds the web app door unless its address is "off".
func webDoor(c *config, accts *accounts.Accounts, svc *gateway.Service, lim *gateway.Limiter, obs gateway.Observer, log zerolog.Logger) (*door, error) {
	if !doorEnabled(c.Web.Addr) {
		return nil, nil
	}
	links := gateway.NewShareLinks(svc, gateway.ShareConfig{Owner: shareOwner(accts)})
	log = log.With().Str("door", "web").Logger()
	h, err := webapp.New(webapp.Config{Logins: webLogins{accts, svc}, Logger: log,
		SessionLifetime: c.Web.SessionLifetime, SecureCookie: c.Web.SecureCookie, Limiter: lim, Observe: obs,
		Shares:   webapp.ShareConfig{Links: links, DefaultExpiry: c.Web.ShareDefaultExpiry, MaxExpiry: c.Web.ShareMaxExpiry},
		Security: webSecurity{accts, svc, log}})
	if err != nil {
		return nil, err
	}
	return &door{name: "web", addr: c.Web.Addr, handler: h, tls: c.Web.TLS}, nil
}

// shareOwner finds the owner of a share link: an active account, else
// the link is dead.
func shareOwner(accts *accounts.Accounts) func(id [16]byte) (gateway.Account, error) {
	return func(id [16]byte) (gateway.Account, error) {
		a, err := accts.ByID(id)
		if err != nil {
			return nil, err
		}
		if a.Status() != accounts.AccountActive {
			return nil, gateway.ErrAccessDenied
		}
		return a, nil
	}
}

// webLogins adapts the accounts to the web app: account name and account
// password (as WebDAV), and each account's session key.
type webLogins struct {
	accts *accounts.Accounts
	svc   *gateway.Service
}

func (l webLogins) Login(name string, password []byte) (webapp.User, error) {
	a, err := l.accts.Login(name, password)
	if err != nil {
		return webapp.User{}, err
	}
	return l.user(a), nil
}

// Lookup is an active account by name (a session names it).
func (l webLogins) Lookup(name string) (webapp.User, error) {
	a, err := l.accts.Get(name)
	if err != nil {
		return webapp.User{}, err
	}
	if a.Status() != accounts.AccountActive {
		return webapp.User{}, gateway.ErrAccessDenied
	}
	return l.user(a), nil
}

func (l webLogins) user(a *accounts.Account) webapp.User {
	return webapp.User{Name: a.Name(), NS: l.svc.Namespace(a), SessionKey: webSessionKey(a)}
}

// webSessionKey is an account's key for web sessions:
//
//	HMAC-SHA256(DeriveUserKey("web session"), password verifier salt || hash)
//
// The user root key makes it the same on every gateway, secret, and gone
// with the account (a re-created account has another); the password
// verifier makes a password change end every session of the account.
func webSessionKey(a *accounts.Account) webapp.SessionKey {
	u := a.KeyRecord()
	k := u.DeriveUserKey("web session")
	m := hmac.New(sha256.New, k[:])
	m.Write(u.Password.Salt[:])
	m.Write(u.Password.Hash[:])
	var out webapp.SessionKey
	copy(out[:], m.Sum(nil))
	clear(k[:])
	return out
}
