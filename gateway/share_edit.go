package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ShareEdit is a change to a link; a nil field keeps what the link has.
type ShareEdit struct {
	// Expires is the new expiry, in the future.
	Expires *time.Time
	// Limit is the new download limit (0: none), not below the downloads
	// already made.
	Limit *int64
	// Password is the new password; an empty one removes it.
	Password *[]byte
}

// Update changes one of the owner's links and returns it as stored. The
// id, and so the link's address, stays; so does its use count. The record
// is rewritten with compare-and-swap, retried on a concurrent change (a
// download counted through another gateway is kept). A new password is
// hashed as at creation, and unlock tokens of the old one no longer open
// the link (they bind its salt). An unknown handle is ErrNoSuchShare; a
// past expiry, or a limit out of range or below the uses made, is
// ErrInvalidArgument and changes nothing.
func (s *ShareLinks) Update(ctx context.Context, ns Namespace, handle string, e ShareEdit) (ShareLink, error) {
	n, err := s.ownerNS(ns)
	if err != nil {
		return ShareLink{}, err
	}
	if e.Expires != nil && !e.Expires.After(s.cfg.Now()) {
		return ShareLink{}, fmt.Errorf("%w: the expiry must be in the future", ErrInvalidArgument)
	}
	if e.Limit != nil && (*e.Limit < 0 || *e.Limit > MaxShareLimit) {
		return ShareLink{}, fmt.Errorf("%w: the download limit must be between 0 (none) and %d", ErrInvalidArgument, MaxShareLimit)
	}
	refs, _, err := readShareList(ctx, n)
	if err != nil {
		return ShareLink{}, err
	}
	i := indexRef(refs, handle)
	if i < 0 {
		return ShareLink{}, ErrNoSuchShare
	}
	ref := refs[i]
	var pw *SharePassword // computed once: Argon2id is slow
	if e.Password != nil && len(*e.Password) > 0 {
		if pw, err = newSharePassword(*e.Password, s.cfg.PasswordParams, ref.Loc); err != nil {
			return ShareLink{}, err
		}
	}
	for range shareAttempts {
		sh, err := s.load(ctx, ref.Loc, ref.key())
		if err != nil {
			return ShareLink{}, err
		}
		if err := e.apply(&sh.Link, pw); err != nil {
			return ShareLink{}, err
		}
		_, err = s.writeRecord(ctx, sh)
		if errors.Is(err, ErrPreconditionFailed) {
			continue
		}
		return sh.Link, err
	}
	return ShareLink{}, fmt.Errorf("%w: the share link kept changing", ErrSlowDown)
}

// apply makes the edit on l; pw is the new password's verifier, nil when
// it is kept or removed.
func (e ShareEdit) apply(l *ShareLink, pw *SharePassword) error {
	if e.Limit != nil {
		if *e.Limit != 0 && *e.Limit < l.Uses {
			return fmt.Errorf("%w: the download limit %d is below the %d downloads made", ErrInvalidArgument, *e.Limit, l.Uses)
		}
		l.Limit = *e.Limit
	}
	if e.Expires != nil {
		l.Expires = e.Expires.UTC()
	}
	if e.Password != nil {
		l.Password = pw
	}
	return nil
}
