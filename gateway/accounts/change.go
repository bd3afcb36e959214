package accounts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Compare-and-swap retries: a lost race waits a random time up to a bound
// that doubles from retryBase to retryMax, for at most maxAttempts tries
// (eight gateways changing one keystore at once all land well within it).
const (
	maxAttempts = 40
	retryBase   = 5 * time.Millisecond
	retryMax    = 250 * time.Millisecond
)

// changeFunc changes a copy of the newest record. seal is the root key the
// new version will be sealed under (a rotation's finish replaces it).
type changeFunc func(r *cryptolayer.KeystoreRecord, seal *cryptolayer.Key) error

// update applies change to the keystore's accounts.
func (a *Accounts) update(ctx context.Context, change func(ks *cryptolayer.Keystore) error) error {
	return a.modify(ctx, func(r *cryptolayer.KeystoreRecord, _ *cryptolayer.Key) error { return change(r.Keystore) })
}

// modify is one compare-and-swap change of the keystore record: change a
// copy of the newest verified record, seal it with the version raised by
// one, and put it only if the upstream still holds the record it was
// compared with. On a lost race it reads again and retries. An upstream
// that serves an older record (or none) is overwritten from the newest
// verified one; a record this gateway cannot verify is not.
func (a *Accounts) modify(ctx context.Context, change changeFunc) error {
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if a.closed.Load() {
			return ErrClosed
		}
		etag, snap, err := a.base(ctx)
		if err != nil {
			return err
		}
		next, seal := snap.rec.Clone(), snap.root
		if err := change(next, &seal); err != nil {
			return mapKeystoreErr(err)
		}
		next.Version = snap.rec.Version + 1
		err = a.put(ctx, etag, next, seal)
		if !errors.Is(err, backends.ErrPreconditionFailed) {
			return err
		}
		a.sleep(backoff(attempt))
	}
	return ErrContention
}

// base reads the upstream (one Stat, and a Get if it changed) and returns
// the condition for the next put (the upstream's ETag, "" when it has no
// record) and the newest verified snapshot to change.
func (a *Accounts) base(ctx context.Context) (string, *snapshot, error) {
	info, err := a.cfg.Store.Stat(ctx, RecordKey)
	if err != nil && !errors.Is(err, backends.ErrNotExist) {
		return "", nil, fmt.Errorf("accounts: reading the keystore: %w", err)
	}
	a.fetchMu.Lock()
	verdict, err := a.fetchLocked(ctx, info.ETag)
	etag := a.lastETag
	a.fetchMu.Unlock()
	switch {
	case err != nil:
		return "", nil, err
	case verdict != nil && !errors.Is(verdict, ErrRollback) && !errors.Is(verdict, errMissing):
		return "", nil, fmt.Errorf("no change made: %w", verdict)
	case etag == missingETag:
		etag = ""
	}
	snap := a.snap.Load()
	if snap == nil {
		return "", nil, ErrNoDeployment
	}
	return etag, snap, nil
}

// put seals next under seal and stores it if the upstream record is still
// etag ("": still absent); then next is the newest verified record.
func (a *Accounts) put(ctx context.Context, etag string, next *cryptolayer.KeystoreRecord, seal cryptolayer.Key) error {
	data, err := cryptolayer.SealKeystoreRecord(seal, next)
	if err != nil {
		return err
	}
	cond := backends.PutOptions{IfMatch: etag, IfAbsent: etag == ""}
	info, err := a.cfg.Store.Put(ctx, RecordKey, bytes.NewReader(data), int64(len(data)), cond)
	if err != nil {
		return fmt.Errorf("accounts: writing the keystore: %w", err)
	}
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	return a.accepted(info.ETag, next, data, seal)
}

// backoff is the random wait after the attempt-th lost race.
func backoff(attempt int) time.Duration {
	bound := min(retryBase<<min(attempt, 10), retryMax)
	return time.Duration(rand.Int64N(int64(bound))) + time.Millisecond
}

// Polling: minForced bounds how often a lookup miss reads the upstream.
const minForced = 200 * time.Millisecond

// startPolling runs the poll loop until Close.
func (a *Accounts) startPolling() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stop, a.done = cancel, make(chan struct{})
	go func() {
		defer close(a.done)
		t := time.NewTicker(a.cfg.PollInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				a.poll(ctx)
			}
		}
	}()
}

// poll looks for a change made elsewhere: one Stat, and a Get when the
// upstream ETag changed. Failures leave the snapshot as it is (the next
// poll tries again); refused records are reported once each.
func (a *Accounts) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := a.cfg.Store.Stat(ctx, RecordKey)
	if err != nil && !errors.Is(err, backends.ErrNotExist) {
		return
	}
	if errors.Is(err, backends.ErrNotExist) {
		info.ETag = missingETag
	}
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	if info.ETag != a.lastETag {
		_, _ = a.fetchLocked(ctx, "")
	}
}

// refreshMiss reads the upstream at once after a lookup missed (an account
// made through another gateway a moment ago), at most every minForced.
func (a *Accounts) refreshMiss() {
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	if time.Since(a.lastMiss) < minForced {
		return
	}
	a.lastMiss = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = a.fetchLocked(ctx, "")
}

// Refresh reads the upstream now (one Stat, and a Get if it changed), so
// that a change made through another gateway is seen at once; the
// gateway calls it when an object names a key epoch a snapshot lacks.
func (a *Accounts) Refresh(ctx context.Context) error {
	info, err := a.cfg.Store.Stat(ctx, RecordKey)
	if err != nil && !errors.Is(err, backends.ErrNotExist) {
		return fmt.Errorf("accounts: reading the keystore: %w", err)
	}
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	_, err = a.fetchLocked(ctx, info.ETag)
	return err
}
