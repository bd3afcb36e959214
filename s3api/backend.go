package s3api

import (
	"context"
	"errors"
	"io"
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

// The object and listing methods below are never reached: route serves
// ListBuckets, ListObjects (all versions), GetObject, HeadObject, PutObject
// and CopyObject itself, and hands gofakes3 only CreateBucket, DeleteBucket,
// DeleteObjects, DeleteObject, ListMultipartUploads, ListParts and
// AbortMultipartUpload requests, none of which calls them. They exist to
// satisfy gofakes3.Backend (as CompleteMultipartUpload in
// backend_multipart.go does gofakes3.MultipartBackend: route serves it).

// ListBuckets is unreachable (route serves ListBuckets).
func (b *backend) ListBuckets() ([]gofakes3.BucketInfo, error) {
	return nil, gofakes3.ErrNotImplemented
}

// ListBucket is unreachable (route serves ListObjects and ListObjectsV2).
func (b *backend) ListBucket(string, *gofakes3.Prefix, gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	return nil, gofakes3.ErrNotImplemented
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

// GetObject is unreachable (route serves GetObject).
func (b *backend) GetObject(string, string, *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return nil, gofakes3.ErrNotImplemented
}

// HeadObject is unreachable (route serves HeadObject and CopyObject).
func (b *backend) HeadObject(string, string) (*gofakes3.Object, error) {
	return nil, gofakes3.ErrNotImplemented
}

func (b *backend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	return gofakes3.ObjectDeleteResult{}, b.fakesErr(b.ns().DeleteObject(bg(), bucket, key))
}

// PutObject is unreachable (route serves PutObject and rejects
// browser-upload POSTs).
func (b *backend) PutObject(string, string, map[string]string, io.Reader, int64, *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	return gofakes3.PutObjectResult{}, gofakes3.ErrNotImplemented
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

// CopyObject is unreachable (route serves CopyObject).
func (b *backend) CopyObject(string, string, string, string, map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObjectResult{}, gofakes3.ErrNotImplemented
}
