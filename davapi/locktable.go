package davapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/webdav"
)

// lockTableName is the gateway shared record that holds a user's locks.
const lockTableName = "dav-locks"

// lockTableFormat is the version of the lock table's encoding.
const lockTableFormat = 1

// errLockTable: the lock table record opened but does not decode (a
// gateway bug or a newer format); answered 500.
var errLockTable = errors.New("davapi: unreadable lock table")

// lockTable is a user's live WebDAV locks, as stored (JSON) in the shared
// record: {"v":1,"l":[{"t":token,"r":root,"z":zero depth,"o":owner XML,
// "d":duration ns,"x":expiry unix ns}, …]}.
type lockTable struct {
	V     int         `json:"v"`
	Locks []lockEntry `json:"l"`
}

// lockEntry is one lock: x/net's LockDetails with its token and expiry.
type lockEntry struct {
	Token    string        `json:"t"`
	Root     string        `json:"r"`           // cleaned path
	Zero     bool          `json:"z,omitempty"` // depth 0; else infinity
	Owner    string        `json:"o,omitempty"` // the <owner> XML, verbatim
	Duration time.Duration `json:"d"`           // the granted timeout
	Expires  int64         `json:"x"`           // unix nanoseconds
}

// decodeLockTable reads a record's data; nil is the empty table.
func decodeLockTable(data []byte) (lockTable, error) {
	t := lockTable{V: lockTableFormat}
	if data == nil {
		return t, nil
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return lockTable{}, fmt.Errorf("%w: %w", errLockTable, err)
	}
	if t.V != lockTableFormat {
		return lockTable{}, fmt.Errorf("%w: format %d", errLockTable, t.V)
	}
	return t, nil
}

// encode returns the record's data: nil (clear the record) when no lock
// is left.
func (t *lockTable) encode() ([]byte, error) {
	if len(t.Locks) == 0 {
		return nil, nil
	}
	return json.Marshal(t)
}

func (t *lockTable) clone() lockTable {
	return lockTable{V: t.V, Locks: slices.Clone(t.Locks)}
}

func (e *lockEntry) alive(now time.Time) bool { return now.UnixNano() < e.Expires }

func (e *lockEntry) details() webdav.LockDetails {
	return webdav.LockDetails{Root: e.Root, Duration: e.Duration, OwnerXML: e.Owner, ZeroDepth: e.Zero}
}

// prune drops the expired locks.
func (t *lockTable) prune(now time.Time) {
	t.Locks = slices.DeleteFunc(t.Locks, func(e lockEntry) bool { return !e.alive(now) })
}

// find returns the index of the live lock token, or -1.
func (t *lockTable) find(token string, now time.Time) int {
	return slices.IndexFunc(t.Locks, func(e lockEntry) bool { return e.Token == token && e.alive(now) })
}

// below reports whether name is strictly inside the folder dir.
func below(name, dir string) bool {
	if dir == "/" {
		return name != "/"
	}
	return strings.HasPrefix(name, dir+"/")
}

// covers reports whether the lock applies to name: its root, or anything
// below a depth-infinity lock's root.
func (e *lockEntry) covers(name string) bool {
	return name == e.Root || (!e.Zero && below(name, e.Root))
}

// conflict returns a live lock, other than those of tokens, that a lock of
// (root, zero) would conflict with (x/net memLS's rules): one on root
// itself, one with depth infinity on an ancestor, or, for a depth-infinity
// lock, one anywhere below root. nil if none.
func (t *lockTable) conflict(root string, zero bool, tokens []string, now time.Time) *lockEntry {
	for i := range t.Locks {
		e := &t.Locks[i]
		if !e.alive(now) || slices.Contains(tokens, e.Token) {
			continue
		}
		if e.covers(root) || (!zero && below(e.Root, root)) {
			return e
		}
	}
	return nil
}

// coveredBy reports whether one of the live locks of tokens covers name.
func (t *lockTable) coveredBy(name string, tokens []string, now time.Time) bool {
	for _, tok := range tokens {
		if i := t.find(tok, now); i >= 0 && t.Locks[i].covers(name) {
			return true
		}
	}
	return false
}
