package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ListObjects implements Namespace: S3 ListObjects semantics (keys and
// common prefixes in byte order, common prefixes counted in MaxKeys, the
// marker excluded) over encrypted names. With delimiter "/" it lists one
// upstream directory; otherwise the subtree under the prefix's complete
// segments. A first page is cut from a fresh upstream listing, decrypted
// through the metadata cache (whose entries, keyed by upstream key and
// ETag, hold the plaintext key: a known version needs no name decryption);
// continuation pages may be cut from the run's cached listing (listcache.go).
// The bucket's record is read only when the listing is empty: listed
// objects imply their bucket.
func (n *userNS) ListObjects(ctx context.Context, bucket string, q ListQuery) (ListResult, error) {
	if CheckBucketName(bucket) != nil {
		return ListResult{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	if q.MaxKeys <= 0 || q.MaxKeys > backends.MaxListLimit {
		q.MaxKeys = backends.MaxListLimit
	}
	l, err := n.listing(ctx, bucket, q)
	if err != nil {
		return ListResult{}, err
	}
	if l.fresh && l.empty {
		if err := n.needBucket(ctx, bucket); err != nil {
			return ListResult{}, err
		}
	}
	entries := l.entries
	start := sort.Search(len(entries), func(i int) bool { return entries[i].name > q.Marker })
	page := entries[start:]
	res := ListResult{Snapshot: n.svc.snapshot(l.id)}
	if len(page) > q.MaxKeys {
		page, res.IsTruncated = page[:q.MaxKeys], true
		if len(page) > 0 {
			res.NextMarker = page[len(page)-1].name
			n.svc.lists.handedOut(l.key, l.id, res.NextMarker)
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

// listView is the sorted listing a page is cut from.
type listView struct {
	entries []listEntry
	key     string // its listing cache key
	id      uint64 // its listing id
	fresh   bool   // just listed from the upstream
	empty   bool   // the upstream listing held nothing (before filtering)
}

// listing returns the sorted entries selected by prefix and delimiter.
func (n *userNS) listing(ctx context.Context, bucket string, q ListQuery) (listView, error) {
	prefix, delim := q.Prefix, q.Delimiter
	encDir, err := n.names(bucket).EncryptDir(prefix)
	if err != nil {
		return listView{}, n.orNoBucket(ctx, bucket, fmt.Errorf("%w: %w", ErrKeyTooLong, err))
	}
	dir := prefix[:strings.LastIndexByte(prefix, '/')+1]
	l, err := n.rawListing(ctx, bucket, n.bucketPrefix(bucket)+encDir, dir, delim == "/", q)
	if err != nil || dir == prefix && (delim == "" || delim == "/") {
		return l, err // every entry is under dir: nothing to filter
	}
	raw := l.entries
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
	l.entries = out
	return l, nil
}

// rawListing lists and decrypts one upstream directory (delimited) or
// subtree, sorted by plaintext name: for a continuation page, from the
// listing cache when it holds the run's listing; else afresh.
func (n *userNS) rawListing(ctx context.Context, bucket, upPrefix, dir string, delimited bool, q ListQuery) (listView, error) {
	ck := "r:" + upPrefix
	if delimited {
		ck = "d:" + upPrefix
	}
	if q.Marker != "" {
		snap, hasSnap := n.svc.parseSnapshot(q.Snapshot)
		if e, id, ok := n.svc.lists.continued(ck, q.Marker, snap, hasSnap, n.svc.cfg.Now()); ok {
			return listView{entries: e, key: ck, id: id}, nil
		}
	}
	id, gen := n.svc.lists.begin(n.bucketPrefix(bucket))
	opts := backends.ListOptions{Prefix: upPrefix}
	if delimited {
		opts.Delimiter = "/"
	}
	var out []listEntry
	err := n.svc.forEachPage(ctx, opts, func(page backends.ListPage) error {
		if out == nil {
			out = make([]listEntry, 0, len(page.Objects)+len(page.Prefixes))
		}
		out = n.decryptPage(ctx, bucket, upPrefix, dir, page, out)
		return nil
	})
	if err != nil {
		return listView{}, err
	}
	if out, err = n.dropDeletedFolders(ctx, bucket, out); err != nil {
		return listView{}, err
	}
	slices.SortFunc(out, func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	n.svc.lists.put(ck, n.bucketPrefix(bucket), id, gen, out, n.svc.cfg.Now())
	return listView{entries: out, key: ck, id: id, fresh: true, empty: len(out) == 0}, nil
}

// decryptPage decrypts one upstream page. An object version in the
// metadata cache gives its plaintext key from there; a folder seen before
// gives its name from the folder cache (names are deterministic: an
// upstream prefix always means the same plaintext). Entries that fail to
// decrypt (tampered or foreign names) are skipped and counted, never shown.
func (n *userNS) decryptPage(ctx context.Context, bucket, upPrefix, dir string, page backends.ListPage, out []listEntry) []listEntry {
	for _, o := range page.Objects {
		if !strings.HasPrefix(o.Key, upPrefix) || len(o.Key) == len(upPrefix) {
			n.svc.integrityFailure("name") // a listing that ignores its prefix
			continue
		}
		if isMarkerSize(o.Size) {
			continue // a deleted key of a versioned bucket
		}
		size, ok := cryptolayer.DecryptedSize(o.Size)
		name, err := n.listedName(ctx, bucket, o, dir, upPrefix)
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
		seg, err := n.cachedFolderName(ctx, bucket, dir, upPrefix, p)
		if err != nil {
			n.svc.integrityFailure("name")
			continue
		}
		out = append(out, listEntry{name: dir + seg + "/", up: p, prefix: true})
	}
	return out
}

// listedName is the plaintext key of a listed object: from the metadata
// cache if it holds that version, else decrypted.
func (n *userNS) listedName(ctx context.Context, bucket string, o backends.ObjectInfo, dir, upPrefix string) (string, error) {
	if info, ok := n.svc.meta.Peek(metaKey{o.Key, o.ETag}); ok && strings.HasPrefix(info.Key, dir) {
		return info.Key, nil
	}
	return n.nameOf(ctx, bucket, o, dir, upPrefix)
}

// cachedFolderName decrypts the folder segment of upstream prefix p (under
// upPrefix, whose plaintext is dir), through the folder cache.
func (n *userNS) cachedFolderName(ctx context.Context, bucket, dir, upPrefix, p string) (string, error) {
	if seg, ok := n.svc.folders.Get(p); ok {
		return seg, nil
	}
	seg, err := n.folderName(ctx, bucket, n.names(bucket), dir, p, p[len(upPrefix):len(p)-1])
	if err == nil {
		n.svc.folders.Add(p, seg)
	}
	return seg, err
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
	want := o.Key
	if objUp, _, ok := splitVersionKey(o.Key); ok {
		want = objUp // a noncurrent version
	}
	if up, err := n.objectKey(bucket, full); err != nil || up != want {
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
	if _, err := cryptolayer.VerifyPrefix(n.keys(), n.readBinding(bucket, full, o.Key), prefix); err != nil {
		return "", err
	}
	return full, nil
}
