package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// deployment is what a command opens: the upstream and the accounts of
// the deployment it holds.
type deployment struct {
	store backends.Store
	accts *accounts.Accounts
}

// openOpts say how a command opens the deployment.
type openOpts struct {
	create  bool                 // init and serve: make the root key and deployment if there is none
	poll    bool                 // serve: follow changes made through other gateways
	onEvent func(accounts.Event) // nil: integrity events go to stderr
}

// openDeployment prepares the data dir, opens the upstream (checking that
// it honours conditional writes), loads the root key and opens the
// accounts: every admin command works this way with any gateway's config,
// while gateways run.
func openDeployment(ctx context.Context, c *config, e env, o openOpts) (*deployment, error) {
	if err := prepareDataDir(c); err != nil {
		return nil, err
	}
	store, err := openUpstream(ctx, c)
	if err != nil {
		return nil, err
	}
	d, err := openAccounts(ctx, c, e, o, store)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return d, nil
}

func openAccounts(ctx context.Context, c *config, e env, o openOpts, store backends.Store) (*deployment, error) {
	root, err := rootKey(ctx, c, e.getenv, store, o.create)
	if err != nil {
		return nil, err
	}
	if o.onEvent == nil {
		o.onEvent = printEvent(e.stderr)
	}
	poll := c.Accounts.PollInterval
	if !o.poll {
		poll = -1
	}
	accts, err := accounts.Open(ctx, accounts.Config{
		Store: store, DataDir: c.DataDir, Root: root, Create: o.create, PollInterval: poll, OnEvent: o.onEvent,
		OnRootKey: func(k cryptolayer.Key) error { return replaceRootKey(c, e.getenv, k) },
	})
	if err != nil {
		return nil, err
	}
	return &deployment{store: store, accts: accts}, nil
}

// service returns a gateway service over the deployment's upstream (for
// commands that act on stored data).
func (d *deployment) service() (*gateway.Service, error) {
	return gateway.NewService(gateway.Config{Store: d.store, Fresh: freshRecord(d.accts), Current: currentRecord(d.accts)})
}

// Close closes the accounts and the upstream.
func (d *deployment) Close() {
	_ = d.accts.Close()
	_ = d.store.Close()
}

// printEvent reports the accounts' events of a one-shot command on stderr.
func printEvent(w io.Writer) func(accounts.Event) {
	return func(ev accounts.Event) {
		level := "note"
		if ev.Integrity {
			level = "integrity failure"
		}
		_, _ = fmt.Fprintf(w, "sealgate: %s (%s): %s\n", level, ev.Kind, ev.Msg)
	}
}

// currentRecord gives the gateway the newest key record of a user that the
// accounts hold, without reading the upstream.
func currentRecord(a *accounts.Accounts) func(id [16]byte) *cryptolayer.User {
	return func(id [16]byte) *cryptolayer.User {
		if acc, err := a.ByID(id); err == nil {
			return acc.KeyRecord()
		}
		return nil
	}
}

// freshRecord gives the gateway the current key record of a user, after
// reading the upstream keystore (rate-limited by the accounts).
func freshRecord(a *accounts.Accounts) func(id [16]byte) *cryptolayer.User {
	return func(id [16]byte) *cryptolayer.User {
		if acc, err := a.FreshByID(id); err == nil {
			return acc.KeyRecord()
		}
		return nil
	}
}

// activeAccounts gives the gateway the active accounts, whose buckets'
// CORS rules answer anonymous preflights.
func activeAccounts(a *accounts.Accounts) func() []gateway.Account {
	return func() []gateway.Account {
		var out []gateway.Account
		for _, acc := range a.Accounts() {
			if acc.Status() == accounts.AccountActive {
				out = append(out, acc)
			}
		}
		return out
	}
}
