package s3api

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync/atomic"

	"github.com/johannesboyne/gofakes3"
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
)

// backend adapts one user's gateway.Namespace to gofakes3.Backend and
// gofakes3.MultipartBackend. gofakes3 passes no context, so calls use
// context.Background(); the hot paths (object data, listings) are served by
// s3api itself with the request context and never reach this adapter.
type backend struct {
	user string
	log  zerolog.Logger
	nsp  atomic.Pointer[nsBox]
}

var (
	_ gofakes3.Backend          = (*backend)(nil)
	_ gofakes3.MultipartBackend = (*backend)(nil)
)

func bg() context.Context { return context.Background() }

func (b *backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	bs, err := b.ns().ListBuckets(bg())
	if err != nil {
		return nil, b.fakesErr(err)
	}
	out := make([]gofakes3.BucketInfo, len(bs))
	for i, x := range bs {
		out[i] = gofakes3.BucketInfo{Name: x.Name, CreationDate: gofakes3.NewContentTime(x.Created)}
	}
	return out, nil
}

func (b *backend) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	q := gateway.ListQuery{Marker: page.Marker, MaxKeys: int(page.MaxKeys)}
	if prefix != nil {
		q.Prefix, q.Delimiter = prefix.Prefix, prefix.Delimiter
	}
	res, err := b.ns().ListObjects(bg(), name, q)
	if err != nil {
		return nil, b.fakesErr(err)
	}
	out := gofakes3.NewObjectList()
	for _, o := range res.Objects {
		out.Add(&gofakes3.Content{Key: o.Key, LastModified: gofakes3.NewContentTime(o.LastModified),
			ETag: quoteETag(o.ETag), Size: o.Size, StorageClass: "STANDARD"})
	}
	for _, p := range res.CommonPrefixes {
		out.AddPrefix(p)
	}
	out.IsTruncated, out.NextMarker = res.IsTruncated, res.NextMarker
	return out, nil
}

func (b *backend) CreateBucket(name string) error { return b.fakesErr(b.ns().CreateBucket(bg(), name)) }

func (b *backend) BucketExists(name string) (bool, error) {
	_, err := b.ns().HeadBucket(bg(), name)
	if errors.Is(err, gateway.ErrNoSuchBucket) {
		return false, nil
	}
	return err == nil, b.fakesErr(err)
}

func (b *backend) DeleteBucket(name string) error { return b.fakesErr(b.ns().DeleteBucket(bg(), name)) }

// ForceDeleteBucket (MinIO's x-minio-force-delete) is not offered.
func (b *backend) ForceDeleteBucket(string) error { return gofakes3.ErrNotImplemented }

func (b *backend) GetObject(bucket, key string, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	var opts gateway.GetOptions
	if rr != nil {
		info, err := b.ns().HeadObject(bg(), bucket, key, gateway.GetOptions{})
		if err != nil {
			return nil, b.fakesErr(err)
		}
		r, err := rr.Range(info.Size)
		if err != nil {
			return nil, err
		}
		if r != nil {
			opts.Range = &gateway.Range{Start: r.Start, End: r.Start + r.Length - 1}
		}
	}
	or, err := b.ns().GetObject(bg(), bucket, key, opts)
	if err != nil {
		return nil, b.fakesErr(err)
	}
	obj := objectOf(or.Info)
	obj.Contents = or.Body
	if or.Range != nil {
		obj.Range = &gofakes3.ObjectRange{Start: or.Range.Start, Length: or.Range.End - or.Range.Start + 1}
	}
	return obj, nil
}

func (b *backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	info, err := b.ns().HeadObject(bg(), bucket, key, gateway.GetOptions{})
	if err != nil {
		return nil, b.fakesErr(err)
	}
	obj := objectOf(info)
	obj.Contents = io.NopCloser(strings.NewReader(""))
	return obj, nil
}

func objectOf(info gateway.ObjectInfo) *gofakes3.Object {
	hash, _ := hex.DecodeString(strings.SplitN(info.ETag, "-", 2)[0])
	meta := map[string]string{"Last-Modified": info.LastModified.UTC().Format(httpTime)}
	for k, v := range info.Meta {
		meta[k] = v
	}
	return &gofakes3.Object{Name: info.Key, Metadata: meta, Size: info.Size, Hash: hash}
}

func (b *backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	return gofakes3.ObjectDeleteResult{}, b.fakesErr(b.ns().DeleteObject(bg(), bucket, key))
}

func (b *backend) PutObject(bucket, key string, meta map[string]string, in io.Reader, size int64, c *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	opts := gateway.PutOptions{Meta: filterMeta(meta)}
	if c != nil && c.IfMatch != nil {
		opts.IfMatch = unquoteETag(*c.IfMatch)
	}
	if c != nil && c.IfNoneMatch != nil {
		opts.IfNoneMatch = *c.IfNoneMatch
	}
	_, err := b.ns().PutObject(bg(), bucket, key, in, size, opts)
	return gofakes3.PutObjectResult{}, b.fakesErr(err)
}

func (b *backend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var out gofakes3.MultiDeleteResult
	for _, r := range b.ns().DeleteObjects(bg(), bucket, keys) {
		if r.Err == nil {
			out.Deleted = append(out.Deleted, gofakes3.ObjectID{Key: r.Key})
			continue
		}
		e := toAPIError(r.Err, "")
		if e.status >= 500 {
			b.log.Error().Str("user", b.user).Err(r.Err).Msg("s3 delete failed")
		}
		out.Error = append(out.Error, gofakes3.ErrorResult{Key: r.Key, Code: gofakes3.ErrorCode(e.Code), Message: e.Message})
	}
	return out, nil
}

func (b *backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, _ map[string]string) (gofakes3.CopyObjectResult, error) {
	info, err := b.ns().CopyObject(bg(), srcBucket, srcKey, dstBucket, dstKey, gateway.CopyOptions{})
	if err != nil {
		return gofakes3.CopyObjectResult{}, b.fakesErr(err)
	}
	return gofakes3.CopyObjectResult{ETag: quoteETag(info.ETag), LastModified: gofakes3.NewContentTime(info.LastModified)}, nil
}

// filterMeta keeps what gateway.Meta may hold from gofakes3's header map
// (which holds every X-Amz-* request header).
func filterMeta(in map[string]string) gateway.Meta {
	out := gateway.Meta{}
	for k, v := range in {
		lk := strings.ToLower(k)
		if contentHeaders[lk] || strings.HasPrefix(lk, metaPrefix) {
			out[lk] = v
		}
	}
	return out
}
