package gateway

import (
	"context"
	"errors"
	"strings"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// errStopPaging, returned by a paging callback, ends the run early and
// without error.
var errStopPaging = errors.New("gateway: stop paging")

// forEachPage lists opts page by page and calls fn on each page before
// asking for the next: memory holds one page (of a WidePager, a wide one),
// and fn may delete what the page lists (all stores' tokens resume after
// the last entry returned).
func (s *Service) forEachPage(ctx context.Context, opts backends.ListOptions, fn func(backends.ListPage) error) error {
	if wp, ok := s.store.(backends.WidePager); ok && opts.Limit == 0 {
		opts.Limit = wp.PageLimit() // fewer, larger pages where each costs a directory read
	}
	for {
		page, err := s.store.List(ctx, opts)
		if err != nil {
			return upstreamErr(err, ErrNoSuchBucket)
		}
		if err := fn(page); errors.Is(err, errStopPaging) {
			return nil
		} else if err != nil {
			return err
		}
		if page.NextToken == "" {
			return nil
		}
		opts.Token = page.NextToken
	}
}

// eachObject calls fn for every upstream object under prefix.
func (s *Service) eachObject(ctx context.Context, prefix string, fn func(backends.ObjectInfo) error) error {
	return s.forEachPage(ctx, backends.ListOptions{Prefix: prefix}, func(p backends.ListPage) error {
		for _, o := range p.Objects {
			if err := fn(o); err != nil {
				return err
			}
		}
		return nil
	})
}

// nameOf decrypts the plaintext key of an upstream object of bucket: only
// its last segment when dir (plaintext, ending in '/') and upDir (its
// upstream form) are known from a directory listing, else every segment.
// A long segment is resolved through the object's sealed metadata.
func (n *userNS) nameOf(ctx context.Context, bucket string, o backends.ObjectInfo, dir, upDir string) (string, error) {
	var name string
	var err error
	if rel := strings.TrimPrefix(o.Key, upDir); upDir != "" && !strings.Contains(rel, "/") {
		name, err = n.names(bucket).DecryptSegment(dir, rel, cryptolayer.KindObject)
		name = dir + name
	} else {
		name, err = n.names(bucket).DecryptPath(strings.TrimPrefix(o.Key, n.bucketPrefix(bucket)))
	}
	if errors.Is(err, cryptolayer.ErrLongName) {
		return n.longName(ctx, bucket, o)
	}
	return name, err
}
