package main

import (
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/davapi"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

func init() { extraDoors = append(extraDoors, webdavDoor) }

// webdavDoor builds the WebDAV door unless its address is "off".
func webdavDoor(c *config, accts *accounts.Accounts, svc *gateway.Service, lim *gateway.Limiter, obs gateway.Observer, log zerolog.Logger) (*door, error) {
	if !doorEnabled(c.WebDAV.Addr) {
		return nil, nil
	}
	h, err := davapi.New(davapi.Config{Logins: davLogins{accts, svc}, Logger: log.With().Str("door", "webdav").Logger(), Limiter: lim, Observe: obs})
	if err != nil {
		return nil, err
	}
	return &door{name: "webdav", addr: c.WebDAV.Addr, handler: h, tls: c.WebDAV.TLS}, nil
}

// davLogins adapts the accounts to the WebDAV door: account name and
// account password (not the S3 secret), verified with a cached Argon2id.
type davLogins struct {
	accts *accounts.Accounts
	svc   *gateway.Service
}

func (d davLogins) Login(name string, password []byte) (davapi.User, error) {
	a, err := d.accts.LoginDAV(name, password)
	if err != nil {
		return davapi.User{}, err
	}
	return davapi.User{Name: a.Name(), NS: d.svc.Namespace(a)}, nil
}
