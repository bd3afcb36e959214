package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ShareConfig configures a deployment's share links.
type ShareConfig struct {
	// Owner returns the account of a user id: it must exist and be
	// active, else the owner's links are dead (any error).
	Owner func(id [16]byte) (Account, error)
	// PasswordParams are the Argon2id parameters of link passwords (zero:
	// cryptolayer.DefaultPasswordParams, as account passwords).
	PasswordParams cryptolayer.PasswordParams
	// Now is the clock of expiry (default time.Now).
	Now func() time.Time
}

// ShareLinks are the share links of a deployment (share.go), over a
// Service. It is safe for concurrent use.
type ShareLinks struct {
	svc *Service
	cfg ShareConfig
	// pw bounds the link password checks running at once: each costs an
	// Argon2id run (64 MiB by default), and anybody may ask for one.
	pw chan struct{}
}

// maxPasswordChecks bounds the concurrent link password checks.
const maxPasswordChecks = 2

// NewShareLinks returns the share links over svc.
func NewShareLinks(svc *Service, cfg ShareConfig) *ShareLinks {
	if cfg.PasswordParams == (cryptolayer.PasswordParams{}) {
		cfg.PasswordParams = cryptolayer.DefaultPasswordParams
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &ShareLinks{svc: svc, cfg: cfg, pw: make(chan struct{}, maxPasswordChecks)}
}

// Share is an open link: what it points at, and the owner's namespace to
// read it from.
type Share struct {
	Link ShareLink
	// NS is the owner's namespace.
	NS      Namespace
	loc     string
	key     cryptolayer.Key // the outer record's key
	owner   *cryptolayer.User
	version string // the record's upstream ETag
}

// shareRef is an entry of the owner's list: never the id.
type shareRef struct {
	Loc string `json:"l"`
	Key []byte `json:"k"` // the outer record's key (cryptolayer.Key prints redacted)
}

func (r shareRef) key() cryptolayer.Key {
	var k cryptolayer.Key
	copy(k[:], r.Key)
	return k
}

// shareRecord is the outer record's plaintext: owner id, inner record.
func sealShare(key cryptolayer.Key, loc string, owner *cryptolayer.User, l ShareLink) ([]byte, error) {
	js, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	inner := cryptolayer.SealRecord(owner.DeriveUserKey("share link"), shareContext(loc), js)
	pt := append(owner.ID[:len(owner.ID):len(owner.ID)], inner...)
	return cryptolayer.SealRecord(key, shareContext(loc), pt), nil
}

// openOuter opens the outer record: the owner id and the inner record.
func openOuter(key cryptolayer.Key, loc string, sealed []byte) ([16]byte, []byte, error) {
	var owner [16]byte
	pt, err := cryptolayer.OpenRecord(key, shareContext(loc), sealed)
	if err != nil || len(pt) < len(owner) {
		return owner, nil, fmt.Errorf("%w: share link record", ErrIntegrity)
	}
	copy(owner[:], pt)
	return owner, pt[len(owner):], nil
}

// openInner opens the inner record with the owner's key.
func openInner(u *cryptolayer.User, loc string, inner []byte) (ShareLink, error) {
	var l ShareLink
	js, err := cryptolayer.OpenRecord(u.DeriveUserKey("share link"), shareContext(loc), inner)
	if err != nil {
		return l, fmt.Errorf("%w: share link record", ErrIntegrity)
	}
	if err := json.Unmarshal(js, &l); err != nil {
		return l, fmt.Errorf("%w: share link record", ErrIntegrity)
	}
	return l, nil
}

// readRecord reads a link's sealed record and its version; an absent one
// is ErrNoSuchShare.
func (s *ShareLinks) readRecord(ctx context.Context, loc string) ([]byte, string, error) {
	rc, info, err := s.svc.store.Get(ctx, shareRoot+loc, 0, -1)
	if errors.Is(err, backends.ErrNotExist) {
		return nil, "", ErrNoSuchShare
	}
	if err != nil {
		return nil, "", upstreamErr(err, ErrNoSuchShare)
	}
	defer func() { _ = rc.Close() }()
	sealed, err := io.ReadAll(io.LimitReader(rc, maxShareBytes+1))
	if err != nil {
		return nil, "", upstreamErr(err, ErrNoSuchShare)
	}
	return sealed, info.ETag, nil
}

// writeRecord stores a link's record: a new one (version "") only if
// absent, else only over that version.
func (s *ShareLinks) writeRecord(ctx context.Context, sh *Share) (string, error) {
	sealed, err := sealShare(sh.key, sh.loc, sh.owner, sh.Link)
	if err != nil {
		return "", err
	}
	cond := backends.PutOptions{IfAbsent: sh.version == "", IfMatch: sh.version}
	info, err := s.svc.store.Put(ctx, shareRoot+sh.loc, bytes.NewReader(sealed), int64(len(sealed)), cond)
	if err != nil {
		return "", upstreamErr(err, ErrPreconditionFailed)
	}
	return info.ETag, nil
}

// Open finds a usable link by id: it exists, its owner is active, it has
// not expired or reached its limit. Anything else is ErrNoSuchShare (a
// record failing authentication is counted as an integrity failure);
// only an upstream failure is another error.
func (s *ShareLinks) Open(ctx context.Context, id ShareID) (*Share, error) {
	sh, err := s.load(ctx, id.locator(), id.recordKey())
	if err != nil {
		return nil, err
	}
	if !sh.Link.usable(s.cfg.Now()) {
		return nil, ErrNoSuchShare
	}
	if err := sh.sameBucket(ctx); err != nil {
		return nil, err
	}
	return sh, nil
}

// sameBucket is nil if the link's bucket is the one it was made in (one
// read of the bucket's record), ErrNoSuchShare if that bucket was deleted,
// whether or not one of its name exists now.
func (sh *Share) sameBucket(ctx context.Context) error {
	if sh.Link.BucketCreated.IsZero() {
		return nil
	}
	bi, err := sh.NS.HeadBucket(ctx, sh.Link.Bucket)
	switch {
	case errors.Is(err, ErrNoSuchBucket):
		return ErrNoSuchShare
	case err != nil:
		return err
	case !bi.Created.Equal(sh.Link.BucketCreated):
		return ErrNoSuchShare
	}
	return nil
}

// load reads and opens a link's record, whatever its state.
func (s *ShareLinks) load(ctx context.Context, loc string, key cryptolayer.Key) (*Share, error) {
	sealed, ver, err := s.readRecord(ctx, loc)
	if err != nil {
		return nil, err
	}
	ownerID, inner, err := openOuter(key, loc, sealed)
	if err != nil {
		s.svc.integrityFailure("record")
		return nil, ErrNoSuchShare
	}
	if s.cfg.Owner == nil {
		return nil, ErrNoSuchShare
	}
	acc, err := s.cfg.Owner(ownerID)
	if err != nil || acc == nil || acc.KeyRecord().Status != cryptolayer.StatusActive {
		return nil, ErrNoSuchShare
	}
	u := acc.KeyRecord()
	l, err := openInner(u, loc, inner)
	if err != nil {
		s.svc.integrityFailure("record")
		return nil, ErrNoSuchShare
	}
	return &Share{Link: l, NS: s.svc.Namespace(acc), loc: loc, key: key, owner: u, version: ver}, nil
}

// CheckPassword reports whether pw is the link's password (one Argon2id
// run, at most maxPasswordChecks at once: it waits for its turn until ctx
// ends); a link without a password takes none.
func (s *ShareLinks) CheckPassword(ctx context.Context, sh *Share, pw []byte) (bool, error) {
	if sh.Link.Password == nil {
		return len(pw) == 0, nil
	}
	select {
	case s.pw <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.pw }()
	return sh.Link.Password.verify(pw, sh.loc), nil
}

// Use counts one download of the link, with compare-and-swap on its
// record, retrying on a concurrent use: ErrNoSuchShare once the link is
// used up, expired or gone. A link without a limit is counted too (for
// its owner's list).
func (s *ShareLinks) Use(ctx context.Context, sh *Share) error {
	cur := sh
	for attempt := range shareAttempts {
		if attempt > 0 {
			next, err := s.load(ctx, sh.loc, sh.key)
			if err != nil {
				return err
			}
			cur = next
		}
		if !cur.Link.usable(s.cfg.Now()) {
			return ErrNoSuchShare
		}
		cur.Link.Uses++
		ver, err := s.writeRecord(ctx, cur)
		if errors.Is(err, ErrPreconditionFailed) {
			continue
		}
		if err != nil {
			return err
		}
		cur.version = ver
		sh.Link, sh.version = cur.Link, ver
		return nil
	}
	return fmt.Errorf("%w: the share link kept changing", ErrSlowDown)
}

// MaxShareFiles bounds the files of one page of a folder link's listing.
const MaxShareFiles = 1000

// Files lists one page of the files under a folder link (the whole
// subtree, names relative to the folder, folder markers left out): the
// files after the relative name after ("" from the first), at most limit
// (MaxShareFiles when limit is not in 1..MaxShareFiles). next is the
// relative name the following page starts after, "" on the last page.
func (sh *Share) Files(ctx context.Context, after string, limit int) (files []ObjectInfo, next string, err error) {
	if !sh.Link.Folder() {
		return nil, "", ErrNoSuchShare
	}
	if limit < 1 || limit > MaxShareFiles {
		limit = MaxShareFiles
	}
	q := ListQuery{Prefix: sh.Link.Key, MaxKeys: limit}
	if after != "" {
		q.Marker = sh.Link.Key + after
	}
	res, err := sh.NS.ListObjects(ctx, sh.Link.Bucket, q)
	if errors.Is(err, ErrNoSuchBucket) {
		return nil, "", ErrNoSuchShare
	}
	if err != nil {
		return nil, "", err
	}
	for _, o := range res.Objects {
		if rel := o.Key[len(sh.Link.Key):]; rel != "" && rel[len(rel)-1] != '/' {
			o.Key = rel
			files = append(files, o)
		}
	}
	if res.IsTruncated && strings.HasPrefix(res.NextMarker, sh.Link.Key) {
		next = res.NextMarker[len(sh.Link.Key):]
	}
	return files, next, nil
}
