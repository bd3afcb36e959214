package accounts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Root-key rotation errors.
var (
	// ErrRotationPending: a rotation began and was neither finished nor
	// cancelled.
	ErrRotationPending = errors.New("accounts: a root-key rotation is pending")
	// ErrNoRotation: no rotation is pending.
	ErrNoRotation = errors.New("accounts: no root-key rotation is pending")
)

// ackPrefix holds the gateways' acknowledgements of a pending next root
// key: ackPrefix + <next root id> + "/" + <gateway id>, each a record
// sealed under a key derived from the next root key, so that only a
// gateway that holds it can write one.
const ackPrefix = ".sealgate/rotation/"

// Ack says that one gateway holds the next root key.
type Ack struct {
	Gateway string    `json:"gateway"` // its random id (gateway.id in its data dir)
	Host    string    `json:"host"`
	DataDir string    `json:"data_dir"`
	At      time.Time `json:"at"`
}

// Rotation describes the rotation state of the deployment.
type Rotation struct {
	Current cryptolayer.RootID // the key the keystore is sealed under
	Pending bool
	Next    cryptolayer.RootID // when Pending
	Acks    []Ack              // gateways that hold the next key (this one included)
}

// BeginRootRotation makes a new root key and stores it in the keystore,
// sealed under the current one. This gateway keeps it in its data dir;
// every running gateway learns it within a poll, keeps it the same way and
// acknowledges it (RotationStatus lists them). Nothing is re-sealed yet.
func (a *Accounts) BeginRootRotation(ctx context.Context) (cryptolayer.Key, error) {
	next := cryptolayer.NewKey()
	err := a.modify(ctx, func(r *cryptolayer.KeystoreRecord, _ *cryptolayer.Key) error {
		if r.NextRoot != nil {
			return fmt.Errorf("%w (next root key %s): finish or cancel it", ErrRotationPending, cryptolayer.RootKeyID(*r.NextRoot))
		}
		r.NextRoot = &next
		return nil
	})
	return next, err
}

// FinishRootRotation re-seals the keystore under the pending next root key
// and returns it. Gateways that hold it move to it within a poll and
// destroy the old key where they can (Config.OnRootKey); a gateway that
// does not hold it can no longer read the keystore.
func (a *Accounts) FinishRootRotation(ctx context.Context) (cryptolayer.Key, error) {
	var next cryptolayer.Key
	err := a.modify(ctx, func(r *cryptolayer.KeystoreRecord, seal *cryptolayer.Key) error {
		if r.NextRoot == nil {
			return ErrNoRotation
		}
		next, *seal, r.NextRoot = *r.NextRoot, *r.NextRoot, nil
		return nil
	})
	if err != nil {
		return cryptolayer.Key{}, err
	}
	a.removeAcks(ctx, cryptolayer.RootKeyID(next))
	return next, nil
}

// CancelRootRotation forgets a pending next root key.
func (a *Accounts) CancelRootRotation(ctx context.Context) error {
	var next cryptolayer.RootID
	err := a.modify(ctx, func(r *cryptolayer.KeystoreRecord, _ *cryptolayer.Key) error {
		if r.NextRoot == nil {
			return ErrNoRotation
		}
		next, r.NextRoot = cryptolayer.RootKeyID(*r.NextRoot), nil
		return nil
	})
	if err == nil {
		a.removeAcks(ctx, next)
	}
	return err
}

// RotationStatus reads the upstream and reports the rotation state, with
// the acknowledgements of the next key (ones that do not open under it are
// skipped).
func (a *Accounts) RotationStatus(ctx context.Context) (Rotation, error) {
	if err := a.Refresh(ctx); err != nil {
		return Rotation{}, err
	}
	snap := a.snap.Load()
	st := Rotation{Current: cryptolayer.RootKeyID(snap.root)}
	if snap.rec.NextRoot == nil {
		return st, nil
	}
	next := *snap.rec.NextRoot
	st.Pending, st.Next = true, cryptolayer.RootKeyID(next)
	prefix := ackPrefix + st.Next.String() + "/"
	err := eachKey(ctx, a.cfg.Store, prefix, func(key string) error {
		if ack, ok := a.readAck(ctx, next, key, strings.TrimPrefix(key, prefix)); ok {
			st.Acks = append(st.Acks, ack)
		}
		return nil
	})
	return st, err
}

// afterAccept acts on a newly accepted record: the deployment moved to the
// next root key (promote it), a rotation began (learn and acknowledge the
// next key), or one was cancelled (forget it).
func (a *Accounts) afterAccept(rec *cryptolayer.KeystoreRecord, root cryptolayer.Key) {
	ring := a.ring.Load()
	switch {
	case ring.next != nil && *ring.next == root:
		a.ring.Store(&keyRing{current: root})
		a.promote(root)
	case rec.NextRoot != nil && (ring.next == nil || *ring.next != *rec.NextRoot):
		next := *rec.NextRoot
		a.ring.Store(&keyRing{current: ring.current, next: &next})
		a.learn(next)
	case rec.NextRoot == nil && ring.next != nil:
		a.ring.Store(&keyRing{current: ring.current})
		_ = a.local.removeNext()
	}
}

// promote makes the next key this gateway's root key: Config.OnRootKey
// persists it (and destroys the old one); the data dir's copy goes once it
// is persisted.
func (a *Accounts) promote(root cryptolayer.Key) {
	if a.cfg.OnRootKey != nil {
		if err := a.cfg.OnRootKey(root); err != nil {
			a.event(EventRootPromoted, "the deployment moved to root key %s; it is kept in %s until this gateway's root key is replaced: %v",
				cryptolayer.RootKeyID(root), a.local.path(nextRootFile), err)
			return
		}
	}
	_ = a.local.removeNext()
	a.event(EventRootPromoted, "the deployment moved to root key %s; this gateway uses it now", cryptolayer.RootKeyID(root))
}

// learn keeps a pending next root key in the data dir and acknowledges it.
func (a *Accounts) learn(next cryptolayer.Key) {
	if err := a.local.saveNext(next); err != nil {
		a.event(EventRootLearned, "a root-key rotation began, but the next key could not be kept in the data dir: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.ack(ctx, next)
	a.event(EventRootLearned, "a root-key rotation began: next root key %s kept in %s (acknowledged: %v)",
		cryptolayer.RootKeyID(next), a.local.path(nextRootFile), err == nil)
}

// ack writes this gateway's acknowledgement of next.
func (a *Accounts) ack(ctx context.Context, next cryptolayer.Key) error {
	id, err := a.local.gatewayID()
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	body, err := json.Marshal(Ack{Gateway: id, Host: host, DataDir: a.cfg.DataDir, At: a.now().UTC()})
	if err != nil {
		return err
	}
	rec := cryptolayer.SealRecord(cryptolayer.DeriveRootKey(next, "rotation ack"), "rotation ack\x00"+id, body)
	key := ackPrefix + cryptolayer.RootKeyID(next).String() + "/" + id
	_, err = a.cfg.Store.Put(ctx, key, bytes.NewReader(rec), int64(len(rec)), backends.PutOptions{})
	return err
}

// readAck opens one acknowledgement; ok is false if it does not open.
func (a *Accounts) readAck(ctx context.Context, next cryptolayer.Key, key, id string) (Ack, bool) {
	rc, _, err := a.cfg.Store.Get(ctx, key, 0, -1)
	if err != nil {
		return Ack{}, false
	}
	defer func() { _ = rc.Close() }()
	sealed, err := io.ReadAll(io.LimitReader(rc, 64<<10))
	if err != nil {
		return Ack{}, false
	}
	pt, err := cryptolayer.OpenRecord(cryptolayer.DeriveRootKey(next, "rotation ack"), "rotation ack\x00"+id, sealed)
	var ack Ack
	if err != nil || json.Unmarshal(pt, &ack) != nil || ack.Gateway != id {
		return Ack{}, false
	}
	return ack, true
}

// removeAcks deletes the acknowledgements of one next key, best effort.
func (a *Accounts) removeAcks(ctx context.Context, next cryptolayer.RootID) {
	_ = eachKey(ctx, a.cfg.Store, ackPrefix+next.String()+"/", func(key string) error {
		return a.cfg.Store.Delete(ctx, key)
	})
}

// eachKey calls fn for every upstream key under prefix.
func eachKey(ctx context.Context, s backends.Store, prefix string, fn func(string) error) error {
	token := ""
	for {
		page, err := s.List(ctx, backends.ListOptions{Prefix: prefix, Token: token})
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			if err := fn(o.Key); err != nil {
				return err
			}
		}
		if page.NextToken == "" {
			return nil
		}
		token = page.NextToken
	}
}
