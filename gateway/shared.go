package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Shared records are small per-user documents that every gateway over the
// same upstream reads and updates with compare-and-swap: the WebDAV lock
// table, web sessions and share-link lists, the quota, bucket tags,
// lifecycle and CORS, and leases. One record per (user, name), stored as
//
//	.sealgate/shared/<user upstream dir>/<MAC of the name>
//
// sealed with cryptolayer.SealRecord under a key derived from the user's
// root key ("shared"), bound to the user id and the name (the record's
// context): a record moved to another name or another user fails to open.
// The name itself never reaches the upstream, only its MAC (HMAC-SHA256
// under the user key "shared name", 16 bytes, base32).
//
// The version of a record is the upstream's ETag (opaque): PutShared writes
// only if the record is still at the version the caller read, so concurrent
// writers through any gateways never lose each other's updates; the loser
// reads again and retries. A cleared record stays as an empty sealed record
// (a tombstone of 41 bytes) so that clearing is conditional too: GetShared
// then returns no data and the tombstone's version.
//
// What an untrusted upstream can still do: delete a record, or serve (and
// keep) an older sealed version of it, since no gateway keeps a high-water
// mark for these records. It cannot forge, alter, swap or move one. These
// records coordinate honest clients; they are not a security boundary
// (an older WebDAV lock table can at worst drop a lock, which the upstream
// could do anyway by deleting the record).

// MaxSharedBytes bounds a shared record's plaintext.
const MaxSharedBytes = 4 << 20

// MaxSharedName bounds a shared record's name, in bytes.
const MaxSharedName = 256

var sharedB32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// sharedKey is the upstream key of the record name.
func (n *userNS) sharedKey(name string) (string, error) {
	if name == "" || len(name) > MaxSharedName || !utf8.ValidString(name) {
		return "", fmt.Errorf("%w: shared record name %q", ErrInvalidArgument, name)
	}
	k := n.user.DeriveUserKey("shared name")
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(name))
	return ".sealgate/shared/" + n.dir + "/" + sharedB32.EncodeToString(m.Sum(nil)[:16]), nil
}

// sharedContext binds a record to its user and name.
func (n *userNS) sharedContext(name string) string {
	return "shared\x00" + hex.EncodeToString(n.user.ID[:]) + "\x00" + name
}

// GetShared implements Namespace: the record's data and version; nil data
// for a cleared record (with its version), and nil, "" for an absent one.
func (n *userNS) GetShared(ctx context.Context, name string) ([]byte, string, error) {
	up, err := n.sharedKey(name)
	if err != nil {
		return nil, "", err
	}
	rc, info, err := n.svc.store.Get(ctx, up, 0, -1)
	if errors.Is(err, backends.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", upstreamErr(err, ErrNoSuchKey)
	}
	defer func() { _ = rc.Close() }()
	sealed, err := io.ReadAll(io.LimitReader(rc, MaxSharedBytes+cryptolayer.RecordOverhead+1))
	if err != nil {
		return nil, "", upstreamErr(err, ErrNoSuchKey)
	}
	pt, err := cryptolayer.OpenRecord(n.user.DeriveUserKey("shared"), n.sharedContext(name), sealed)
	if err != nil || len(pt) > MaxSharedBytes {
		n.svc.integrityFailure("record")
		return nil, "", fmt.Errorf("%w: shared record", ErrIntegrity)
	}
	if len(pt) == 0 {
		pt = nil
	}
	return pt, info.ETag, nil
}

// PutShared implements Namespace: a conditional write of the record, empty
// data clearing it. The gateway's own records are not the doors' to write.
func (n *userNS) PutShared(ctx context.Context, name string, data []byte, ifVersion string) (string, error) {
	if name == quotaRecordName {
		return "", fmt.Errorf("%w: shared record %q is the gateway's", ErrInvalidArgument, name)
	}
	return n.putShared(ctx, name, data, ifVersion)
}

// putShared is PutShared for any name.
func (n *userNS) putShared(ctx context.Context, name string, data []byte, ifVersion string) (string, error) {
	if len(data) > MaxSharedBytes {
		return "", fmt.Errorf("%w: shared record of %d bytes (at most %d)", ErrInvalidArgument, len(data), MaxSharedBytes)
	}
	up, err := n.sharedKey(name)
	if err != nil {
		return "", err
	}
	rec := cryptolayer.SealRecord(n.user.DeriveUserKey("shared"), n.sharedContext(name), data)
	cond := backends.PutOptions{IfAbsent: ifVersion == "", IfMatch: ifVersion}
	info, err := n.svc.store.Put(ctx, up, bytes.NewReader(rec), int64(len(rec)), cond)
	if err != nil {
		return "", upstreamErr(err, ErrPreconditionFailed)
	}
	return info.ETag, nil
}
