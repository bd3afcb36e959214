package accounts

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// RecordKey is the upstream key of the keystore record.
const RecordKey = ".sealgate/keystore"

// Errors of this package, besides gateway's ErrNoSuchUser, ErrUserExists,
// ErrAccessDenied and ErrSlowDown.
var (
	// ErrNoDeployment: the upstream holds no keystore and this data dir has
	// seen none; `sealgate init` makes one.
	ErrNoDeployment = errors.New("accounts: no sealgate deployment in the upstream")
	// ErrForeignRoot: the keystore is sealed under a root key this gateway
	// does not hold.
	ErrForeignRoot = errors.New("accounts: keystore sealed under another root key")
	// ErrOtherDeployment: the upstream and this data dir belong to different
	// deployments.
	ErrOtherDeployment = errors.New("accounts: another deployment")
	// ErrUnreadable: the upstream keystore fails authentication or is not one.
	ErrUnreadable = errors.New("accounts: upstream keystore unreadable")
	// ErrContention: a change lost the compare-and-swap too many times.
	ErrContention = errors.New("accounts: keystore changed concurrently too often")
	// ErrInvalidUserName: not 1–64 of a-z 0-9 . _ @ -, starting with a
	// letter or digit.
	ErrInvalidUserName = errors.New("accounts: invalid user name")
	// ErrInvalidPassword: empty or too long.
	ErrInvalidPassword = errors.New("accounts: invalid password")
	// ErrClosed: the Accounts was closed.
	ErrClosed = errors.New("accounts: closed")
)

// Config configures Open.
type Config struct {
	Store   backends.Store  // the deployment's upstream
	DataDir string          // this gateway's local state (created 0700 if missing)
	Root    cryptolayer.Key // the gateway root key as configured
	// Create makes a new deployment (an empty keystore) when the upstream
	// has none and this data dir has seen none (`init`, `serve`).
	Create bool
	// PasswordParams is the Argon2id cost of new verifiers (and of the dummy
	// verifier run for unknown users); zero: cryptolayer.DefaultPasswordParams.
	PasswordParams cryptolayer.PasswordParams
	// PollInterval is how often a Stat looks for changes made elsewhere
	// (default 1 s; negative: never, for commands that run once).
	PollInterval time.Duration
	// OnEvent, if set, hears of refused records and root-key changes (for
	// logs and metrics). It is called synchronously; it must not block.
	OnEvent func(Event)
	// OnRootKey, if set, is called when the deployment moved to a new root
	// key that this gateway holds: it should make it the configured root
	// key and destroy the old one (cmd rewrites its root key file). An
	// error leaves the new key in the data dir ("root.key.next"), where
	// Open finds it.
	OnRootKey func(cryptolayer.Key) error
	// Now (nil: time.Now) dates login cache entries and failures.
	Now func() time.Time
}

// EventKind names an Event.
type EventKind string

// Event kinds. The first five are integrity failures.
const (
	EventRollback        EventKind = "keystore_rollback"         // an older record than this gateway verified
	EventFork            EventKind = "keystore_fork"             // another record claiming a verified version
	EventForeignRoot     EventKind = "keystore_foreign_root"     // sealed under a root key not held here
	EventOtherDeployment EventKind = "keystore_other_deployment" // a record of another deployment
	EventUnreadable      EventKind = "keystore_unreadable"       // fails authentication or format
	EventMissing         EventKind = "keystore_missing"          // the upstream has no record any more
	EventRootLearned     EventKind = "root_key_learned"          // a rotation began: the next key is kept
	EventRootPromoted    EventKind = "root_key_promoted"         // the deployment moved to the next key
	EventMigrated        EventKind = "keystore_migrated"         // a first-release keystore file moved upstream
	EventHealed          EventKind = "keystore_healed"           // the newest verified record was put back
)

// Event reports something the operator should hear of. Msg is one line
// without any secret.
type Event struct {
	Kind      EventKind
	Integrity bool // counts as an integrity failure
	Msg       string
}

// Accounts is the keystore as this gateway sees it, and the authentication
// of requests against it. It is safe for concurrent use; several processes
// (a server and the CLI) may use one data dir at once.
type Accounts struct {
	cfg    Config
	params cryptolayer.PasswordParams
	now    func() time.Time
	sleep  func(time.Duration) // throttle and retry delays; tests replace it
	local  *localState

	snap atomic.Pointer[snapshot]
	ring atomic.Pointer[keyRing]

	fetchMu     sync.Mutex // serialises reading the upstream and publishing
	lastETag    string     // the upstream ETag last considered (under fetchMu)
	lastVerdict error      // on that record: nil, or why it was refused (under fetchMu)
	lastMiss    time.Time  // when a lookup miss last read the upstream (under fetchMu)
	healing     bool       // Open with Create: a missing record is healed, not reported (under fetchMu)

	closed atomic.Bool
	stop   context.CancelFunc
	done   chan struct{}
	login  *loginGuard
}

// Open opens the deployment's keystore: it loads this data dir's state,
// moves a first-release keystore file into the upstream (Migrate), reads
// the upstream record and starts polling it. A missing deployment is
// ErrNoDeployment (or a new one with Config.Create); a record under a root
// key this gateway lacks, ErrForeignRoot — unless this data dir holds a
// newer verified record, from which it then serves.
func Open(ctx context.Context, cfg Config) (*Accounts, error) {
	a, err := newAccounts(cfg)
	if err != nil {
		return nil, err
	}
	if err := a.start(ctx); err != nil {
		return nil, err
	}
	if cfg.PollInterval >= 0 {
		a.startPolling()
	}
	return a, nil
}

func newAccounts(cfg Config) (*Accounts, error) {
	a := &Accounts{cfg: cfg, params: cfg.PasswordParams, now: cfg.Now, sleep: time.Sleep}
	if a.params == (cryptolayer.PasswordParams{}) {
		a.params = cryptolayer.DefaultPasswordParams
	}
	if err := a.params.Validate(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.cfg.PollInterval == 0 {
		a.cfg.PollInterval = time.Second
	}
	local, err := openLocal(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	a.local = local
	a.login = newLoginGuard(a.params, runtime.NumCPU())
	return a, nil
}

// start loads the local state, migrates, and reads the upstream.
func (a *Accounts) start(ctx context.Context) error {
	ring, err := a.local.loadRing(a.cfg.Root)
	if err != nil {
		return err
	}
	a.ring.Store(ring)
	if err := a.loadSeen(); err != nil {
		return err
	}
	if err := a.migrate(ctx); err != nil {
		return err
	}
	if err := a.first(ctx); err != nil {
		return err
	}
	if snap := a.snap.Load(); snap != nil && ring.next != nil && snap.root == *ring.next {
		a.ring.Store(&keyRing{current: snap.root}) // the rotation finished while this gateway was down
		a.promote(snap.root)
	}
	return nil
}

// Close stops polling and forgets cached logins. Afterwards lookups fail
// (ErrNoSuchUser, ErrAccessDenied) and changes return ErrClosed.
func (a *Accounts) Close() error {
	if a.closed.Swap(true) {
		return nil
	}
	if a.stop != nil {
		a.stop()
		<-a.done
	}
	a.login.reset()
	return nil
}

// event reports e to Config.OnEvent.
func (a *Accounts) event(kind EventKind, format string, args ...any) {
	if a.cfg.OnEvent == nil {
		return
	}
	integrity := false
	switch kind {
	case EventRollback, EventFork, EventForeignRoot, EventOtherDeployment, EventUnreadable, EventMissing:
		integrity = true
	}
	a.cfg.OnEvent(Event{Kind: kind, Integrity: integrity, Msg: fmt.Sprintf(format, args...)})
}

// mapKeystoreErr turns cryptolayer's keystore errors into the gateway's.
func mapKeystoreErr(err error) error {
	switch {
	case errors.Is(err, cryptolayer.ErrNoSuchUser):
		return fmt.Errorf("%w: %w", gateway.ErrNoSuchUser, err)
	case errors.Is(err, cryptolayer.ErrUserExists):
		return fmt.Errorf("%w: %w", gateway.ErrUserExists, err)
	case errors.Is(err, cryptolayer.ErrInvalidUser):
		return fmt.Errorf("%w: %w", ErrInvalidUserName, err)
	case errors.Is(err, cryptolayer.ErrInvalidPassword):
		return fmt.Errorf("%w: %w", ErrInvalidPassword, err)
	}
	return err
}
