package accounts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ErrMigrationConflict is returned when a first-release keystore holds an
// account whose name or access key another account of the upstream
// keystore has.
var ErrMigrationConflict = errors.New("accounts: first-release accounts conflict with the upstream's")

// migrate moves a first-release keystore (the file "keystore" in the data
// dir, format v1, sealed under the same root key) into the upstream: into
// a new deployment if the upstream has none, else merged into the
// deployment's keystore (accounts already there, by id, are left as the
// upstream has them). An account whose name or access key id is taken by
// another account is a conflict: nothing is written and the file stays.
// After the move the file is kept as "keystore.migrated".
func (a *Accounts) migrate(ctx context.Context) error {
	path := a.local.path(legacyFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	ks, err := cryptolayer.OpenKeystore(a.cfg.Root, data)
	if err != nil {
		return fmt.Errorf("accounts: the first-release keystore %s does not open with this root key: %w", path, err)
	}
	a.fetchMu.Lock()
	verdict, err := a.fetchLocked(ctx, "")
	a.fetchMu.Unlock()
	switch {
	case err != nil:
		return err
	case errors.Is(verdict, errMissing) && a.snap.Load() == nil:
		err = a.createWith(ctx, ks)
	default:
		err = a.update(ctx, func(up *cryptolayer.Keystore) error { return mergeLegacy(up, ks) })
	}
	if err != nil {
		return fmt.Errorf("accounts: moving %s into the upstream: %w", path, err)
	}
	dst := a.local.path(migratedFile)
	if _, err := os.Stat(dst); err == nil {
		dst += "." + time.Now().UTC().Format("20060102T150405Z")
	}
	if err := os.Rename(path, dst); err != nil {
		return fmt.Errorf("accounts: keystore moved into the upstream, but %s stays: %w", path, err)
	}
	a.event(EventMigrated, "the keystore file of this data dir (%d accounts) moved into the upstream; the file is kept as %s", len(ks.Users), dst)
	return nil
}

// createWith makes a new deployment holding ks, put only if absent; if
// another gateway made one meanwhile, ks is merged into that one.
func (a *Accounts) createWith(ctx context.Context, ks *cryptolayer.Keystore) error {
	rec := &cryptolayer.KeystoreRecord{Deployment: cryptolayer.NewDeploymentID(), Version: 1, Keystore: ks}
	root := a.ring.Load().current
	data, err := cryptolayer.SealKeystoreRecord(root, rec)
	if err != nil {
		return err
	}
	info, err := a.cfg.Store.Put(ctx, RecordKey, bytes.NewReader(data), int64(len(data)), backends.PutOptions{IfAbsent: true})
	if errors.Is(err, backends.ErrPreconditionFailed) {
		if err := a.Refresh(ctx); err != nil {
			return err
		}
		if a.snap.Load() == nil {
			a.fetchMu.Lock()
			defer a.fetchMu.Unlock()
			return a.lastVerdict
		}
		return a.update(ctx, func(up *cryptolayer.Keystore) error { return mergeLegacy(up, ks) })
	}
	if err != nil {
		return fmt.Errorf("accounts: creating the keystore: %w", err)
	}
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	return a.accepted(info.ETag, rec, data, root)
}

// mergeLegacy adds the accounts of legacy that up lacks.
func mergeLegacy(up, legacy *cryptolayer.Keystore) error {
	var conflicts []string
	for _, u := range legacy.Users {
		if _, err := up.UserByID(u.ID); err == nil {
			continue // the same account: the upstream's record stands
		}
		_, nameErr := up.User(u.Name)
		_, keyErr := up.UserByAccessKey(u.AccessKeyID)
		if nameErr == nil || keyErr == nil {
			conflicts = append(conflicts, u.Name)
			continue
		}
		c := *u
		if err := up.Insert(&c); err != nil {
			return err
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%w: %s (name or access key id in use by another account; delete or rename one side, then start again)",
			ErrMigrationConflict, strings.Join(conflicts, ", "))
	}
	return nil
}
