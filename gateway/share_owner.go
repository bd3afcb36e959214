package gateway

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ShareSpec is what an owner asks for when making a link.
type ShareSpec struct {
	Bucket string
	// Key is a file's key, or a folder's prefix ending in "/".
	Key     string
	Expires time.Time
	// Limit is the number of downloads allowed (0: no limit).
	Limit int64
	// Password, if set, is asked of the link's users.
	Password []byte
}

// ShareEntry is one of an owner's links, for "my links": Handle names it
// to Revoke (it is not the id and opens nothing).
type ShareEntry struct {
	Handle string
	Link   ShareLink
}

// ownerNS is the gateway's namespace behind ns: links are made only
// through namespaces of this Service.
func (s *ShareLinks) ownerNS(ns Namespace) (*userNS, error) {
	n, ok := ns.(*userNS)
	if !ok || n.svc != s.svc {
		return nil, fmt.Errorf("%w: share links need the gateway's own namespace", ErrNotImplemented)
	}
	return n, nil
}

// Create makes a link and returns its id (shown once: it is stored
// nowhere). A file link is bound to the file's current ETag; a folder
// must exist (have an object under it). The expiry must be in the
// future.
func (s *ShareLinks) Create(ctx context.Context, ns Namespace, spec ShareSpec) (ShareID, error) {
	n, err := s.ownerNS(ns)
	if err != nil {
		return ShareID{}, err
	}
	now := s.cfg.Now()
	if !spec.Expires.After(now) || spec.Limit < 0 || spec.Limit > MaxShareLimit {
		return ShareID{}, fmt.Errorf("%w: share link expiry or limit", ErrInvalidArgument)
	}
	l := ShareLink{Bucket: spec.Bucket, Key: spec.Key, Created: now.UTC(), Expires: spec.Expires.UTC(), Limit: spec.Limit}
	if err := s.bindTarget(ctx, n, &l); err != nil {
		return ShareID{}, err
	}
	id := NewShareID()
	sh := &Share{Link: l, loc: id.locator(), key: id.recordKey(), owner: n.user}
	if len(spec.Password) > 0 {
		if sh.Link.Password, err = newSharePassword(spec.Password, s.cfg.PasswordParams, sh.loc); err != nil {
			return ShareID{}, err
		}
	}
	if _, err := s.writeRecord(ctx, sh); err != nil {
		return ShareID{}, err
	}
	err = s.changeList(ctx, n, func(refs []shareRef) ([]shareRef, error) {
		if len(refs) >= MaxSharesPerAccount {
			return nil, fmt.Errorf("%w: at most %d share links per account", ErrInvalidArgument, MaxSharesPerAccount)
		}
		return append(refs, shareRef{Loc: sh.loc, Key: sh.key[:]}), nil
	})
	if err != nil {
		_ = s.svc.store.Delete(context.WithoutCancel(ctx), shareRoot+sh.loc)
		return ShareID{}, err
	}
	return id, nil
}

// bindTarget checks the link's target and binds the link to its bucket's
// creation time, and a file link to its ETag.
func (s *ShareLinks) bindTarget(ctx context.Context, n *userNS, l *ShareLink) error {
	if err := CheckBucketName(l.Bucket); err != nil {
		return err
	}
	bi, err := n.HeadBucket(ctx, l.Bucket)
	if err != nil {
		return err
	}
	l.BucketCreated = bi.Created
	if !l.Folder() {
		info, err := n.HeadObject(ctx, l.Bucket, l.Key, GetOptions{})
		if err != nil {
			return err
		}
		l.ETag = info.ETag
		return nil
	}
	res, err := n.ListObjects(ctx, l.Bucket, ListQuery{Prefix: l.Key, MaxKeys: 1})
	if err != nil {
		return err
	}
	if l.Key != "" && len(res.Objects) == 0 && len(res.CommonPrefixes) == 0 {
		return fmt.Errorf("%w: no such folder", ErrNoSuchKey)
	}
	return nil
}

// List returns the owner's links, oldest first, with their use counts;
// links whose record is gone (revoked through another gateway, or deleted
// by the upstream) or no longer opens are left out, and dropped from the
// owner's list. Expired links stay listed until revoked.
func (s *ShareLinks) List(ctx context.Context, ns Namespace) ([]ShareEntry, error) {
	n, err := s.ownerNS(ns)
	if err != nil {
		return nil, err
	}
	refs, _, err := readShareList(ctx, n)
	if err != nil {
		return nil, err
	}
	out := make([]ShareEntry, 0, len(refs))
	gone := map[string]bool{}
	for _, ref := range refs {
		sh, err := s.load(ctx, ref.Loc, ref.key())
		if errors.Is(err, ErrNoSuchShare) {
			gone[ref.Loc] = true
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ShareEntry{Handle: ref.Loc, Link: sh.Link})
	}
	if len(gone) > 0 { // best effort: the next listing tries again
		_ = s.changeList(ctx, n, func(refs []shareRef) ([]shareRef, error) {
			kept := refs[:0]
			for _, r := range refs {
				if !gone[r.Loc] {
					kept = append(kept, r)
				}
			}
			return kept, nil
		})
	}
	return out, nil
}

// Revoke ends one of the owner's links: its record is deleted, then its
// entry. An unknown handle is ErrNoSuchShare.
func (s *ShareLinks) Revoke(ctx context.Context, ns Namespace, handle string) error {
	n, err := s.ownerNS(ns)
	if err != nil {
		return err
	}
	refs, _, err := readShareList(ctx, n)
	if err != nil {
		return err
	}
	if indexRef(refs, handle) < 0 {
		return ErrNoSuchShare
	}
	if err := s.svc.store.Delete(ctx, shareRoot+handle); err != nil {
		return upstreamErr(err, ErrNoSuchShare)
	}
	return s.changeList(ctx, n, func(refs []shareRef) ([]shareRef, error) {
		if i := indexRef(refs, handle); i >= 0 {
			refs = append(refs[:i], refs[i+1:]...)
		}
		return refs, nil
	})
}

// RevokeAll deletes every link of the owner (before the account is
// deleted: afterwards nothing can find its links' records, which stay as
// unreadable leftovers) and returns how many it removed. It goes on past
// a record it cannot delete and returns the first error.
func (s *ShareLinks) RevokeAll(ctx context.Context, ns Namespace) (int, error) {
	n, err := s.ownerNS(ns)
	if err != nil {
		return 0, err
	}
	refs, _, err := readShareList(ctx, n)
	if err != nil {
		return 0, err
	}
	removed, first := 0, error(nil)
	for _, ref := range refs {
		if indexRef(refs, ref.Loc) < 0 {
			continue // not a locator
		}
		if err := s.svc.store.Delete(ctx, shareRoot+ref.Loc); err != nil {
			first = cmp.Or(first, upstreamErr(err, ErrNoSuchShare))
			continue
		}
		removed++
	}
	if first != nil {
		return removed, first
	}
	return removed, s.changeList(ctx, n, func([]shareRef) ([]shareRef, error) { return nil, nil })
}

func indexRef(refs []shareRef, loc string) int {
	for i, r := range refs {
		if r.Loc == loc && !strings.ContainsAny(loc, "/.") {
			return i
		}
	}
	return -1
}

// changeList applies change to the owner's list with compare-and-swap.
func (s *ShareLinks) changeList(ctx context.Context, n *userNS, change func([]shareRef) ([]shareRef, error)) error {
	for range shareAttempts {
		refs, ver, err := readShareList(ctx, n)
		if err != nil {
			return err
		}
		if refs, err = change(refs); err != nil {
			return err
		}
		data, err := json.Marshal(refs)
		if err != nil {
			return err
		}
		_, err = n.PutShared(ctx, shareList, data, ver)
		if errors.Is(err, ErrPreconditionFailed) {
			continue
		}
		return err
	}
	return fmt.Errorf("%w: the share link list kept changing", ErrSlowDown)
}

func readShareList(ctx context.Context, n *userNS) ([]shareRef, string, error) {
	data, ver, err := n.GetShared(ctx, shareList)
	if err != nil || len(data) == 0 {
		return nil, ver, err
	}
	var refs []shareRef
	if err := json.Unmarshal(data, &refs); err != nil {
		return nil, "", fmt.Errorf("%w: share link list", ErrIntegrity)
	}
	return refs, ver, nil
}

// UnlockToken is a token proving that the link's password was given,
// valid until exp: exp (Unix seconds, 8 bytes) and an HMAC under the
// owner's user key ("share unlock") of the locator, the password's salt
// and exp, in base64url. It opens this link only, and no longer once the
// link's password or owner changes.
func (sh *Share) UnlockToken(exp time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(exp.Unix()))
	return shareB64.EncodeToString(append(b[:], sh.unlockMAC(b[:])...))
}

// CheckUnlock reports whether tok is a token of UnlockToken still valid
// at now.
func (sh *Share) CheckUnlock(tok string, now time.Time) bool {
	b, err := shareB64.DecodeString(tok)
	if err != nil || len(b) != 8+sha256.Size || sh.Link.Password == nil {
		return false
	}
	if !hmac.Equal(b[8:], sh.unlockMAC(b[:8])) {
		return false
	}
	return now.Unix() < int64(binary.BigEndian.Uint64(b[:8]))
}

func (sh *Share) unlockMAC(exp []byte) []byte {
	k := sh.owner.DeriveUserKey("share unlock")
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte(shareContext(sh.loc)))
	if p := sh.Link.Password; p != nil {
		m.Write(p.Salt[:])
	}
	m.Write(exp)
	return m.Sum(nil)
}

// Get reads the link's file, or a file under its folder (rel is the path
// below the folder; "" for a file link). A file link's file must still
// have the ETag it had; else, as for a name outside the folder, the
// answer is ErrNoSuchShare.
func (sh *Share) Get(ctx context.Context, rel string, opts GetOptions) (*ObjectReader, string, error) {
	key, err := sh.target(rel)
	if err != nil {
		return nil, "", err
	}
	opts.IfMatch = sh.Link.ETag
	obj, err := sh.NS.GetObject(ctx, sh.Link.Bucket, key, opts)
	if errors.Is(err, ErrPreconditionFailed) || errors.Is(err, ErrNoSuchKey) || errors.Is(err, ErrNoSuchBucket) {
		return nil, "", ErrNoSuchShare
	}
	return obj, key, err
}

// target is the key a use of the link reads.
func (sh *Share) target(rel string) (string, error) {
	if !sh.Link.Folder() {
		if rel != "" {
			return "", ErrNoSuchShare
		}
		return sh.Link.Key, nil
	}
	if rel == "" || strings.HasSuffix(rel, "/") {
		return "", ErrNoSuchShare
	}
	return sh.Link.Key + rel, nil
}
