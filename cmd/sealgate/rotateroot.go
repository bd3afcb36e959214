package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// cmdRotateRoot guides a root-key rotation: begin (no flag), --status,
// --finish, --cancel (gateway/accounts: "Root-key rotation").
func cmdRotateRoot(ctx context.Context, args []string, e env) error {
	f := newFlags("keys rotate-root", e.stderr)
	status := f.fs.Bool("status", false, "show the pending rotation and which gateways hold the next key")
	finish := f.fs.Bool("finish", false, "re-seal the keystore under the next key; gateways then destroy the old one")
	cancel := f.fs.Bool("cancel", false, "forget the pending next key")
	c, d, err := openForKeys(ctx, f, args, "keys rotate-root [--status|--finish|--cancel]", e)
	if err != nil {
		return err
	}
	defer d.Close()
	switch {
	case *status:
		return printRotation(ctx, d.accts, e)
	case *finish:
		return finishRotation(ctx, c, d.accts, e)
	case *cancel:
		if err := d.accts.CancelRootRotation(ctx); err != nil {
			return err
		}
		_, _ = fmt.Fprintln(e.stdout, "sealgate: root-key rotation cancelled; gateways forget the next key within a poll")
		return nil
	}
	next, err := d.accts.BeginRootRotation(ctx)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, `sealgate: root-key rotation begun: next root key %s.
Running gateways of this deployment learn it from the upstream within a poll
(about a second), keep it in their data dir (root.key.next) and acknowledge it.
Next:
  1. sealgate keys rotate-root --status   lists the gateways that hold it;
     start any stopped gateway now, so that it learns it too.
  2. sealgate keys rotate-root --finish   re-seals the keystore under it. Every
     gateway then uses it and overwrites its root key file with it; a gateway
     whose key comes from SEALGATE_ROOT_KEY must be given it (the command prints it).
After step 2 the old root key is gone from every root key file, and no old copy
of the keystore (upstream versions, backups) opens again: this completes the
shredding of deleted accounts.
`, cryptolayer.RootKeyID(next))
	return nil
}

func printRotation(ctx context.Context, a *accounts.Accounts, e env) error {
	st, err := a.RotationStatus(ctx)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "root key: %s\n", st.Current)
	if !st.Pending {
		_, _ = fmt.Fprintln(e.stdout, "no rotation pending")
		return nil
	}
	_, _ = fmt.Fprintf(e.stdout, "next root key: %s, held by %d gateways:\n", st.Next, len(st.Acks))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "GATEWAY\tHOST\tDATA DIR\tSINCE")
	for _, ack := range st.Acks {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ack.Gateway, ack.Host, ack.DataDir, ack.At.Format("2006-01-02 15:04:05"))
	}
	return tw.Flush()
}

func finishRotation(ctx context.Context, c *config, a *accounts.Accounts, e env) error {
	st, err := a.RotationStatus(ctx)
	if err != nil {
		return err
	}
	next, err := a.FinishRootRotation(ctx)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: the keystore is sealed under root key %s now; %d gateways held it.\n", cryptolayer.RootKeyID(next), len(st.Acks))
	if e.getenv("SEALGATE_ROOT_KEY") != "" {
		_, _ = fmt.Fprintf(e.stdout, "sealgate: this gateway's key comes from SEALGATE_ROOT_KEY: set it to the new key before the next start:\n%x\n", next[:])
	} else {
		_, _ = fmt.Fprintf(e.stdout, "sealgate: %s now holds the new key; the old key is overwritten.\n", c.RootKeyFile)
	}
	_, _ = fmt.Fprintln(e.stdout, "sealgate: gateways whose key comes from SEALGATE_ROOT_KEY keep the new key in their data dir (root.key.next) until their configuration is changed; replace it there, and remove every other copy of the old key (backups of root.key, key exports made before the rotation).")
	return nil
}

// cmdAcceptRestore accepts the keystore an upstream holds after a
// deliberate restore, though gateways verified a newer one.
func cmdAcceptRestore(ctx context.Context, args []string, e env) error {
	f := newFlags("keys accept-restore", e.stderr)
	yes := f.fs.Bool("yes", false, "do it (without it, only say what it would do)")
	_, d, err := openForKeys(ctx, f, args, "keys accept-restore [--yes]", e)
	if err != nil {
		return err
	}
	defer d.Close()
	const what = `keys accept-restore makes the keystore that the upstream holds now the current one,
although gateways verified a newer one (they refuse it as a rollback meanwhile).
Accounts made or changed after the restored copy was saved are lost; accounts
deleted since then come back, with their keys. Run it after restoring the
upstream from a backup on purpose; every gateway accepts the result within a poll.`
	if !*yes {
		_, _ = fmt.Fprintln(e.stdout, what)
		return fmt.Errorf("%w: add --yes to do it", errUsage)
	}
	from, to, err := d.accts.AcceptRestore(ctx)
	if err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: restored keystore version %d.%d accepted as version %d.%d (%d accounts)\n",
		from.Generation, from.Version, to.Generation, to.Version, len(d.accts.List()))
	return nil
}

// openForKeys parses the flags of a keys command that takes no argument
// (else usage), loads the configuration and opens the deployment.
func openForKeys(ctx context.Context, f *commonFlags, args []string, usage string, e env) (*config, *deployment, error) {
	if pos, err := f.parse(args); err != nil || len(pos) != 0 {
		return nil, nil, fmt.Errorf("%w: %s", errUsage, usage)
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return nil, nil, err
	}
	d, err := openDeployment(ctx, c, e, openOpts{})
	if err != nil {
		return nil, nil, err
	}
	return c, d, nil
}
