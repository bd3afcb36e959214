package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// The data dir holds the gateway's local, trusted state:
//
//	root.key        gateway root key (32 bytes, hex, 0600) — unless configured elsewhere
//	keystore        accounts and their keys, sealed under the root key (gateway.Accounts)
//	keystore.lock   taken while the keystore changes
//	serve.lock      held by the running server: one serve per data dir
//	store/          the local upstream (fs), unless another is configured
//	first-account.txt  the first account's secrets when serve's output is not a terminal

// errNoDataDir: the data dir was never initialised.
var errNoDataDir = errors.New("no sealgate data dir")

// initDataDir creates the data dir, a root key and an empty keystore if
// they do not exist. It never overwrites a key or a keystore.
func initDataDir(c *config, getenv func(string) string) (cryptolayer.Key, error) {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return cryptolayer.Key{}, fmt.Errorf("data dir: %w", err)
	}
	if fi, err := os.Stat(c.DataDir); err == nil && fi.Mode().Perm()&0o022 != 0 {
		return cryptolayer.Key{}, fmt.Errorf("data dir %s is writable by others (mode %v): chmod 700 it", c.DataDir, fi.Mode().Perm())
	}
	key, err := loadRootKey(c, getenv)
	if errors.Is(err, fs.ErrNotExist) && getenv("SEALGATE_ROOT_KEY") == "" {
		key, err = createRootKey(c.RootKeyFile)
	}
	if err != nil {
		return cryptolayer.Key{}, err
	}
	if err := gateway.InitAccounts(c.DataDir, key); err != nil {
		return cryptolayer.Key{}, err
	}
	if c.Upstream.Type == "fs" {
		if err := os.MkdirAll(c.Upstream.FS.Dir, 0o700); err != nil {
			return cryptolayer.Key{}, fmt.Errorf("upstream dir: %w", err)
		}
	}
	return key, nil
}

// openDataDir loads the root key of an initialised data dir.
func openDataDir(c *config, getenv func(string) string) (cryptolayer.Key, error) {
	if _, err := os.Stat(filepath.Join(c.DataDir, "keystore")); errors.Is(err, fs.ErrNotExist) {
		return cryptolayer.Key{}, fmt.Errorf("%w at %s: run `sealgate init --data-dir %s` first", errNoDataDir, c.DataDir, c.DataDir)
	}
	key, err := loadRootKey(c, getenv)
	if errors.Is(err, fs.ErrNotExist) {
		return cryptolayer.Key{}, fmt.Errorf("root key %s is missing: without it the keystore cannot be opened (restore it, or import a key export)", c.RootKeyFile)
	}
	return key, err
}

// loadRootKey reads the root key from SEALGATE_ROOT_KEY (hex) or the file.
func loadRootKey(c *config, getenv func(string) string) (cryptolayer.Key, error) {
	if v := getenv("SEALGATE_ROOT_KEY"); v != "" {
		return parseRootKey([]byte(v), "SEALGATE_ROOT_KEY")
	}
	fi, err := os.Stat(c.RootKeyFile)
	if err != nil {
		return cryptolayer.Key{}, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return cryptolayer.Key{}, fmt.Errorf("root key %s is readable by others (mode %v): chmod 600 it", c.RootKeyFile, fi.Mode().Perm())
	}
	data, err := os.ReadFile(c.RootKeyFile)
	if err != nil {
		return cryptolayer.Key{}, err
	}
	return parseRootKey(data, c.RootKeyFile)
}

func parseRootKey(data []byte, where string) (cryptolayer.Key, error) {
	var k cryptolayer.Key
	raw, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(raw) != len(k) {
		return k, fmt.Errorf("root key %s: want %d bytes in hex", where, len(k))
	}
	copy(k[:], raw)
	clear(raw)
	return k, nil
}

func createRootKey(path string) (cryptolayer.Key, error) {
	k := cryptolayer.NewKey()
	return k, writeRootKey(path, k)
}

// writeRootKey writes a new root key file (0600); it never overwrites one
// and leaves nothing behind on failure.
func writeRootKey(path string, k cryptolayer.Key) error {
	if err := writeSecretFile(path, []byte(hex.EncodeToString(k[:])+"\n")); err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	return nil
}

// lockServe takes the data dir's serve lock: a second serve on the same
// data dir fails fast. The lock lives as long as the returned file.
func lockServe(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "serve.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another sealgate serve", dir)
	}
	return f, nil
}
