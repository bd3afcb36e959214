package gateway

import (
	"context"
	"errors"

	"golang.org/x/sync/errgroup"

	"github.com/sealgate/sealgate/backends"
)

// fillInfo returns the objects of a listing page with their ETags and
// times: from the metadata cache, else by opening the objects, at most
// FetchParallelism at a time. An object that fails authentication is
// dropped from the page and counted; an upstream failure fails the page.
func (n *userNS) fillInfo(ctx context.Context, bucket string, page []listEntry) ([]ObjectInfo, error) {
	out := make([]ObjectInfo, len(page))
	keep := make([]bool, len(page))
	g, gctx := errgroup.WithContext(ctx) // the first upstream failure stops the rest
	g.SetLimit(n.svc.cfg.FetchParallelism)
	for i, e := range page {
		if e.prefix {
			continue
		}
		if info, ok := n.svc.cachedInfo(metaKey{e.up, e.etag}); ok {
			out[i], keep[i] = listed(info, e), true
			continue
		}
		g.Go(func() error {
			st := backends.ObjectInfo{Key: e.up, Size: e.upSize, ETag: e.etag, ModTime: e.modTime}
			info, err := n.objectInfo(gctx, bucket, e.name, e.up, st)
			switch {
			case err == nil:
				out[i], keep[i] = listed(info, e), true
			case errors.Is(err, ErrIntegrity), errors.Is(err, ErrNoSuchKey), errors.Is(err, errChanged):
				// tampered, or deleted/replaced since the listing: skip it
			default:
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	objs := make([]ObjectInfo, 0, len(page))
	for i := range page {
		if keep[i] {
			objs = append(objs, out[i])
		}
	}
	return objs, nil
}

// listed is what a listing shows of an object: size, ETag, time, checksum
// (S3 names its algorithm and type), and of the metadata only the content
// type, which WebDAV shows per entry (getcontenttype) and which the gateway
// has at hand here anyway.
func listed(info ObjectInfo, e listEntry) ObjectInfo {
	meta := Meta{}
	if ct := info.Meta["content-type"]; ct != "" {
		meta["content-type"] = ct
	}
	return ObjectInfo{Key: e.name, Size: info.Size, ETag: info.ETag, LastModified: info.LastModified, Meta: meta, Checksum: info.Checksum}
}
