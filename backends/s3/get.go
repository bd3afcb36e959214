package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/backends"
)

// Get returns bytes [off, off+n) of the object (to the end when n < 0) with
// one GetObject. A Range header is sent only when a range is asked for, so
// an empty object can be read whole.
func (s *Store) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if err := backends.CheckKey(key); err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	if off < 0 {
		return nil, backends.ObjectInfo{}, fmt.Errorf("s3: get %q: negative offset: %w", key, backends.ErrInvalidRange)
	}
	if n == 0 {
		return s.getEmpty(ctx, key, off)
	}
	in := s.getInput(key, off, n)
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		err = mapErr(ctx, "get", key, err)
		if off == 0 && errors.Is(err, backends.ErrInvalidRange) {
			return s.getEmptyAfter416(ctx, key, off, n)
		}
		return nil, backends.ObjectInfo{}, err
	}
	return s.answer(ctx, key, out, in, off, n)
}

// getInput is the GetObject request for [off, off+n) of key.
func (s *Store) getInput(key string, off, n int64) *s3.GetObjectInput {
	return &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: s.obj(key), Range: rangeHeader(off, n)}
}

// answer wraps a GET's response as the body and info of a Get.
func (s *Store) answer(ctx context.Context, key string, out *s3.GetObjectOutput, in *s3.GetObjectInput, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	info, err := getInfo(key, out)
	if err != nil {
		_ = out.Body.Close()
		return nil, backends.ObjectInfo{}, err
	}
	if out.ContentRange != nil || in.Range == nil {
		return &body{ctx: ctx, key: key, rc: out.Body}, info, nil
	}
	return s.cutBody(ctx, key, out.Body, info, off, n) // the upstream ignored Range
}

// getEmptyAfter416 answers a range at 0 the upstream refused (416): the
// object is empty, or was when the GET reached it. If a stat then finds it
// non-empty, it was replaced in between: the read is made again, once, so
// that the body and the info returned describe one version.
func (s *Store) getEmptyAfter416(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	rc, info, err := s.getEmpty(ctx, key, off)
	if err != nil || info.Size == 0 {
		return rc, info, err
	}
	in := s.getInput(key, off, n)
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return nil, backends.ObjectInfo{}, fmt.Errorf("s3: get %q: replaced while read: %w", key, mapErr(ctx, "get", key, err))
	}
	return s.answer(ctx, key, out, in, off, n)
}

// getEmpty answers a read of zero bytes: it checks off against the size.
func (s *Store) getEmpty(ctx context.Context, key string, off int64) (io.ReadCloser, backends.ObjectInfo, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	if err := checkOffset(key, off, info.Size); err != nil {
		return nil, backends.ObjectInfo{}, err
	}
	return io.NopCloser(strings.NewReader("")), info, nil
}

// cutBody serves a range from a full body, for upstreams that ignore Range.
func (s *Store) cutBody(ctx context.Context, key string, rc io.ReadCloser, info backends.ObjectInfo, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if err := checkOffset(key, off, info.Size); err != nil {
		_ = rc.Close()
		return nil, backends.ObjectInfo{}, err
	}
	if _, err := io.CopyN(io.Discard, rc, off); err != nil {
		_ = rc.Close()
		return nil, backends.ObjectInfo{}, mapErr(ctx, "get", key, err)
	}
	var r io.Reader = rc
	if n >= 0 {
		r = io.LimitReader(rc, n)
	}
	return &body{ctx: ctx, key: key, rc: rc, r: r}, info, nil
}

// checkOffset applies the contract: off beyond the size, or at the size of
// a non-empty object, is ErrInvalidRange.
func checkOffset(key string, off, size int64) error {
	if off > size || (off == size && size > 0) {
		return fmt.Errorf("s3: get %q: offset %d, size %d: %w", key, off, size, backends.ErrInvalidRange)
	}
	return nil
}

// rangeHeader formats the Range header, or nil for the whole object.
func rangeHeader(off, n int64) *string {
	switch {
	case n < 0 && off == 0:
		return nil
	case n < 0:
		return aws.String(fmt.Sprintf("bytes=%d-", off))
	default:
		return aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
}

// getInfo describes the whole object from a GetObject answer; the size
// comes from Content-Range when the answer is partial.
func getInfo(key string, out *s3.GetObjectOutput) (backends.ObjectInfo, error) {
	info := backends.ObjectInfo{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ETag:    trimETag(out.ETag),
		ModTime: aws.ToTime(out.LastModified),
	}
	if out.ContentRange == nil {
		return info, nil
	}
	size, err := rangeTotal(*out.ContentRange)
	if err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("s3: get %q: %w", key, err)
	}
	info.Size = size
	return info, nil
}

// rangeTotal parses the complete length from "bytes a-b/total".
func rangeTotal(cr string) (int64, error) {
	_, total, ok := strings.Cut(cr, "/")
	size, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil || size < 0 {
		return 0, fmt.Errorf("bad Content-Range %q", cr)
	}
	return size, nil
}

// body is a GetObject body whose read failures wrap ErrUnavailable (a
// connection that breaks mid-body) unless the context ended.
type body struct {
	ctx context.Context
	key string
	rc  io.ReadCloser
	r   io.Reader // rc, or a cut view of it; nil means rc
}

func (b *body) Read(p []byte) (int, error) {
	r := b.r
	if r == nil {
		r = b.rc
	}
	n, err := r.Read(p)
	if err != nil && err != io.EOF {
		err = mapErr(b.ctx, "read", b.key, err)
	}
	return n, err
}

func (b *body) Close() error { return b.rc.Close() }
