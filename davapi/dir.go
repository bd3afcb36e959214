package davapi

import (
	"context"
	"encoding/xml"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// dirHandle is an open collection: the root, a bucket or a folder.
type dirHandle struct {
	fs      *davFS
	ctx     context.Context
	t       target
	info    *fileInfo
	entries []os.FileInfo
	loaded  bool
	pos     int
}

func (d *dirHandle) Close() error                   { return nil }
func (d *dirHandle) Read([]byte) (int, error)       { return 0, errIsFolder }
func (d *dirHandle) Write([]byte) (int, error)      { return 0, errIsFolder }
func (d *dirHandle) Seek(int64, int) (int64, error) { return 0, nil }
func (d *dirHandle) Stat() (os.FileInfo, error)     { return d.info, nil }
func (d *dirHandle) holder() propsHolder {
	return propsHolder{fs: d.fs, ctx: d.ctx, t: d.t, info: d.info}
}
func (d *dirHandle) DeadProps() (map[xml.Name]webdav.Property, error) { return d.holder().DeadProps() }
func (d *dirHandle) Patch(p []webdav.Proppatch) ([]webdav.Propstat, error) {
	return d.holder().Patch(p)
}

// Readdir lists the collection once (all pages) and hands out entries as
// os.File.Readdir does.
func (d *dirHandle) Readdir(count int) ([]os.FileInfo, error) {
	if !d.loaded {
		entries, err := d.fs.list(d.ctx, d.t)
		if err != nil {
			return nil, fsErr(stateOf(d.ctx), "readdir", d.t.name, err)
		}
		d.entries, d.loaded = entries, true
	}
	rest := d.entries[d.pos:]
	if count <= 0 {
		d.pos = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	if count > len(rest) {
		count = len(rest)
	}
	d.pos += count
	return rest[:count], nil
}

// list returns the entries of a collection and primes the request's Stat
// cache with them (size, ETag, mtime), so that a PROPFIND Depth 1 costs no
// request per entry for live properties. Dead properties are not listed:
// a PROPFIND that may return them (allprop, propname, or a non-live name)
// reads them per entry (Namespace.GetProps).
func (f *davFS) list(ctx context.Context, t target) ([]os.FileInfo, error) {
	if t.isRoot() {
		return f.listBuckets(ctx)
	}
	prefix := ""
	if t.key != "" {
		prefix = t.key + "/"
	}
	files, dirs := map[string]bool{}, []string{}
	var out []os.FileInfo
	st := stateOf(ctx)
	err := f.eachPage(ctx, t.bucket, gateway.ListQuery{Prefix: prefix, Delimiter: "/"}, func(res gateway.ListResult) {
		for _, oi := range res.Objects {
			rel := oi.Key[len(prefix):]
			if !pathSegment(rel) {
				continue
			}
			fi := objectInfo(f, t.bucket, oi)
			files[rel] = true
			out = append(out, fi)
			st.prime(path.Join(t.name, rel), fi)
		}
		dirs = append(dirs, res.CommonPrefixes...)
	})
	if err != nil {
		return nil, err
	}
	for _, p := range dirs {
		rel := strings.TrimSuffix(p[len(prefix):], "/")
		if !pathSegment(rel) || files[rel] {
			continue
		}
		fi := dirInfo(rel, time.Unix(0, 0).UTC())
		out = append(out, fi)
		st.prime(path.Join(t.name, rel), fi)
	}
	return out, nil
}

func (f *davFS) listBuckets(ctx context.Context) ([]os.FileInfo, error) {
	buckets, err := f.ns(ctx).ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]os.FileInfo, 0, len(buckets))
	for _, b := range buckets {
		fi := dirInfo(b.Name, b.Created)
		out = append(out, fi)
		stateOf(ctx).prime("/"+b.Name, fi)
	}
	return out, nil
}

// eachPage runs fn on every page of a listing.
func (f *davFS) eachPage(ctx context.Context, bucket string, q gateway.ListQuery, fn func(gateway.ListResult)) error {
	ns := f.ns(ctx)
	for {
		res, err := ns.ListObjects(ctx, bucket, q)
		if err != nil {
			return err
		}
		fn(res)
		if !res.IsTruncated {
			return nil
		}
		next := res.NextMarker
		if next == "" {
			next = lastName(res)
		}
		if next == "" || next <= q.Marker {
			return nil
		}
		q.Marker, q.Snapshot = next, res.Snapshot
	}
}

// lastName is the greatest key or prefix of a page.
func lastName(res gateway.ListResult) string {
	last := ""
	if n := len(res.Objects); n > 0 {
		last = res.Objects[n-1].Key
	}
	if n := len(res.CommonPrefixes); n > 0 && res.CommonPrefixes[n-1] > last {
		last = res.CommonPrefixes[n-1]
	}
	return last
}

// allKeys lists every key under prefix (no delimiter), for tree operations:
// the whole listing comes before any write (see deleteTree), so that its
// pages are served from the gateway's listing cache.
func (f *davFS) allKeys(ctx context.Context, bucket, prefix string) ([]string, error) {
	var keys []string
	err := f.eachPage(ctx, bucket, gateway.ListQuery{Prefix: prefix}, func(res gateway.ListResult) {
		for _, oi := range res.Objects {
			keys = append(keys, oi.Key)
		}
	})
	return keys, err
}
