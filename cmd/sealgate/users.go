package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

func cmdInit(args []string, e env) error {
	f := newFlags("init", e.stderr)
	if _, err := f.parse(args); err != nil {
		return err
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	if _, err := initDataDir(c, e.getenv); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: data dir %s ready (root key %s; keep a copy: without it the data is unreadable)\n", c.DataDir, c.RootKeyFile)
	return nil
}

const userUsage = "user add|list|passwd|delete|rotate|keys [flags] [NAME]"

func cmdUser(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	sub := args[0]
	f := newFlags("user "+sub, e.stderr)
	asJSON := f.fs.Bool("json", false, "print JSON")
	pwStdin := f.fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	needName := sub != "list"
	if needName != (len(pos) == 1) || (!needName && len(pos) != 0) {
		return fmt.Errorf("%w: %s", errUsage, userUsage)
	}
	root, err := openDataDir(c, e.getenv)
	if err != nil {
		return err
	}
	accts, err := gateway.OpenAccounts(gateway.AccountsConfig{Dir: c.DataDir, Root: root})
	if err != nil {
		return err
	}
	defer func() { _ = accts.Close() }()
	u := userCmd{accts: accts, c: c, e: e, json: *asJSON, pwStdin: *pwStdin}
	switch sub {
	case "add":
		return u.add(pos[0])
	case "list":
		return u.list()
	case "passwd":
		return u.passwd(pos[0])
	case "delete":
		return u.remove(ctx, pos[0])
	case "rotate":
		return u.rotate(ctx, pos[0])
	case "keys":
		return u.keys(pos[0])
	}
	return fmt.Errorf("%w: unknown user command %q: %s", errUsage, sub, userUsage)
}

type userCmd struct {
	accts   *gateway.Accounts
	c       *config
	e       env
	json    bool
	pwStdin bool
}

// password reads the account password from the first line of standard
// input when --password-stdin is given; otherwise it is nil (generated).
func (u userCmd) password() ([]byte, error) {
	if !u.pwStdin {
		return nil, nil
	}
	return readSecretLine(u.e.stdin, "password")
}

func (u userCmd) add(name string) error {
	pw, err := u.password()
	if err != nil {
		return err
	}
	cr, err := u.accts.Create(name, pw)
	if err != nil {
		return err
	}
	defer cr.Wipe()
	if pw != nil {
		cr.Password = pw
	}
	return u.printCredentials(cr)
}

func (u userCmd) printCredentials(cr gateway.Credentials) error {
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

func (u userCmd) list() error {
	users := u.accts.List()
	if u.json {
		return json.NewEncoder(u.e.stdout).Encode(users)
	}
	tw := tabwriter.NewWriter(u.e.stdout, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NAME\tACCESS KEY ID\tCREATED\tSTATUS\tEPOCH")
	for _, a := range users {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%d\n", a.Name, a.AccessKeyID, a.Created.Format("2006-01-02 15:04"), a.Status, a.CurrentEpoch)
	}
	return tw.Flush()
}

func (u userCmd) passwd(name string) error {
	pw, err := u.password()
	if err != nil {
		return err
	}
	generated := pw == nil
	if generated {
		pw = cryptolayer.GeneratePassword()
	}
	if err := u.accts.ChangePassword(name, pw); err != nil {
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
	epoch, err := u.accts.Rotate(name)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %s now writes with key epoch %d; re-encrypting older objects\n", name, epoch)
	a, err := u.accts.Get(name)
	if err != nil {
		return err
	}
	svc, closeSvc, err := upstreamService(ctx, u.c)
	if err != nil {
		return err
	}
	defer closeSvc()
	rep, err := svc.Reencrypt(ctx, a, func(r gateway.ReencryptReport) {
		_, _ = fmt.Fprintf(u.e.stderr, "\rre-encrypted %d objects, %d MiB", r.Objects, r.Bytes>>20)
	})
	_, _ = fmt.Fprintf(u.e.stderr, "\rre-encrypted %d objects, %d MiB\n", rep.Objects, rep.Bytes>>20)
	if err != nil {
		return err
	}
	return u.dropOldEpochs(name, epoch, rep.Remaining)
}

func (u userCmd) dropOldEpochs(name string, current uint32, remaining map[uint32]int) error {
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
			if err := u.accts.DropEpoch(name, e); err != nil {
				return err
			}
			_, _ = fmt.Fprintf(u.e.stdout, "sealgate: epoch %d destroyed\n", e)
		}
	}
	return nil
}

func (u userCmd) keys(name string) error {
	cr, err := u.accts.NewKeys(name)
	if err != nil {
		return err
	}
	defer cr.Wipe()
	return u.printCredentials(cr)
}

// remove destroys the account's keys first (crypto-shredding), then deletes
// its upstream objects best effort with a running count.
func (u userCmd) remove(ctx context.Context, name string) error {
	dir, err := u.accts.Delete(name)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %s deleted; its keys are destroyed, its upstream data is unreadable\n", name)
	svc, closeSvc, err := upstreamService(ctx, u.c)
	if err != nil {
		return fmt.Errorf("keys destroyed, but the upstream objects were not removed: %w", err)
	}
	defer closeSvc()
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
