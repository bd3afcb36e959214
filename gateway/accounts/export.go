package accounts

import (
	"errors"
	"fmt"
	"os"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Export returns the newest verified keystore record and the root key it
// is sealed under: with both (`sealgate keys export`), Import restores the
// deployment's keys.
func (a *Accounts) Export() (cryptolayer.Key, []byte) {
	s := a.snap.Load()
	return s.root, append([]byte(nil), s.sealed...)
}

// Import prepares a data dir from an export. A record (format v2 or v3) that
// opens under root becomes the data dir's newest verified keystore, so
// that Open (with Config.Create) puts it back into an upstream that lacks
// it, accepts a newer one of the same deployment, and refuses an older
// one. A first-release keystore (format v1) becomes the data dir's
// keystore file, which Open migrates. A data dir that already verified a
// keystore is refused.
func Import(dataDir string, root cryptolayer.Key, data []byte) error {
	l, err := openLocal(dataDir)
	if err != nil {
		return err
	}
	for _, name := range []string{seenFile, legacyFile} {
		if _, err := os.Stat(l.path(name)); err == nil {
			return fmt.Errorf("accounts: %s exists: import only into a fresh data dir", l.path(name))
		}
	}
	if _, err := cryptolayer.OpenKeystoreRecord(root, data); err == nil {
		return l.saveSeen(data)
	} else if !errors.Is(err, cryptolayer.ErrUnsupportedVersion) {
		return fmt.Errorf("accounts: the export's keystore does not open with its root key: %w", err)
	}
	if _, err := cryptolayer.OpenKeystore(root, data); err != nil {
		return fmt.Errorf("accounts: the export's keystore does not open with its root key: %w", err)
	}
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return l.writeFile(legacyFile, data)
}

// Unimport removes what Import wrote into a data dir, after a failed
// import, so that the data dir is fresh again.
func Unimport(dataDir string) {
	l := &localState{dir: dataDir}
	_ = os.Remove(l.path(seenFile))
	_ = os.Remove(l.path(legacyFile))
}
