package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/fsync"
)

// A deployment is every gateway started with the same root key and the
// same upstream; the upstream holds the keystore (gateway/accounts). The
// data dir of one gateway holds only local state, and is disposable:
//
//	root.key        gateway root key (32 bytes, hex, 0600) — unless configured
//	                elsewhere (root_key_file, SEALGATE_ROOT_KEY)
//	keystore.seen   the newest keystore record this gateway verified (its
//	                high-water mark against a rolled-back upstream)
//	root.key.next   the next root key while a rotation is pending
//	keystore.lock   taken while those files change
//	gateway.id      this gateway's random id
//	serve.lock      held by the running server: one serve per data dir
//	store/          the local upstream (fs), unless another is configured
//	first-account.txt  the first account's secrets when serve's output is not a terminal
//	keystore.migrated  a first-release keystore, after it moved into the upstream

// prepareDataDir makes the data dir (0700) and the fs upstream's dir, and
// refuses a data dir others may write to.
func prepareDataDir(c *config) error {
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if fi, err := os.Stat(c.DataDir); err == nil && fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("data dir %s is writable by others (mode %v): chmod 700 it", c.DataDir, fi.Mode().Perm())
	}
	if c.Upstream.Type == "fs" {
		if err := os.MkdirAll(c.Upstream.FS.Dir, 0o700); err != nil {
			return fmt.Errorf("upstream dir: %w", err)
		}
	}
	return nil
}

// rootKey loads the gateway root key. When none is configured (no file, no
// SEALGATE_ROOT_KEY) and create is set, it makes one — unless the
// upstream already holds a deployment, whose root key this gateway must be
// given instead.
func rootKey(ctx context.Context, c *config, getenv func(string) string, store backends.Store, create bool) (cryptolayer.Key, error) {
	key, err := loadRootKey(c, getenv)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, serr := store.Stat(ctx, accounts.RecordKey)
	switch {
	case serr == nil:
		return key, fmt.Errorf("the upstream holds a sealgate deployment, and this gateway has no root key: give it the deployment's root key (%s, root_key_file or SEALGATE_ROOT_KEY)", c.RootKeyFile)
	case !errors.Is(serr, backends.ErrNotExist):
		return key, fmt.Errorf("upstream: %w", serr)
	case !create:
		return key, fmt.Errorf("root key %s is missing and the upstream holds no deployment: run `sealgate init` first", c.RootKeyFile)
	}
	return createRootKey(c.RootKeyFile)
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

// replaceRootKey makes k the root key in the root key file, after a
// root-key rotation: the new key goes to a synced temp file, the old
// file's bytes are overwritten with the new key's (so the old key does not
// stay readable in the file), and the temp file is renamed over it. A key
// from SEALGATE_ROOT_KEY cannot be rewritten: that is an error naming what
// to do (the new key stays in the data dir's root.key.next meanwhile).
func replaceRootKey(c *config, getenv func(string) string, k cryptolayer.Key) error {
	if getenv("SEALGATE_ROOT_KEY") != "" {
		return fmt.Errorf("the root key comes from SEALGATE_ROOT_KEY: set it to the new key, kept in %s, before this gateway restarts",
			filepath.Join(c.DataDir, "root.key.next"))
	}
	text := []byte(hex.EncodeToString(k[:]) + "\n")
	tmp := c.RootKeyFile + ".new"
	_ = os.Remove(tmp)
	if err := writeSecretFile(tmp, text); err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	if err := overwriteFile(c.RootKeyFile, text); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("root key: %w", err)
	}
	if err := os.Rename(tmp, c.RootKeyFile); err != nil {
		return fmt.Errorf("root key: %w", err)
	}
	return fsync.Dir(filepath.Dir(c.RootKeyFile))
}

// overwriteFile writes b over the start of an existing file, in place, and
// syncs it (it never follows a symlink).
func overwriteFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(b, 0)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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
