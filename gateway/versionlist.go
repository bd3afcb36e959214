package gateway

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/sealgate/sealgate/backends"
)

// versionEntry is one version in a version listing, before its metadata is
// read.
type versionEntry struct {
	name   string // plaintext key, or a common prefix
	vname  string // "" for the current version
	vid    string // the version id, once known (ids of current versions are sealed)
	latest bool
	st     backends.ObjectInfo
	prefix bool
}

// ListObjectVersions implements Namespace: S3 order (keys in byte order,
// the current version first, then the noncurrent ones newest first), over
// an upstream listing of the current versions under the prefix and one of
// the noncurrent ones, plus the metadata of the versions on the page (from
// the metadata cache when it holds them). A first page lists the upstream
// afresh; a continuation page is cut from the listing whose previous page
// ended at its markers, if this gateway still holds it (the listing cache,
// as ListObjects' v1 markers), so paging through N versions costs O(N).
func (n *userNS) ListObjectVersions(ctx context.Context, bucket string, q VersionQuery) (VersionList, error) {
	if q.MaxKeys <= 0 || q.MaxKeys > backends.MaxListLimit {
		q.MaxKeys = backends.MaxListLimit
	}
	if err := n.needBucket(ctx, bucket); err != nil {
		return VersionList{}, err
	}
	all, run, err := n.versionListing(ctx, bucket, q)
	if err != nil {
		return VersionList{}, err
	}
	if q.VersionIDMarker != "" {
		if err := n.markerKeyIDs(ctx, bucket, all, q.KeyMarker); err != nil {
			return VersionList{}, err
		}
	}
	page, truncated := cutVersions(all, q)
	res := VersionList{IsTruncated: truncated}
	if res.Versions, err = n.versionInfos(ctx, bucket, page); err != nil {
		return VersionList{}, err
	}
	for _, e := range page {
		if e.prefix {
			res.CommonPrefixes = append(res.CommonPrefixes, e.name)
		}
	}
	if truncated {
		last := page[len(page)-1]
		res.NextKeyMarker = last.name
		if !last.prefix && len(res.Versions) > 0 {
			res.NextVersionIDMarker = res.Versions[len(res.Versions)-1].VersionID
		}
		run.handedOut(n, res.NextKeyMarker, res.NextVersionIDMarker)
	}
	return res, nil
}

// versionRun names the cached listing a page was cut from.
type versionRun struct {
	key string
	id  uint64
}

func versionMarker(key, vid string) string { return key + "\x00" + vid }

func (r versionRun) handedOut(n *userNS, key, vid string) {
	n.svc.lists.handedOut(r.key, r.id, versionMarker(key, vid))
}

// versionListing returns the sorted versions under q.Prefix: for a
// continuation page from the cached listing that handed out its markers,
// else afresh (and then cached).
func (n *userNS) versionListing(ctx context.Context, bucket string, q VersionQuery) ([]versionEntry, versionRun, error) {
	run := versionRun{key: "v:" + n.bucketPrefix(bucket) + "\x00" + q.Prefix}
	now := n.svc.cfg.Now()
	if q.KeyMarker != "" {
		if e, id, ok := n.svc.lists.continued(run.key, versionMarker(q.KeyMarker, q.VersionIDMarker), 0, false, now); ok {
			run.id = id
			return fromListEntries(e), run, nil
		}
	}
	id, gen := n.svc.lists.begin(n.bucketPrefix(bucket))
	all, err := n.allVersions(ctx, bucket, q.Prefix)
	if err != nil {
		return nil, run, err
	}
	run.id = id
	n.svc.lists.put(run.key, n.bucketPrefix(bucket), id, gen, toListEntries(all), now)
	return all, run, nil
}

// toListEntries and fromListEntries keep versions in the listing cache:
// a version's upstream key tells whether it is current and its id.
func toListEntries(vs []versionEntry) []listEntry {
	out := make([]listEntry, len(vs))
	for i, e := range vs {
		out[i] = listEntry{name: e.name, up: e.st.Key, upSize: e.st.Size, etag: e.st.ETag, modTime: e.st.ModTime}
	}
	return out
}

func fromListEntries(ls []listEntry) []versionEntry {
	out := make([]versionEntry, len(ls))
	for i, l := range ls {
		e := versionEntry{name: l.name, latest: true, st: backends.ObjectInfo{Key: l.up, Size: l.upSize, ETag: l.etag, ModTime: l.modTime}}
		if _, vid, ok := splitVersionKey(l.up); ok {
			e.latest, e.vid, e.vname = false, vid, l.up[strings.LastIndexByte(l.up, '/')+1:]
		}
		out[i] = e
	}
	return out
}

// markerKeyIDs reads the version id of the current version of the marker
// key, so that a version id marker can be found among its versions.
func (n *userNS) markerKeyIDs(ctx context.Context, bucket string, all []versionEntry, key string) error {
	for i := range all {
		if all[i].name == key && all[i].latest {
			info, err := n.versionInfo(ctx, bucket, all[i])
			if err != nil && !errors.Is(err, ErrIntegrity) && !errors.Is(err, errChanged) {
				return err
			}
			all[i].vid = info.VersionID
		}
	}
	return nil
}

// allVersions lists every version of the keys under prefix, sorted.
func (n *userNS) allVersions(ctx context.Context, bucket, prefix string) ([]versionEntry, error) {
	encDir, err := n.names(bucket).EncryptDir(prefix)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyTooLong, err)
	}
	base := n.bucketPrefix(bucket) + encDir
	var out []versionEntry
	err = n.svc.eachObject(ctx, base, func(o backends.ObjectInfo) error {
		name, err := n.listedName(ctx, bucket, o, "", "")
		if err != nil {
			n.svc.integrityFailure("name")
			return nil
		}
		if strings.HasPrefix(name, prefix) {
			out = append(out, versionEntry{name: name, latest: true, st: o})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = n.svc.eachObject(ctx, versionsRoot+base, func(o backends.ObjectInfo) error {
		name, err := n.storedName(ctx, bucket, o)
		if _, _, ok := splitVersionKey(o.Key); !ok || err != nil {
			n.svc.integrityFailure("name")
			return nil
		}
		if strings.HasPrefix(name, prefix) {
			vname := o.Key[strings.LastIndexByte(o.Key, '/')+1:]
			vid, _ := versionOfName(vname)
			out = append(out, versionEntry{name: name, vname: vname, vid: vid, st: o})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b versionEntry) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if a.latest != b.latest {
			if a.latest {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.vname, b.vname)
	})
	return out, err
}

// cutVersions applies the markers, the delimiter and MaxKeys; it reports
// whether more entries follow the page.
func cutVersions(all []versionEntry, q VersionQuery) ([]versionEntry, bool) {
	var page []versionEntry
	for i := skipToMarker(all, q); i < len(all); i++ {
		e := all[i]
		if q.Delimiter != "" {
			if j := strings.Index(e.name[len(q.Prefix):], q.Delimiter); j >= 0 {
				cp := e.name[:len(q.Prefix)+j+len(q.Delimiter)]
				for i+1 < len(all) && strings.HasPrefix(all[i+1].name, cp) {
					i++
				}
				if cp <= q.KeyMarker {
					continue
				}
				e = versionEntry{name: cp, prefix: true}
			}
		}
		if len(page) == q.MaxKeys {
			return page, true
		}
		page = append(page, e)
	}
	return page, false
}

// skipToMarker returns the index of the first entry after the markers:
// after every version of KeyMarker, or, with VersionIDMarker, after that
// version of it (after all its versions if it has no such version).
func skipToMarker(all []versionEntry, q VersionQuery) int {
	i := 0
	for i < len(all) && all[i].name < q.KeyMarker {
		i++
	}
	start := i
	for i < len(all) && all[i].name == q.KeyMarker {
		i++
		if q.VersionIDMarker != "" && all[i-1].vid == q.VersionIDMarker {
			return i
		}
	}
	if q.KeyMarker == "" {
		return start
	}
	return i
}

// versionInfos reads the metadata of a page's versions, at most
// FetchParallelism at a time; a version that fails authentication is
// dropped and counted.
func (n *userNS) versionInfos(ctx context.Context, bucket string, page []versionEntry) ([]ObjectInfo, error) {
	out := make([]ObjectInfo, len(page))
	keep := make([]bool, len(page))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n.svc.cfg.FetchParallelism)
	for i, e := range page {
		if e.prefix {
			continue
		}
		g.Go(func() error {
			info, err := n.versionInfo(gctx, bucket, e)
			switch {
			case err == nil:
				out[i], keep[i] = info, true
			case errors.Is(err, ErrIntegrity), errors.Is(err, ErrNoSuchKey), errors.Is(err, errChanged):
			default:
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var objs []ObjectInfo
	latest := map[string]string{} // key -> its current version's id
	for i, e := range page {
		switch {
		case !keep[i]:
		case e.latest:
			latest[e.name] = out[i].VersionID
			objs = append(objs, out[i])
		case latest[e.name] != out[i].VersionID: // not a leftover copy of the current version
			objs = append(objs, out[i])
		}
	}
	return objs, nil
}

// versionInfo reads one listed version's metadata.
func (n *userNS) versionInfo(ctx context.Context, bucket string, e versionEntry) (ObjectInfo, error) {
	var info ObjectInfo
	var err error
	if isMarkerSize(e.st.Size) {
		info, err = n.readMarker(ctx, bucket, e.name, e.st.Key, e.st)
	} else {
		info, err = n.objectInfo(ctx, bucket, e.name, e.st.Key, e.st)
		info.Meta = Meta{} // a listing shows no metadata; the checksum stays
	}
	if info.VersionID == "" {
		info.VersionID = NullVersion
	}
	info.IsLatest = e.latest
	return info, err
}

// dropDeletedFolders removes from a delimited listing of a versioned
// bucket the folders that hold only delete markers: S3 lists no common
// prefix for keys that are all deleted, and WebDAV shows no such folder.
// Each folder costs upstream listings until its first live object; the
// bucket's state comes from the bucket hint, read only when the listing
// has folders.
func (n *userNS) dropDeletedFolders(ctx context.Context, bucket string, entries []listEntry) ([]listEntry, error) {
	if !slices.ContainsFunc(entries, func(e listEntry) bool { return e.prefix }) {
		return entries, nil
	}
	bs, err := n.bucketState(ctx, bucket)
	if err != nil || bs.versioning == VersioningOff {
		return entries, err
	}
	live := make([]bool, len(entries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n.svc.cfg.FetchParallelism)
	for i, e := range entries {
		if !e.prefix {
			live[i] = true
			continue
		}
		g.Go(func() (err error) {
			live[i], err = n.holdsLiveObject(gctx, e.up)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := entries[:0]
	for i, e := range entries {
		if live[i] {
			out = append(out, e)
		}
	}
	return out, nil
}

// errFound stops a walk at the first live object.
var errFound = errors.New("gateway: found")

// holdsLiveObject reports whether an upstream prefix holds an object that
// is not a delete marker.
func (n *userNS) holdsLiveObject(ctx context.Context, prefix string) (bool, error) {
	err := n.svc.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
		if !isMarkerSize(o.Size) {
			return errFound
		}
		return nil
	})
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}
