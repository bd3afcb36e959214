package s3

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/backends"
)

var _ backends.Copier = (*Store)(nil)

// maxCopySize is S3's limit of one CopyObject.
const maxCopySize = 5 << 30

// Copy implements backends.Copier with CopyObject, conditional on the
// source's ETag; a source over 5 GiB is backends.ErrTooLarge.
func (s *Store) Copy(ctx context.Context, src, srcETag, dst string) (backends.ObjectInfo, error) {
	for _, k := range []string{src, dst} {
		if err := backends.CheckKey(k); err != nil {
			return backends.ObjectInfo{}, err
		}
	}
	st, err := s.Stat(ctx, src)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	if st.ETag != srcETag {
		return backends.ObjectInfo{}, fmt.Errorf("%w: %s changed", backends.ErrPreconditionFailed, src)
	}
	if st.Size > maxCopySize {
		return backends.ObjectInfo{}, backends.ErrTooLarge
	}
	out, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &s.cfg.Bucket, Key: s.obj(dst),
		CopySource: s.copySource(src), CopySourceIfMatch: quoteETag(srcETag)})
	if err != nil {
		return backends.ObjectInfo{}, mapErr(ctx, "copy", dst, err)
	}
	info := backends.ObjectInfo{Key: dst, Size: st.Size}
	if out.CopyObjectResult != nil {
		info.ETag = trimETag(out.CopyObjectResult.ETag)
		info.ModTime = aws.ToTime(out.CopyObjectResult.LastModified)
	}
	return info, nil
}

// copySource is the URL-encoded "bucket/object" of key for x-amz-copy-source.
func (s *Store) copySource(key string) *string {
	segs := strings.Split(s.cfg.Prefix+key, "/")
	for i, seg := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(seg), "+", "%2B")
	}
	return aws.String(url.PathEscape(s.cfg.Bucket) + "/" + strings.Join(segs, "/"))
}
