package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sealgate/sealgate/cryptolayer"
)

const keysUsage = "keys export|import FILE [--passphrase-stdin] [--data-dir DIR]"

// cmdKeys exports the root key and keystore under a passphrase, or imports
// such an export into a fresh data dir.
func cmdKeys(args []string, e env) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return fmt.Errorf("%w: %s", errUsage, keysUsage)
	}
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
		return exportKeys(c, e, pos[0], pass)
	}
	return importKeys(c, e, pos[0], pass)
}

func exportKeys(c *config, e env, file string, pass []byte) error {
	root, err := openDataDir(c, e.getenv)
	if err != nil {
		return err
	}
	ks, err := os.ReadFile(filepath.Join(c.DataDir, "keystore"))
	if err != nil {
		return err
	}
	out, err := cryptolayer.SealExport(pass, cryptolayer.DefaultPasswordParams, root, ks)
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
// no keystore yet: it never overwrites keys. It is all-or-nothing: on a
// failure it removes the files it created, so a retry finds a fresh data dir.
func importKeys(c *config, e env, file string, pass []byte) error {
	ksPath := filepath.Join(c.DataDir, "keystore")
	for _, p := range []string{c.RootKeyFile, ksPath} {
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s exists: import only into a fresh data dir", p)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	root, ks, err := cryptolayer.OpenExport(pass, data)
	if err != nil {
		return err
	}
	if _, err := cryptolayer.OpenKeystore(root, ks); err != nil {
		return fmt.Errorf("the export's keystore does not open with its root key: %w", err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	if err := installKeys(c, e, root, ks); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: keys imported into %s\n", c.DataDir)
	return nil
}

// installKeys writes the root key and the keystore into the data dir and
// initialises the rest of it. On any failure it removes the files it has
// written so far.
func installKeys(c *config, e env, root cryptolayer.Key, ks []byte) (err error) {
	var created []string
	defer func() {
		if err != nil {
			for _, p := range created {
				_ = os.Remove(p)
			}
		}
	}()
	if err = writeRootKey(c.RootKeyFile, root); err != nil {
		return err
	}
	created = append(created, c.RootKeyFile)
	ksPath := filepath.Join(c.DataDir, "keystore")
	if err = writeSecretFile(ksPath, ks); err != nil {
		return fmt.Errorf("keystore: %w", err)
	}
	created = append(created, ksPath)
	_, err = initDataDir(c, e.getenv)
	return err
}
