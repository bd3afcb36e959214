package accounts

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/internal/fsync"
)

// Files of the data dir that this package keeps (local trusted state):
//
//	keystore.seen     the newest keystore record this gateway verified
//	keystore.lock     taken while the files here change
//	root.key.next     the next root key during a rotation (hex, 0600)
//	gateway.id        this gateway's random id (names its rotation acks)
//	keystore          a first-release keystore, until Migrate moves it
//	keystore.migrated the first-release keystore after the move
const (
	seenFile     = "keystore.seen"
	lockFile     = "keystore.lock"
	nextRootFile = "root.key.next"
	idFile       = "gateway.id"
	legacyFile   = "keystore"
	migratedFile = "keystore.migrated"
	tempPrefix   = "keystore.tmp-"
)

// localState is the data dir.
type localState struct{ dir string }

func openLocal(dir string) (*localState, error) {
	if dir == "" {
		return nil, errors.New("accounts: no data dir")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("accounts: data dir: %w", err)
	}
	l := &localState{dir: dir}
	unlock, err := l.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	return l, l.removeTemps()
}

func (l *localState) path(name string) string { return filepath.Join(l.dir, name) }

// lock takes the data dir's exclusive file lock (blocking) and returns its
// release. flock locks belong to the open file, so two goroutines of one
// process exclude each other too.
func (l *localState) lock() (func(), error) {
	f, err := os.OpenFile(l.path(lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("accounts: data dir lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("accounts: data dir lock: %w", err)
	}
	return func() { _ = f.Close() }, nil // closing releases the lock
}

// readSeen returns the newest verified record, nil if there is none.
func (l *localState) readSeen() ([]byte, error) {
	data, err := os.ReadFile(l.path(seenFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return data, nil
}

// saveSeen records data (a verified record) as the newest seen, unless the
// file already holds one at least as new (another process of this data dir
// got further).
func (l *localState) saveSeen(data []byte) error {
	h, err := cryptolayer.ReadKeystoreHeader(data)
	if err != nil {
		return err
	}
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	old, err := l.readSeen()
	if err != nil {
		return err
	}
	if oh, err := cryptolayer.ReadKeystoreHeader(old); err == nil && oh.Deployment == h.Deployment && oh.Compare(h) >= 0 {
		return nil
	}
	return l.writeFile(seenFile, data)
}

// writeFile replaces name atomically: a 0600 temp file, fsync, rename,
// fsync of the dir.
func (l *localState) writeFile(name string, data []byte) error {
	f, err := os.CreateTemp(l.dir, tempPrefix+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), l.path(name))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("accounts: %s: %w", name, err)
	}
	return fsync.Dir(l.dir)
}

// removeTemps deletes temp files a crashed write left (they may hold key
// material). The caller holds the lock.
func (l *localState) removeTemps() error {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return fmt.Errorf("accounts: data dir: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			if err := os.Remove(l.path(e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("accounts: removing a temp file: %w", err)
			}
		}
	}
	return nil
}

// keyRing is the root keys this gateway holds: the configured one and,
// during a rotation, the next.
type keyRing struct {
	current cryptolayer.Key
	next    *cryptolayer.Key
}

// find returns the key with this id.
func (r *keyRing) find(id cryptolayer.RootID) (cryptolayer.Key, bool) {
	if cryptolayer.RootKeyID(r.current) == id {
		return r.current, true
	}
	if r.next != nil && cryptolayer.RootKeyID(*r.next) == id {
		return *r.next, true
	}
	return cryptolayer.Key{}, false
}

// loadRing returns root and the next key kept in the data dir, if any.
func (l *localState) loadRing(root cryptolayer.Key) (*keyRing, error) {
	r := &keyRing{current: root}
	data, err := os.ReadFile(l.path(nextRootFile))
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	raw, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(raw) != cryptolayer.KeySize {
		return nil, fmt.Errorf("accounts: %s: want %d bytes in hex", l.path(nextRootFile), cryptolayer.KeySize)
	}
	next := cryptolayer.Key(raw)
	clear(raw)
	if next != root {
		r.next = &next
	}
	return r, nil
}

// saveNext keeps the next root key in the data dir (0600).
func (l *localState) saveNext(k cryptolayer.Key) error {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return l.writeFile(nextRootFile, []byte(hex.EncodeToString(k[:])+"\n"))
}

// removeNext deletes the next root key file (its key is now the root key,
// or the rotation was cancelled).
func (l *localState) removeNext() error {
	err := os.Remove(l.path(nextRootFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("accounts: %w", err)
	}
	return nil
}

// gatewayID returns this data dir's random id, made on first use.
func (l *localState) gatewayID() (string, error) {
	unlock, err := l.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	data, err := os.ReadFile(l.path(idFile))
	if id := strings.TrimSpace(string(data)); err == nil && len(id) == 16 {
		return id, nil
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return id, l.writeFile(idFile, []byte(id+"\n"))
}
