package gateway

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sealgate/sealgate/cryptolayer"
)

// keystoreHeader is the length of the file's magic, version and random
// nonce: new on every write, so it tells two versions of the file apart.
const keystoreHeader = 4 + 1 + 12

// fileIdent identifies one version of the keystore file cheaply.
type fileIdent struct {
	dev, ino uint64
	size     int64
	mtime    int64 // unix nanoseconds
	header   [keystoreHeader]byte
}

// snapshot is a published keystore with its lookup tables. Nothing in it
// changes after publish.
type snapshot struct {
	ks       *cryptolayer.Keystore
	ident    fileIdent
	byName   map[string]*Account
	byAccess map[string]*Account
}

// publish makes ks, read from or written to the file version id, what
// readers see. ks must not change afterwards.
func (a *Accounts) publish(ks *cryptolayer.Keystore, id fileIdent) {
	s := &snapshot{
		ks: ks, ident: id,
		byName:   make(map[string]*Account, len(ks.Users)),
		byAccess: make(map[string]*Account, len(ks.Users)),
	}
	for _, u := range ks.Users {
		acc := newAccount(u)
		s.byName[u.Name], s.byAccess[u.AccessKeyID] = acc, acc
	}
	a.snap.Store(s)
}

// refresh re-reads the file if it changed since the snapshot, so a change
// made by another process (the CLI) applies to the very next request. The
// check is a lock-free stat compared with the snapshot's inode, size and
// mtime (every write renames a new file into place, so the inode changes);
// only a changed file takes the lock and is read. A file that cannot be
// read or opened leaves the snapshot as it is (no lookup fails because of a
// damaged file; the next change under the lock reports the error).
func (a *Accounts) refresh(force bool) {
	if !force && a.unchanged() {
		return
	}
	a.refreshMu.Lock()
	defer a.refreshMu.Unlock()
	f, id, err := a.openFile()
	if err != nil {
		return
	}
	defer func() { _ = f.Close() }()
	if id == a.snap.Load().ident {
		return
	}
	if ks, err := a.parse(f); err == nil {
		a.publish(ks, id)
	}
}

// unchanged reports, without locking, whether the keystore file is still
// the one the snapshot was read from.
func (a *Accounts) unchanged() bool {
	fi, err := os.Stat(filepath.Join(a.dir, keystoreFile))
	if err != nil {
		return false
	}
	id := a.snap.Load().ident
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && uint64(st.Dev) == id.dev && st.Ino == id.ino && fi.Size() == id.size && fi.ModTime().UnixNano() == id.mtime
}

// current returns the current snapshot after a refresh check.
func (a *Accounts) current() *snapshot {
	a.refresh(false)
	return a.snap.Load()
}

// openFile opens the keystore and reads its identity; the file offset is
// then at 0.
func (a *Accounts) openFile() (*os.File, fileIdent, error) {
	f, err := os.Open(filepath.Join(a.dir, keystoreFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fileIdent{}, a.noKeystore()
	}
	if err != nil {
		return nil, fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	id, err := identOf(f)
	if err != nil {
		_ = f.Close()
		return nil, fileIdent{}, err
	}
	return f, id, nil
}

// identOf reads the identity of an open file: its inode, size, mtime and
// header. The offset is left at 0.
func identOf(f *os.File) (fileIdent, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	id := fileIdent{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.dev, id.ino = uint64(st.Dev), st.Ino
	}
	if _, err := f.ReadAt(id.header[:], 0); err != nil && !errors.Is(err, io.EOF) {
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	return id, nil
}

// readFile reads and opens the keystore: a fresh value the caller owns.
func (a *Accounts) readFile() (*cryptolayer.Keystore, fileIdent, error) {
	f, id, err := a.openFile()
	if err != nil {
		return nil, fileIdent{}, err
	}
	defer func() { _ = f.Close() }()
	ks, err := a.parse(f)
	return ks, id, err
}

// maxKeystoreBytes bounds the file read (about 300 bytes per user).
const maxKeystoreBytes = 64 << 20

// parse reads r whole and opens it with the root key.
func (a *Accounts) parse(r io.Reader) (*cryptolayer.Keystore, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxKeystoreBytes+1))
	if err != nil {
		return nil, fmt.Errorf("gateway: keystore: %w", err)
	}
	if len(data) > maxKeystoreBytes {
		return nil, fmt.Errorf("gateway: keystore larger than %d bytes: %w", maxKeystoreBytes, cryptolayer.ErrKeystoreFormat)
	}
	ks, err := cryptolayer.OpenKeystore(a.root, data)
	if errors.Is(err, cryptolayer.ErrKeystoreAuth) {
		return nil, fmt.Errorf("gateway: keystore %s does not open with this root key (wrong root key, or a damaged file): %w",
			filepath.Join(a.dir, keystoreFile), err)
	}
	if err != nil {
		return nil, fmt.Errorf("gateway: keystore %s: %w", filepath.Join(a.dir, keystoreFile), err)
	}
	return ks, nil
}

// lock takes the exclusive file lock of the data dir (blocking) and
// returns its release. flock locks belong to the open file, so two
// goroutines of one process exclude each other too.
func (a *Accounts) lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(a.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("gateway: keystore lock: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("gateway: keystore lock: %w", err)
	}
	return func() { _ = f.Close() }, nil // closing releases the lock
}

// writeKeystore seals ks and replaces the file atomically: a 0600 temp
// file in the dir, fsync, rename, fsync of the dir. The caller holds the
// lock. It returns the identity of the new file.
func (a *Accounts) writeKeystore(ks *cryptolayer.Keystore) (fileIdent, error) {
	data, err := cryptolayer.SealKeystore(a.root, ks)
	if err != nil {
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	defer clear(data)
	f, err := os.CreateTemp(a.dir, tempFilePrefix+"*") // mode 0600
	if err != nil {
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	id, err := writeSync(f, data)
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(a.dir, keystoreFile))
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	if err := syncDir(a.dir); err != nil {
		return fileIdent{}, fmt.Errorf("gateway: keystore: %w", err)
	}
	return id, nil
}

// writeSync writes data to f, syncs and closes it, and returns its identity.
func writeSync(f *os.File, data []byte) (fileIdent, error) {
	_, err := f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	var id fileIdent
	if err == nil {
		id, err = identOf(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return id, err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// removeTemps deletes temp files a crashed write left (they hold the
// sealed keystore: old key material). The caller holds the lock.
func (a *Accounts) removeTemps() error {
	ents, err := os.ReadDir(a.dir)
	if err != nil {
		return fmt.Errorf("gateway: data dir: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), tempFilePrefix) && e.Type().IsRegular() {
			if err := os.Remove(filepath.Join(a.dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("gateway: removing a temp file: %w", err)
			}
		}
	}
	return nil
}

// update applies change to the keystore as the file holds it now, under
// the file lock, writes the result and publishes it. change gets a fresh
// copy it may modify; if it fails, nothing is written.
func (a *Accounts) update(change func(ks *cryptolayer.Keystore) error) error {
	if a.closed.Load() {
		return ErrAccountsClosed
	}
	unlock, err := a.lock()
	if err != nil {
		return err
	}
	defer unlock()
	ks, _, err := a.readFile()
	if err != nil {
		return err
	}
	if err := change(ks); err != nil {
		return mapKeystoreErr(err)
	}
	id, err := a.writeKeystore(ks)
	if err != nil {
		return err
	}
	a.refreshMu.Lock()
	a.publish(ks, id)
	a.refreshMu.Unlock()
	return nil
}
