package davapi

import (
	"context"
	"mime"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// fileInfo is an os.FileInfo from gateway metadata. It implements
// webdav.ContentTyper and webdav.ETager so that x/net never opens or sniffs
// the body for them.
type fileInfo struct {
	name  string // base name
	size  int64
	mtime time.Time
	dir   bool
	etag  string       // S3 ETag without quotes; "" for folders
	meta  gateway.Meta // nil when not fetched (listings)

	// marker is what a folder's Stat learned of its marker object "dir/"
	// (unknown for listed folders, buckets and the root).
	marker markerState

	// where to fetch meta when a listing did not carry it
	fs          *davFS
	bucket, key string
}

// markerState tells whether a folder's marker object is known to exist.
type markerState uint8

const (
	markerUnknown markerState = iota
	markerPresent
	markerAbsent
)

func (fi *fileInfo) Name() string       { return fi.name }
func (fi *fileInfo) Size() int64        { return fi.size }
func (fi *fileInfo) ModTime() time.Time { return fi.mtime }
func (fi *fileInfo) IsDir() bool        { return fi.dir }
func (fi *fileInfo) Sys() any           { return nil }

func (fi *fileInfo) Mode() os.FileMode {
	if fi.dir {
		return os.ModeDir | 0o755
	}
	return 0o644
}

// ETag is the gateway's (S3's) ETag, quoted.
func (fi *fileInfo) ETag(context.Context) (string, error) {
	if fi.dir || fi.etag == "" {
		return "", webdav.ErrNotImplemented
	}
	return `"` + fi.etag + `"`, nil
}

// ContentType is the stored content type. Listings carry it; a fileInfo
// built without metadata fetches it by HeadObject.
func (fi *fileInfo) ContentType(ctx context.Context) (string, error) {
	if fi.dir {
		return "", webdav.ErrNotImplemented
	}
	if fi.meta == nil && fi.fs != nil {
		if oi, err := fi.fs.ns(ctx).HeadObject(ctx, fi.bucket, fi.key, gateway.GetOptions{}); err == nil {
			fi.meta = oi.Meta
		}
	}
	if ct := fi.meta["content-type"]; ct != "" {
		return ct, nil
	}
	return defaultType(fi.name), nil
}

// defaultType is the content type of a file stored without one.
func defaultType(name string) string {
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

func objectInfo(fs *davFS, bucket string, oi gateway.ObjectInfo) *fileInfo {
	return &fileInfo{
		name: path.Base(oi.Key), size: oi.Size, mtime: oi.LastModified, etag: oi.ETag,
		meta: oi.Meta, fs: fs, bucket: bucket, key: oi.Key,
	}
}

func dirInfo(name string, mtime time.Time) *fileInfo {
	return &fileInfo{name: name, dir: true, mtime: mtime}
}

// target is a WebDAV path resolved against the namespace: the root, a
// bucket (key ""), or a key inside a bucket (no leading or trailing slash).
type target struct {
	name   string // cleaned path
	bucket string
	key    string
}

func (t target) isRoot() bool   { return t.bucket == "" }
func (t target) isBucket() bool { return t.bucket != "" && t.key == "" }

// base is the name shown for the target.
func (t target) base() string {
	if t.isRoot() {
		return "/"
	}
	return path.Base(t.name)
}

// parent is the target of the containing collection.
func (t target) parent() target {
	i := strings.LastIndexByte(t.key, '/')
	if i < 0 {
		return target{name: "/" + t.bucket, bucket: t.bucket}
	}
	return target{name: path.Dir(t.name), bucket: t.bucket, key: t.key[:i]}
}

// resolve maps a WebDAV name to a target.
func resolve(name string) (target, error) {
	clean := cleanPath(name)
	if clean == "/" {
		return target{name: clean}, nil
	}
	bucket, key, _ := strings.Cut(clean[1:], "/")
	return target{name: clean, bucket: bucket, key: key}, nil
}

// pathSegment tells whether a listed name can be shown as a path segment.
func pathSegment(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, "/\x00")
}
