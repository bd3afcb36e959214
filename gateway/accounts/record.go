package accounts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Verdicts on an upstream record that is not accepted. Rollback and
// Missing let a change go ahead from the newest verified record (it heals
// the upstream); the others refuse changes.
var (
	// ErrRollback: the upstream serves an older record than this gateway
	// verified.
	ErrRollback = errors.New("accounts: upstream keystore is older than one this gateway verified (rollback)")
	// ErrFork: the upstream serves a record claiming a verified version with
	// other contents.
	ErrFork    = errors.New("accounts: upstream keystore forked from the one this gateway verified")
	errMissing = errors.New("accounts: the upstream has no keystore record")
)

// maxRecordBytes bounds a keystore record read (about 300 bytes per account).
const maxRecordBytes = 64 << 20

// snapshot is a published keystore record with its lookup tables. Nothing
// in it changes after publish.
type snapshot struct {
	rec      *cryptolayer.KeystoreRecord
	sealed   []byte          // the record as sealed
	root     cryptolayer.Key // the root key it is sealed under
	byName   map[string]*Account
	byAccess map[string]*Account
	byID     map[[16]byte]*Account
}

func (s *snapshot) header() cryptolayer.KeystoreHeader { return s.rec.Header(s.root) }

// publish makes rec what lookups see.
func (a *Accounts) publish(rec *cryptolayer.KeystoreRecord, sealed []byte, root cryptolayer.Key) {
	s := &snapshot{
		rec: rec, sealed: sealed, root: root,
		byName:   make(map[string]*Account, len(rec.Keystore.Users)),
		byAccess: make(map[string]*Account, len(rec.Keystore.Users)),
		byID:     make(map[[16]byte]*Account, len(rec.Keystore.Users)),
	}
	for _, u := range rec.Keystore.Users {
		acc := newAccount(u)
		s.byName[u.Name], s.byAccess[u.AccessKeyID], s.byID[u.ID] = acc, acc, acc
		if u.Settings != nil {
			for _, k := range u.Settings.S3Keys {
				s.byAccess[k.AccessKeyID] = acc
			}
		}
	}
	a.snap.Store(s)
}

// loadSeen publishes the data dir's newest verified record, if any.
func (a *Accounts) loadSeen() error {
	data, err := a.local.readSeen()
	if err != nil || data == nil {
		return err
	}
	h, err := cryptolayer.ReadKeystoreHeader(data)
	if err != nil {
		return fmt.Errorf("accounts: %s is damaged: %w", a.local.path(seenFile), err)
	}
	key, ok := a.ring.Load().find(h.Root)
	if !ok {
		return fmt.Errorf("%w: %s (the newest keystore this data dir verified) is sealed under root key %s, and this gateway holds %s: "+
			"a wrong root key, or a data dir of another deployment (if the root key was replaced by hand, remove that file: the gateway then trusts the upstream's keystore)",
			ErrForeignRoot, a.local.path(seenFile), h.Root, cryptolayer.RootKeyID(a.cfg.Root))
	}
	rec, err := cryptolayer.OpenKeystoreRecord(key, data)
	if err != nil {
		return fmt.Errorf("accounts: %s: %w", a.local.path(seenFile), err)
	}
	a.publish(rec, data, key)
	return nil
}

// first reads the upstream at Open: it accepts a newer record, creates a
// deployment (Config.Create) or puts the newest verified record back.
func (a *Accounts) first(ctx context.Context) error {
	a.fetchMu.Lock()
	a.healing = a.cfg.Create // a missing record is put back, and says so
	verdict, err := a.fetchLocked(ctx, "")
	a.healing = false
	a.fetchMu.Unlock()
	snap := a.snap.Load()
	switch {
	case err != nil:
		return err
	case errors.Is(verdict, errMissing) && snap != nil && a.cfg.Create:
		return a.heal(ctx, snap)
	case errors.Is(verdict, errMissing) && snap == nil && a.cfg.Create:
		return a.createWith(ctx, &cryptolayer.Keystore{})
	case errors.Is(verdict, errMissing) && snap == nil:
		return ErrNoDeployment
	case verdict != nil && snap == nil:
		return verdict
	}
	return nil // accepted, or refused while a newer verified record serves
}

// heal puts the newest verified record back into an upstream that lost it.
func (a *Accounts) heal(ctx context.Context, snap *snapshot) error {
	info, err := a.cfg.Store.Put(ctx, RecordKey, bytes.NewReader(snap.sealed), int64(len(snap.sealed)), backends.PutOptions{IfAbsent: true})
	if errors.Is(err, backends.ErrPreconditionFailed) {
		a.cfg.Create = false
		return a.first(ctx)
	}
	if err != nil {
		return fmt.Errorf("accounts: restoring the keystore: %w", err)
	}
	a.event(EventHealed, "the upstream had no keystore; put back version %d, the newest this gateway verified", snap.rec.Version)
	a.fetchMu.Lock()
	a.lastETag, a.lastVerdict = info.ETag, nil
	a.fetchMu.Unlock()
	return nil
}

// fetchLocked reads the upstream record unless its ETag is known (knownETag,
// from a Stat; "" reads it anyway), considers it, and returns the verdict
// on the upstream's current record: nil (accepted or already verified), or
// one of the verdict errors. err is a failure to read. The caller holds
// fetchMu.
func (a *Accounts) fetchLocked(ctx context.Context, knownETag string) (verdict, err error) {
	if knownETag != "" && knownETag == a.lastETag {
		return a.lastVerdict, nil
	}
	rc, info, err := a.cfg.Store.Get(ctx, RecordKey, 0, -1)
	if errors.Is(err, backends.ErrNotExist) {
		if a.lastETag != missingETag {
			a.lastETag, a.lastVerdict = missingETag, errMissing
			if a.snap.Load() != nil && !a.healing {
				a.event(EventMissing, "the upstream has no keystore record; serving the newest verified (version %d)", a.snap.Load().rec.Version)
			}
		}
		return errMissing, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: reading the keystore: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(rc, maxRecordBytes+1))
	_ = rc.Close()
	if err != nil {
		return nil, fmt.Errorf("accounts: reading the keystore: %w", err)
	}
	if info.ETag != a.lastETag {
		a.lastETag, a.lastVerdict = info.ETag, a.consider(data, info.ETag)
	}
	return a.lastVerdict, nil
}

// missingETag stands for "no record" in lastETag.
const missingETag = "\x00missing"

// consider checks an upstream record against the newest verified one and
// accepts it if it is newer; otherwise it reports an Event and returns the
// verdict. The caller holds fetchMu.
func (a *Accounts) consider(data []byte, etag string) error {
	h, err := cryptolayer.ReadKeystoreHeader(data)
	if len(data) > maxRecordBytes || err != nil {
		a.event(EventUnreadable, "the upstream keystore is not a keystore record this gateway reads: %v", err)
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	key, ok := a.ring.Load().find(h.Root)
	if !ok {
		a.event(EventForeignRoot, "the upstream keystore is sealed under root key %s; this gateway holds %s", h.Root, cryptolayer.RootKeyID(a.ring.Load().current))
		return fmt.Errorf("%w %s (this gateway holds %s): give this gateway the deployment's root key", ErrForeignRoot, h.Root, cryptolayer.RootKeyID(a.ring.Load().current))
	}
	rec, err := cryptolayer.OpenKeystoreRecord(key, data)
	if err != nil {
		a.event(EventUnreadable, "the upstream keystore failed authentication")
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if verdict := a.compare(h, data); verdict != nil {
		return verdict
	}
	return a.accepted(etag, rec, data, key)
}

// compare refuses a record that is not newer than the newest verified one.
func (a *Accounts) compare(h cryptolayer.KeystoreHeader, data []byte) error {
	snap := a.snap.Load()
	if snap == nil {
		return nil
	}
	seen := snap.header()
	switch {
	case h.Deployment != seen.Deployment:
		a.event(EventOtherDeployment, "the upstream holds the keystore of deployment %x; this gateway belongs to %x", h.Deployment, seen.Deployment)
		return fmt.Errorf("%w: the upstream holds deployment %x, this data dir belongs to %x", ErrOtherDeployment, h.Deployment, seen.Deployment)
	case h.Compare(seen) < 0:
		a.event(EventRollback, "the upstream serves keystore version %d.%d, older than version %d.%d verified here; serving the newest verified",
			h.Generation, h.Version, seen.Generation, seen.Version)
		return ErrRollback
	case h.Compare(seen) == 0 && !bytes.Equal(data, snap.sealed):
		a.event(EventFork, "the upstream serves another keystore claiming version %d.%d, verified here", h.Generation, h.Version)
		return ErrFork
	}
	return nil // newer, or the very record verified here
}

// accepted records a verified record that is newer than the newest seen:
// it is saved in the data dir, published, and acted on (rotation). The
// caller holds fetchMu, or is the sole user (Open).
func (a *Accounts) accepted(etag string, rec *cryptolayer.KeystoreRecord, data []byte, root cryptolayer.Key) error {
	a.lastETag, a.lastVerdict = etag, nil
	if snap := a.snap.Load(); snap != nil && rec.Header(root).Compare(snap.header()) <= 0 {
		return nil
	}
	err := a.local.saveSeen(data)
	a.publish(rec, data, root)
	a.afterAccept(rec, root)
	return err
}
