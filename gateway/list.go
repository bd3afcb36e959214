package gateway

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ListObjects implements Namespace: S3 ListObjects semantics (keys and
// common prefixes in byte order, common prefixes counted in MaxKeys, the
// marker excluded) over encrypted names. With delimiter "/" it lists one
// upstream directory; otherwise the subtree under the prefix's complete
// segments. The decrypted listing is cached for the paging run.
func (n *userNS) ListObjects(ctx context.Context, bucket string, q ListQuery) (ListResult, error) {
	if err := n.needBucket(ctx, bucket); err != nil {
		return ListResult{}, err
	}
	if q.MaxKeys <= 0 || q.MaxKeys > backends.MaxListLimit {
		q.MaxKeys = backends.MaxListLimit
	}
	entries, err := n.listing(ctx, bucket, q.Prefix, q.Delimiter)
	if err != nil {
		return ListResult{}, err
	}
	start := sort.Search(len(entries), func(i int) bool { return entries[i].name > q.Marker })
	page := entries[start:]
	res := ListResult{}
	if len(page) > q.MaxKeys {
		page, res.IsTruncated = page[:q.MaxKeys], true
		if len(page) > 0 {
			res.NextMarker = page[len(page)-1].name
		}
	}
	objs, err := n.fillInfo(ctx, bucket, page)
	if err != nil {
		return ListResult{}, err
	}
	res.Objects = objs
	for _, e := range page {
		if e.prefix {
			res.CommonPrefixes = append(res.CommonPrefixes, e.name)
		}
	}
	return res, nil
}

// listing returns the sorted entries selected by prefix and delimiter.
func (n *userNS) listing(ctx context.Context, bucket, prefix, delim string) ([]listEntry, error) {
	encDir, err := n.names(bucket).EncryptDir(prefix)
	if err != nil {
		return nil, ErrKeyTooLong
	}
	dir := prefix[:strings.LastIndexByte(prefix, '/')+1]
	raw, err := n.rawListing(ctx, bucket, n.bucketPrefix(bucket)+encDir, dir, delim == "/")
	if err != nil {
		return nil, err
	}
	out := make([]listEntry, 0, len(raw))
	for _, e := range raw {
		if !strings.HasPrefix(e.name, prefix) {
			continue
		}
		if delim != "" && delim != "/" && !e.prefix {
			if i := strings.Index(e.name[len(prefix):], delim); i >= 0 {
				cp := e.name[:len(prefix)+i+len(delim)]
				if len(out) == 0 || out[len(out)-1].name != cp {
					out = append(out, listEntry{name: cp, prefix: true})
				}
				continue
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// rawListing lists and decrypts one upstream directory (delimited) or
// subtree, sorted by plaintext name, through the listing cache.
func (n *userNS) rawListing(ctx context.Context, bucket, upPrefix, dir string, delimited bool) ([]listEntry, error) {
	ck := "r:" + upPrefix
	if delimited {
		ck = "d:" + upPrefix
	}
	if e, ok := n.svc.lists.get(ck, n.svc.cfg.Now()); ok {
		return e, nil
	}
	gen := n.svc.lists.generation(n.bucketPrefix(bucket))
	opts := backends.ListOptions{Prefix: upPrefix}
	if delimited {
		opts.Delimiter = "/"
	}
	var out []listEntry
	err := n.svc.forEachPage(ctx, opts, func(page backends.ListPage) error {
		out = n.decryptPage(ctx, bucket, upPrefix, dir, page, out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	n.svc.lists.put(ck, n.bucketPrefix(bucket), gen, out, n.svc.cfg.Now())
	return out, nil
}

// decryptPage decrypts one upstream page. Entries that fail to decrypt
// (tampered or foreign names) are skipped and counted, never shown.
func (n *userNS) decryptPage(ctx context.Context, bucket, upPrefix, dir string, page backends.ListPage, out []listEntry) []listEntry {
	nc := n.names(bucket)
	for _, o := range page.Objects {
		if !strings.HasPrefix(o.Key, upPrefix) || len(o.Key) == len(upPrefix) {
			n.svc.integrityFailure("name") // a listing that ignores its prefix
			continue
		}
		size, ok := cryptolayer.DecryptedSize(o.Size)
		name, err := n.nameOf(ctx, bucket, o, dir, upPrefix)
		if err != nil || !ok {
			n.svc.integrityFailure("name")
			continue
		}
		out = append(out, listEntry{name: name, up: o.Key, size: size, upSize: o.Size, etag: o.ETag, modTime: o.ModTime})
	}
	for _, p := range page.Prefixes {
		if !strings.HasPrefix(p, upPrefix) || len(p) <= len(upPrefix)+1 || !strings.HasSuffix(p, "/") {
			n.svc.integrityFailure("name")
			continue
		}
		seg, err := n.folderName(ctx, bucket, nc, dir, p, p[len(upPrefix):len(p)-1])
		if err != nil {
			n.svc.integrityFailure("name")
			continue
		}
		out = append(out, listEntry{name: dir + seg + "/", prefix: true})
	}
	return out
}

// folderName decrypts a folder segment, resolving the long form through
// any object below it.
func (n *userNS) folderName(ctx context.Context, bucket string, nc *cryptolayer.NameCipher, dir, upPrefix, enc string) (string, error) {
	seg, err := nc.DecryptSegment(dir, enc, cryptolayer.KindFolder)
	if !errors.Is(err, cryptolayer.ErrLongName) {
		return seg, err
	}
	page, err := n.svc.store.List(ctx, backends.ListOptions{Prefix: upPrefix, Limit: 1})
	if err != nil || len(page.Objects) == 0 {
		return "", cryptolayer.ErrNameAuth
	}
	full, err := n.longName(ctx, bucket, page.Objects[0])
	if err != nil || !strings.HasPrefix(full, dir) {
		return "", cryptolayer.ErrNameAuth
	}
	rest := full[len(dir):]
	seg = rest[:max(strings.IndexByte(rest, '/'), 0)]
	if !nc.LongSegmentMatches(dir, seg, cryptolayer.KindFolder, enc) {
		return "", cryptolayer.ErrNameAuth
	}
	return seg, nil
}

// longName reads an object's full key from its sealed metadata and checks
// that it encrypts to the object's upstream name.
func (n *userNS) longName(ctx context.Context, bucket string, o backends.ObjectInfo) (string, error) {
	full, err := n.fullKeyOf(ctx, bucket, o)
	if err != nil {
		return "", err
	}
	if up, err := n.objectKey(bucket, full); err != nil || up != o.Key {
		return "", cryptolayer.ErrNameAuth
	}
	return full, nil
}

// fullKeyOf reads the full key a long-named object's sealed metadata
// claims, and verifies the object's binding to that key.
func (n *userNS) fullKeyOf(ctx context.Context, bucket string, o backends.ObjectInfo) (string, error) {
	rc, err := n.pinned(o.Key, o.ETag)(ctx, 0, cryptolayer.PrefixSize)
	if err != nil {
		return "", err
	}
	defer func() { _ = rc.Close() }()
	prefix, err := io.ReadAll(io.LimitReader(rc, cryptolayer.PrefixSize))
	if err != nil {
		return "", err
	}
	meta, err := cryptolayer.PeekMetadata(n.keys(), prefix)
	if err != nil {
		return "", err
	}
	full, ok := meta[metaFullKey]
	if !ok {
		return "", cryptolayer.ErrNameAuth
	}
	if _, err := cryptolayer.VerifyPrefix(n.keys(), n.binding(bucket, full), prefix); err != nil {
		return "", err
	}
	return full, nil
}
