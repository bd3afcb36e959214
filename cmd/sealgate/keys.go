package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
	pass, err := readLine(e)
	if err != nil {
		return err
	}
	defer clear(pass)
	if args[0] == "export" {
		return exportKeys(c, e, pos[0], pass)
	}
	return importKeys(c, e, pos[0], pass)
}

func readLine(e env) ([]byte, error) {
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return nil, fmt.Errorf("no passphrase on standard input (%v)", err)
	}
	return []byte(line), nil
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
// no keystore yet: it never overwrites keys.
func importKeys(c *config, e env, file string, pass []byte) error {
	for _, p := range []string{c.RootKeyFile, filepath.Join(c.DataDir, "keystore")} {
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
	if err := writeRootKey(c.RootKeyFile, root); err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(c.DataDir, "keystore"), ks); err != nil {
		return err
	}
	if _, err := initDataDir(c, e.getenv); err != nil {
		return err
	}
	_, _ = fmt.Fprintf(e.stdout, "sealgate: keys imported into %s\n", c.DataDir)
	return nil
}

func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
