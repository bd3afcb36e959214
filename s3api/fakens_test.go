package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// fakeNS is a plaintext, map-based gateway.Namespace honouring the
// interface contract, so the door's tests do not depend on the gateway.
type fakeNS struct {
	mu       sync.Mutex
	now      func() time.Time
	minPart  int64
	buckets  map[string]*fakeBucket
	uploads  map[string]*fakeUpload
	done     map[string]gateway.ObjectInfo // completed uploads, for repeats
	nextID   int
	putCalls int
}

type fakeBucket struct {
	created time.Time
	objects map[string]*fakeObject
	cors    []gateway.CORSRule
}

type fakeObject struct {
	data []byte
	info gateway.ObjectInfo
}

type fakeUpload struct {
	bucket, key string
	opts        gateway.PutOptions
	created     time.Time
	parts       map[int]*fakeObject
}

func newFakeNS() *fakeNS {
	return &fakeNS{now: time.Now, minPart: 5 << 20, buckets: map[string]*fakeBucket{},
		uploads: map[string]*fakeUpload{}, done: map[string]gateway.ObjectInfo{}}
}

func (f *fakeNS) stamp() time.Time { return f.now().UTC().Truncate(time.Second) }

func (f *fakeNS) bucket(name string) (*fakeBucket, error) {
	b, ok := f.buckets[name]
	if !ok {
		return nil, gateway.ErrNoSuchBucket
	}
	return b, nil
}

func (f *fakeNS) ListBuckets(context.Context) ([]gateway.BucketInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []gateway.BucketInfo
	for n, b := range f.buckets {
		out = append(out, gateway.BucketInfo{Name: n, Created: b.created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (f *fakeNS) CreateBucket(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.buckets[name]; ok {
		return gateway.ErrBucketExists
	}
	f.buckets[name] = &fakeBucket{created: f.stamp(), objects: map[string]*fakeObject{}}
	return nil
}

func (f *fakeNS) DeleteBucket(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 {
		return gateway.ErrBucketNotEmpty
	}
	delete(f.buckets, name)
	return nil
}

func (f *fakeNS) HeadBucket(_ context.Context, name string) (gateway.BucketInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(name)
	if err != nil {
		return gateway.BucketInfo{}, err
	}
	return gateway.BucketInfo{Name: name, Created: b.created}, nil
}

// readBody reads exactly size bytes (or to EOF when size < 0); any error
// aborts, as the contract says.
func readBody(body io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, body)
	if err != nil {
		return nil, fmt.Errorf("fake: reading body: %w", err)
	}
	if size >= 0 && n != size {
		return nil, gateway.ErrIncompleteBody
	}
	return buf.Bytes(), nil
}

func putCond(cur *fakeObject, ifNoneMatch, ifMatch string) error {
	if ifNoneMatch == "*" && cur != nil {
		return gateway.ErrPreconditionFailed
	}
	if ifMatch != "" && (cur == nil || (ifMatch != "*" && ifMatch != cur.info.ETag)) {
		if cur == nil {
			return gateway.ErrNoSuchKey
		}
		return gateway.ErrPreconditionFailed
	}
	return nil
}

func (f *fakeNS) PutObject(_ context.Context, bucket, key string, body io.Reader, size int64, opts gateway.PutOptions) (gateway.ObjectInfo, error) {
	if opts.Lock != nil {
		return gateway.ObjectInfo{}, gateway.ErrNoLockConfig // no bucket of the fake has Object Lock
	}
	data, err := readBody(body, size)
	if err != nil {
		return gateway.ObjectInfo{}, err
	}
	sum := md5.Sum(data)
	info := gateway.ObjectInfo{Key: key, Size: int64(len(data)), ETag: hex.EncodeToString(sum[:]), Meta: opts.Meta, Checksum: opts.Checksum}
	if opts.ChecksumFunc != nil {
		info.Checksum = opts.ChecksumFunc()
	}
	return f.commit(bucket, key, data, info, opts.IfNoneMatch, opts.IfMatch)
}

func (f *fakeNS) commit(bucket, key string, data []byte, info gateway.ObjectInfo, inm, im string) (gateway.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putCalls++
	b, err := f.bucket(bucket)
	if err != nil {
		return gateway.ObjectInfo{}, err
	}
	if err := putCond(b.objects[key], inm, im); err != nil {
		return gateway.ObjectInfo{}, err
	}
	info.LastModified = f.stamp()
	b.objects[key] = &fakeObject{data: data, info: info}
	return info, nil
}

func (f *fakeNS) object(bucket, key string) (*fakeObject, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o, ok := b.objects[key]
	if !ok {
		return nil, gateway.ErrNoSuchKey
	}
	return o, nil
}

// getCond evaluates RFC 7232 conditions.
func getCond(info gateway.ObjectInfo, o gateway.GetOptions) error {
	if o.IfMatch != "" && o.IfMatch != "*" && o.IfMatch != info.ETag {
		return gateway.ErrPreconditionFailed
	}
	if o.IfMatch == "" && !o.IfUnmodifiedSince.IsZero() && info.LastModified.After(o.IfUnmodifiedSince) {
		return gateway.ErrPreconditionFailed
	}
	if o.IfNoneMatch != "" && (o.IfNoneMatch == "*" || o.IfNoneMatch == info.ETag) {
		return gateway.ErrNotModified
	}
	if o.IfNoneMatch == "" && !o.IfModifiedSince.IsZero() && !info.LastModified.After(o.IfModifiedSince) {
		return gateway.ErrNotModified
	}
	return nil
}

func (f *fakeNS) GetObject(_ context.Context, bucket, key string, opts gateway.GetOptions) (*gateway.ObjectReader, error) {
	o, err := f.object(bucket, key)
	if err != nil {
		return nil, err
	}
	if err := getCond(o.info, opts); err != nil {
		return &gateway.ObjectReader{Info: o.info}, err // with the info, as the gateway does
	}
	data := o.data
	r, err := gateway.ResolveRange(opts.Range, int64(len(data))) // the Namespace resolves ranges
	if err != nil {
		return &gateway.ObjectReader{Info: o.info}, err
	}
	if r != nil {
		data = data[r.Start : r.End+1]
	}
	return &gateway.ObjectReader{Info: o.info, Range: r, Body: io.NopCloser(bytes.NewReader(data))}, nil
}

func (f *fakeNS) HeadObject(_ context.Context, bucket, key string, opts gateway.GetOptions) (gateway.ObjectInfo, error) {
	o, err := f.object(bucket, key)
	if err != nil {
		return gateway.ObjectInfo{}, err
	}
	return o.info, getCond(o.info, opts)
}

func (f *fakeNS) DeleteObject(_ context.Context, bucket, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return err
	}
	delete(b.objects, key)
	return nil
}

func (f *fakeNS) DeleteObjects(ctx context.Context, bucket string, objs []gateway.ObjectVersion, o gateway.DeleteOptions) []gateway.DeleteResult {
	out := make([]gateway.DeleteResult, len(objs))
	for i, ov := range objs {
		out[i], _ = f.DeleteVersion(ctx, bucket, ov.Key, ov.VersionID, o)
	}
	return out
}

// DeleteVersion knows only unversioned buckets: the null version is the
// object, any other version id is malformed.
func (f *fakeNS) DeleteVersion(ctx context.Context, bucket, key, vid string, _ gateway.DeleteOptions) (gateway.DeleteResult, error) {
	r := gateway.DeleteResult{Key: key, VersionID: vid, Err: gateway.ErrInvalidVersionID}
	if vid == "" || vid == gateway.NullVersion {
		r.Err = f.DeleteObject(ctx, bucket, key)
	}
	return r, r.Err
}

func (f *fakeNS) ListObjectVersions(ctx context.Context, bucket string, q gateway.VersionQuery) (gateway.VersionList, error) {
	l, err := f.ListObjects(ctx, bucket, gateway.ListQuery{Prefix: q.Prefix, Delimiter: q.Delimiter, Marker: q.KeyMarker, MaxKeys: q.MaxKeys})
	out := gateway.VersionList{CommonPrefixes: l.CommonPrefixes, IsTruncated: l.IsTruncated, NextKeyMarker: l.NextMarker}
	for _, o := range l.Objects {
		o.VersionID, o.IsLatest = gateway.NullVersion, true
		out.Versions = append(out.Versions, o)
	}
	return out, err
}

func (f *fakeNS) GetBucketVersioning(ctx context.Context, bucket string) (gateway.Versioning, error) {
	_, err := f.HeadBucket(ctx, bucket)
	return gateway.VersioningOff, err
}

func (f *fakeNS) PutBucketVersioning(context.Context, string, gateway.Versioning) error {
	return gateway.ErrInvalidArgument
}

// The fake has no Object Lock: its buckets have no configuration.

func (f *fakeNS) CreateLockedBucket(context.Context, string) error { return gateway.ErrInvalidArgument }

func (f *fakeNS) GetObjectLockConfiguration(ctx context.Context, bucket string) (gateway.LockConfig, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return gateway.LockConfig{}, err
	}
	return gateway.LockConfig{}, gateway.ErrNoLockConfig
}

func (f *fakeNS) PutObjectLockConfiguration(context.Context, string, gateway.LockConfig) error {
	return gateway.ErrInvalidBucketState
}

func (f *fakeNS) GetObjectLock(context.Context, string, string, string) (gateway.ObjectLock, error) {
	return gateway.ObjectLock{}, gateway.ErrNoLockConfig
}

func (f *fakeNS) PutObjectRetention(context.Context, string, string, string, gateway.RetentionMode, time.Time, bool) error {
	return gateway.ErrNoLockConfig
}

func (f *fakeNS) PutObjectLegalHold(context.Context, string, string, string, bool) error {
	return gateway.ErrNoLockConfig
}

// The fake keeps no tags: every object and bucket has none.

func (f *fakeNS) GetObjectTagging(ctx context.Context, bucket, key, _ string) (gateway.Tags, string, error) {
	_, err := f.HeadObject(ctx, bucket, key, gateway.GetOptions{})
	return gateway.Tags{}, "", err
}

func (f *fakeNS) PutObjectTagging(context.Context, string, string, string, gateway.Tags) (string, error) {
	return "", gateway.ErrInvalidTag
}

func (f *fakeNS) DeleteObjectTagging(ctx context.Context, bucket, key, _ string) (string, error) {
	_, err := f.HeadObject(ctx, bucket, key, gateway.GetOptions{})
	return "", err
}

func (f *fakeNS) GetBucketTagging(ctx context.Context, bucket string) (gateway.Tags, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	return nil, gateway.ErrNoSuchTagSet
}

func (f *fakeNS) PutBucketTagging(context.Context, string, gateway.Tags) error {
	return gateway.ErrInvalidTag
}

func (f *fakeNS) CopyObject(_ context.Context, sb, sk, db, dk string, opts gateway.CopyOptions) (gateway.ObjectInfo, error) {
	src, err := f.object(sb, sk)
	if err != nil {
		return gateway.ObjectInfo{}, err
	}
	if err := getCond(src.info, opts.Source); err != nil {
		return gateway.ObjectInfo{}, gateway.ErrPreconditionFailed
	}
	info := src.info
	info.Key = dk
	info.Meta = opts.CopiedMeta(src.info.Meta)
	return f.commit(db, dk, src.data, info, opts.IfNoneMatch, opts.IfMatch)
}

func (f *fakeNS) ListObjects(_ context.Context, bucket string, q gateway.ListQuery) (gateway.ListResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return gateway.ListResult{}, err
	}
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	limit := q.MaxKeys
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var res gateway.ListResult
	last := ""
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) || k <= q.Marker {
			continue
		}
		entry, isPrefix := k, false
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				entry, isPrefix = k[:len(q.Prefix)+i+len(q.Delimiter)], true
			}
		}
		if isPrefix && (entry == last || entry <= q.Marker) {
			continue
		}
		if len(res.Objects)+len(res.CommonPrefixes) == limit {
			res.IsTruncated, res.NextMarker = true, last
			break
		}
		last = entry
		if isPrefix {
			res.CommonPrefixes = append(res.CommonPrefixes, entry)
		} else {
			o := b.objects[k].info
			o.Meta = nil
			res.Objects = append(res.Objects, o)
		}
	}
	return res, nil
}

// The fake has no lifecycle rules.

func (f *fakeNS) GetBucketLifecycle(ctx context.Context, bucket string) ([]gateway.LifecycleRule, error) {
	if _, err := f.HeadBucket(ctx, bucket); err != nil {
		return nil, err
	}
	return nil, gateway.ErrNoSuchLifecycle
}

func (f *fakeNS) PutBucketLifecycle(context.Context, string, []gateway.LifecycleRule) error {
	return gateway.ErrInvalidArgument
}
