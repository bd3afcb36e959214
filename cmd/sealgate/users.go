package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

func cmdInit(ctx context.Context, args []string, e env) error {
	f := newFlags("init", e.stderr)
	if _, err := f.parse(args); err != nil {
		return err
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	d, err := openDeployment(ctx, c, e, openOpts{create: true})
	if err != nil {
		return err
	}
	defer d.Close()
	_, _ = fmt.Fprintf(e.stdout, "sealgate: data dir %s ready; deployment of %d accounts in the upstream (root key %s; keep a copy: without it the data is unreadable)\n",
		c.DataDir, len(d.accts.List()), rootKeyPlace(c, e.getenv))
	return nil
}

// rootKeyPlace names where the root key comes from.
func rootKeyPlace(c *config, getenv func(string) string) string {
	if getenv("SEALGATE_ROOT_KEY") != "" {
		return "from SEALGATE_ROOT_KEY"
	}
	return c.RootKeyFile
}

const userUsage = "user add|list|passwd|delete|rotate|keys [flags] [NAME] | user quota NAME SIZE|none [--objects N|none] | user 2fa|app-password|s3key NAME ACTION [ARG]"

func cmdUser(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	sub := args[0]
	f := newFlags("user "+sub, e.stderr)
	asJSON := f.fs.Bool("json", false, "print JSON")
	pwStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	discardLocked := f.fs.Bool("discard-locked", false, "delete: also destroy versions that Object Lock protects")
	objects := f.fs.String("objects", "", "quota: the number of objects (versions) allowed, or none (default: unchanged)")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	if isSecuritySub(sub) {
		return userSecurity(ctx, sub, pos, c, e, *asJSON) // users_security.go
	}
	if len(pos) != userArgs(sub) {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	d, err := openDeployment(ctx, c, e, openOpts{})
	if err != nil {
		return err
	}
	defer d.Close()
	u := userCmd{d: d, accts: d.accts, c: c, e: e, json: *asJSON, pwStdin: *pwStdin, discardLocked: *discardLocked, objects: *objects}
	switch sub {
	case "add":
		return u.add(ctx, pos[0])
	case "list":
		return u.list(ctx)
	case "quota":
		return u.quota(ctx, pos[0], pos[1])
	case "passwd":
		return u.passwd(ctx, pos[0])
	case "delete":
		return u.remove(ctx, pos[0])
	case "rotate":
		return u.rotate(ctx, pos[0])
	case "keys":
		return u.keys(ctx, pos[0])
	}
	return fmt.Errorf("%w: unknown user command %q: %s", errUsage, sub, userUsage)
}

// userArgs is the number of operands of a user command.
func userArgs(sub string) int {
	switch sub {
	case "list":
		return 0
	case "quota":
		return 2
	}
	return 1
}

type userCmd struct {
	d       *deployment
	accts   *accounts.Accounts
	c       *config
	e       env
	json    bool
	pwStdin bool
	// discardLocked: delete an account even though Object Lock protects
	// some of its versions (a deliberate choice: they are destroyed).
	discardLocked bool
	// objects is the --objects of `user quota` ("": unchanged).
	objects string
}

// password reads the account password from the first line of standard
// input when --password-stdin is given; otherwise it is nil (generated).
func (u userCmd) password() ([]byte, error) {
	if !u.pwStdin {
		return nil, nil
	}
	return readSecretLine(u.e.stdin, "password")
}

func (u userCmd) add(ctx context.Context, name string) error {
	pw, err := u.password()
	if err != nil {
		return err
	}
	cr, err := u.accts.Create(ctx, name, pw)
	if err != nil {
		return err
	}
	defer cr.Wipe()
	if pw != nil {
		cr.Password = pw
	}
	return u.printCredentials(cr)
}

func (u userCmd) printCredentials(cr accounts.Credentials) error {
	if u.json {
		out := map[string]string{"user": cr.User, "access_key_id": cr.AccessKeyID, "secret_access_key": string(cr.SecretAccessKey)}
		if cr.Password != nil {
			out["password"] = string(cr.Password)
		}
		return json.NewEncoder(u.e.stdout).Encode(out)
	}
	_, _ = fmt.Fprintf(u.e.stdout, "user:              %s\naccess key id:     %s\nsecret access key: %s\n", cr.User, cr.AccessKeyID, cr.SecretAccessKey)
	if cr.Password != nil {
		_, _ = fmt.Fprintf(u.e.stdout, "password:          %s\n", cr.Password)
	}
	return nil
}

// list lists the accounts with their storage used and quota (quota.go).
func (u userCmd) list(ctx context.Context) error {
	users := u.usages(ctx)
	if u.json {
		return json.NewEncoder(u.e.stdout).Encode(users)
	}
	tw := tabwriter.NewWriter(u.e.stdout, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NAME\tACCESS KEY ID\tCREATED\tSTATUS\tEPOCH\tUSED\tQUOTA\tOBJECTS\tOBJECT QUOTA")
	for _, a := range users {
		q := a.quotaColumns()
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\t%s\t%s\t%s\t%s\n", a.Name, a.AccessKeyID, a.Created.Format("2006-01-02 15:04"), a.Status,
			a.CurrentEpoch, q[0], q[1], q[2], q[3])
	}
	return tw.Flush()
}

func (u userCmd) passwd(ctx context.Context, name string) error {
	pw, err := u.password()
	if err != nil {
		return err
	}
	generated := pw == nil
	if generated {
		pw = cryptolayer.GeneratePassword()
	}
	if err := u.accts.ChangePassword(ctx, name, pw); err != nil {
		return err
	}
	if generated {
		_, _ = fmt.Fprintf(u.e.stdout, "password:          %s\n", pw)
	}
	clear(pw)
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: password of %s changed (no object rewritten)\n", name)
	return nil
}

// rotate starts a new content epoch, re-encrypts every object still on an
// older one (with a running count), then destroys the old epochs that no
// object or pending upload uses any more.
func (u userCmd) rotate(ctx context.Context, name string) error {
	epoch, err := u.accts.Rotate(ctx, name)
	if err != nil {
		return err
	}
	// Every running gateway takes the new epoch at its next poll; from then
	// on none commits a write under an older one (gateway: epochCurrent), so
	// the re-encryption below, started after that, misses no object.
	wait := 2*u.c.Accounts.PollInterval + 500*time.Millisecond
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %s now writes with key epoch %d; waiting %v for every gateway to take it\n", name, epoch, wait)
	select {
	case <-time.After(wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	_, _ = fmt.Fprintln(u.e.stdout, "sealgate: re-encrypting older objects")
	a, svc, err := u.accountService(name)
	if err != nil {
		return err
	}
	rep, err := svc.Reencrypt(ctx, a, func(r gateway.ReencryptReport) {
		_, _ = fmt.Fprintf(u.e.stderr, "\rre-encrypted %d objects, %d MiB", r.Objects, r.Bytes>>20)
	})
	_, _ = fmt.Fprintf(u.e.stderr, "\rre-encrypted %d objects, %d MiB\n", rep.Objects, rep.Bytes>>20)
	if err != nil {
		return err
	}
	return u.dropOldEpochs(ctx, name, epoch, rep.Remaining)
}

func (u userCmd) dropOldEpochs(ctx context.Context, name string, current uint32, remaining map[uint32]int) error {
	for _, s := range u.accts.List() {
		if s.Name != name {
			continue
		}
		for _, e := range s.Epochs {
			if e == current {
				continue
			}
			if n := remaining[e]; n > 0 {
				_, _ = fmt.Fprintf(u.e.stdout, "sealgate: epoch %d kept: %d objects or uploads still use it (run rotate again later)\n", e, n)
				continue
			}
			if err := u.accts.DropEpoch(ctx, name, e); err != nil {
				return err
			}
			_, _ = fmt.Fprintf(u.e.stdout, "sealgate: epoch %d destroyed\n", e)
		}
	}
	return nil
}

func (u userCmd) keys(ctx context.Context, name string) error {
	cr, err := u.accts.NewKeys(ctx, name)
	if err != nil {
		return err
	}
	defer cr.Wipe()
	return u.printCredentials(cr)
}

// remove destroys the account's keys first (crypto-shredding), then deletes
// its upstream objects best effort with a running count.
func (u userCmd) remove(ctx context.Context, name string) error {
	if err := u.checkLocks(ctx, name); err != nil {
		return err
	}
	u.revokeShares(ctx, name)
	dir, err := u.accts.Delete(ctx, name)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %s deleted; its keys are destroyed, its upstream data is unreadable\n", name)
	_, _ = fmt.Fprintln(u.e.stdout, "sealgate: older copies of the keystore (upstream versions, backups) still hold its keys until `sealgate keys rotate-root`")
	svc, err := u.d.service()
	if err != nil {
		return fmt.Errorf("keys destroyed, but the upstream objects were not removed: %w", err)
	}
	n, err := svc.PurgeUser(ctx, dir, func(n int) {
		if n%100 == 0 {
			_, _ = fmt.Fprintf(u.e.stderr, "\rremoving upstream objects: %d", n)
		}
	})
	_, _ = fmt.Fprintf(u.e.stderr, "\rremoved %d upstream objects\n", n)
	if err != nil {
		return fmt.Errorf("keys destroyed, but removing upstream objects stopped: %w", err)
	}
	return nil
}

// errLocked: an account delete refused because Object Lock protects some
// of the account's versions.
var errLocked = errors.New("versions under Object Lock")

// checkLocks refuses to delete an account whose versions Object Lock
// protects, unless --discard-locked says to destroy them: deleting an
// account destroys its keys, and with them every version, locked or not.
func (u userCmd) checkLocks(ctx context.Context, name string) error {
	a, svc, err := u.accountService(name)
	if err != nil {
		return err
	}
	n, err := svc.ActiveLocks(ctx, a)
	if err != nil {
		return fmt.Errorf("checking %s for versions under Object Lock: %w", name, err)
	}
	if n == 0 {
		return nil
	}
	if !u.discardLocked {
		return fmt.Errorf("%w: %s has %d versions under retention or legal hold; deleting the account destroys them: rerun with --discard-locked to do so", errLocked, name, n)
	}
	_, _ = fmt.Fprintf(u.e.stderr, "sealgate: destroying %d versions under Object Lock (--discard-locked)\n", n)
	return nil
}

// accountService returns the named account and a gateway service over the
// deployment's upstream, for the commands that act on an account's data.
func (u userCmd) accountService(name string) (*accounts.Account, *gateway.Service, error) {
	a, err := u.accts.Get(name)
	if err != nil {
		return nil, nil, err
	}
	svc, err := u.d.service()
	return a, svc, err
}
