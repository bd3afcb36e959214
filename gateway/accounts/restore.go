package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// AcceptRestore makes the keystore record the upstream holds now the
// current one, although this gateway (or another) verified a newer one:
// for an upstream deliberately restored from a backup. The record must
// open under a root key this gateway holds and belong to its deployment.
// It is written again with the generation raised above every generation
// seen here, so every gateway accepts it (a higher generation wins over
// any version); accounts made or changed after it was saved are lost, and
// accounts deleted since then come back. It returns the restored record's
// header and the new one.
func (a *Accounts) AcceptRestore(ctx context.Context) (from, to cryptolayer.KeystoreHeader, err error) {
	rc, info, err := a.cfg.Store.Get(ctx, RecordKey, 0, -1)
	if err != nil {
		return from, to, fmt.Errorf("accounts: reading the keystore to restore: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxRecordBytes+1))
	_ = rc.Close()
	if err != nil {
		return from, to, fmt.Errorf("accounts: reading the keystore to restore: %w", err)
	}
	rec, key, err := a.openAny(data)
	if err != nil {
		return from, to, err
	}
	from = rec.Header(key)
	next := rec.Clone()
	next.Generation, next.Version = from.Generation+1, from.Version+1
	if snap := a.snap.Load(); snap != nil {
		if rec.Deployment != snap.rec.Deployment {
			return from, to, fmt.Errorf("%w: the upstream holds deployment %x, this data dir belongs to %x", ErrOtherDeployment, rec.Deployment, snap.rec.Deployment)
		}
		next.Generation = max(next.Generation, snap.rec.Generation+1)
	}
	if err := a.put(ctx, info.ETag, next, key); err != nil {
		if errors.Is(err, backends.ErrPreconditionFailed) {
			err = fmt.Errorf("the upstream keystore changed while restoring; run the command again: %w", err)
		}
		return from, to, err
	}
	return from, next.Header(key), nil
}

// openAny opens a record under whichever held root key it names.
func (a *Accounts) openAny(data []byte) (*cryptolayer.KeystoreRecord, cryptolayer.Key, error) {
	h, err := cryptolayer.ReadKeystoreHeader(data)
	if err != nil {
		return nil, cryptolayer.Key{}, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	key, ok := a.ring.Load().find(h.Root)
	if !ok {
		return nil, key, fmt.Errorf("%w %s (this gateway holds %s)", ErrForeignRoot, h.Root, cryptolayer.RootKeyID(a.ring.Load().current))
	}
	rec, err := cryptolayer.OpenKeystoreRecord(key, data)
	if err != nil {
		return nil, key, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	return rec, key, nil
}
