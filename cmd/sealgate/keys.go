package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway/accounts"
)

const keysUsage = "keys export FILE | import FILE | rotate-root [--status|--finish|--cancel] | accept-restore [--yes]"

// cmdKeys runs the key commands: export and import of the root key and
// keystore under a passphrase, root-key rotation, and the acceptance of a
// deliberately restored upstream.
func cmdKeys(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
	switch args[0] {
	case "export", "import":
		return cmdKeysBackup(ctx, args, e)
	case "rotate-root":
		return cmdRotateRoot(ctx, args[1:], e)
	case "accept-restore":
		return cmdAcceptRestore(ctx, args[1:], e)
	}
	return fmt.Errorf("%w: %s", errUsage, keysUsage)
}

func cmdKeysBackup(ctx context.Context, args []string, e env) error {
	f := newFlags("keys "+args[0], e.stderr)
	_ = f.fs.Bool("passphrase-stdin", true, "read the passphrase from the first line of standard input (the only way)")
	pos, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	pass, err := readSecretLine(e.stdin, "passphrase")
	if err != nil {
		return err
	}
	defer clear(pass)
	if args[0] == "export" {
		return exportKeys(ctx, c, e, pos[0], pass)
	}
	return importKeys(ctx, c, e, pos[0], pass)
}

// exportKeys writes the root key and the newest verified keystore record
// (read from the upstream now) under a passphrase.
func exportKeys(ctx context.Context, c *config, e env, file string, pass []byte) error {
	d, err := openDeployment(ctx, c, e, openOpts{})
	if err != nil {
		return err
	}
	defer d.Close()
	root, rec := d.accts.Export()
	out, err := cryptolayer.SealExport(pass, cryptolayer.DefaultPasswordParams, root, rec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: keys exported to %s (keep it and its passphrase apart from the upstream)\n", file)
	return nil
}

// importKeys restores an export into a data dir that has no root key and
// no keystore yet: it never overwrites keys. The keystore goes back into
// an upstream that lost it; an upstream of the same deployment holding a
// newer one keeps it. On a failure it removes the files it created.
func importKeys(ctx context.Context, c *config, e env, file string, pass []byte) (err error) {
	if _, err := os.Stat(c.RootKeyFile); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s exists: import only into a fresh data dir", c.RootKeyFile)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	root, ks, err := cryptolayer.OpenExport(pass, data)
	if err != nil {
		return err
	}
	if err := prepareDataDir(c); err != nil {
		return err
	}
	if err := accounts.Import(c.DataDir, root, ks); err != nil {
		return err
	}
	var d *deployment
	wroteKey := false
	defer func() {
		if err != nil { // leave a fresh data dir for a retry
			if wroteKey {
				_ = os.Remove(c.RootKeyFile)
			}
			accounts.Unimport(c.DataDir)
		}
	}()
	if err = writeRootKey(c.RootKeyFile, root); err != nil {
		return err
	}
	wroteKey = true
	if d, err = openDeployment(ctx, c, e, openOpts{create: true}); err != nil {
		return err
	}
	defer d.Close()
	_, _ = fmt.Fprintf(e.stdout, "sealgate: keys imported into %s; the upstream keystore holds %d accounts\n", c.DataDir, len(d.accts.List()))
	return nil
}
