package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/backends"
)

// copyPartLimit is the largest source CopyObject takes and the largest range
// one UploadPartCopy copies (S3: 5 GiB). A variable so tests can lower it.
var copyPartLimit int64 = maxPartSize

// Copy stores a copy of src under dst with CopyObject, or with
// UploadPartCopy (in ranges when src is larger than 5 GiB) when src is that
// large or opts has a condition.
func (s *Store) Copy(ctx context.Context, src, dst string, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := checkPut(dst, -1, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	info, err := s.Stat(ctx, src) // the size decides how; a missing src is ErrNotExist
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	if info.Size > copyPartLimit || opts.IfAbsent || opts.IfMatch != "" {
		return s.conditionalCopy(ctx, dst, info, opts)
	}
	out, err := s.client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &s.cfg.Bucket, Key: s.obj(dst), CopySource: s.copySource(src)})
	if err != nil {
		return backends.ObjectInfo{}, mapErr(ctx, "copy to", dst, err)
	}
	res := out.CopyObjectResult
	if res == nil {
		res = &types.CopyObjectResult{}
	}
	return backends.ObjectInfo{Key: dst, Size: info.Size, ETag: trimETag(res.ETag), ModTime: aws.ToTime(res.LastModified)}, nil
}

// conditionalCopy copies the source described by info as a multipart
// upload of copied parts, so that opts travels with CompleteMultipartUpload:
// versitygw 1.8 and MinIO ignore conditions on CopyObject but honour them
// there. An empty source has no part to copy; a conditional PutObject of
// nothing stores the same.
func (s *Store) conditionalCopy(ctx context.Context, dst string, info backends.ObjectInfo, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if info.Size == 0 {
		return s.Put(ctx, dst, strings.NewReader(""), 0, opts)
	}
	return s.composeCopy(ctx, dst, []backends.ObjectInfo{info}, opts)
}

// copySource is the URL-encoded "bucket/object" of key for x-amz-copy-source.
func (s *Store) copySource(key string) *string {
	segs := strings.Split(s.cfg.Prefix+key, "/")
	for i, seg := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(seg), "+", "%2B")
	}
	return aws.String(url.PathEscape(s.cfg.Bucket) + "/" + strings.Join(segs, "/"))
}

// Compose stores the concatenation of srcs under dst. When every source but
// the last has at least 5 MiB, the upstream copies them (multipart upload
// with UploadPartCopy); otherwise they are streamed through a Put. Empty
// sources are skipped.
func (s *Store) Compose(ctx context.Context, dst string, srcs []string, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := checkPut(dst, -1, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	infos, err := s.statAll(ctx, srcs)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	switch {
	case len(infos) == 0:
		return s.Put(ctx, dst, strings.NewReader(""), 0, opts)
	case len(infos) == 1 && infos[0].Size <= copyPartLimit:
		return s.Copy(ctx, infos[0].Key, dst, opts)
	case copyable(infos):
		return s.composeCopy(ctx, dst, infos, opts)
	}
	cr := &concatReader{ctx: ctx, s: s, srcs: infos}
	defer func() { _ = cr.Close() }() // Put does not close its reader
	return s.Put(ctx, dst, cr, totalSize(infos), opts)
}

// statAll describes the sources, leaving out empty ones.
func (s *Store) statAll(ctx context.Context, srcs []string) ([]backends.ObjectInfo, error) {
	infos := make([]backends.ObjectInfo, 0, len(srcs))
	for _, src := range srcs {
		info, err := s.Stat(ctx, src)
		if err != nil {
			return nil, err
		}
		if info.Size > 0 {
			infos = append(infos, info)
		}
	}
	return infos, nil
}

// copyable reports whether the sources can be parts of one upload: all but
// the last at least 5 MiB, at most 10000 parts in all.
func copyable(infos []backends.ObjectInfo) bool {
	parts := 0
	for i, info := range infos {
		if i < len(infos)-1 && info.Size < minPartSize {
			return false
		}
		parts += len(copyRanges(info.Size))
	}
	return parts <= maxParts
}

func totalSize(infos []backends.ObjectInfo) int64 {
	var n int64
	for _, info := range infos {
		n += info.Size
	}
	return n
}

// copyRanges splits a source into UploadPartCopy ranges of at most
// copyPartLimit bytes, of nearly equal sizes; nil means "whole object".
func copyRanges(size int64) []*string {
	if size <= copyPartLimit {
		return []*string{nil}
	}
	n := (size + copyPartLimit - 1) / copyPartLimit
	piece := (size + n - 1) / n
	var ranges []*string
	for off := int64(0); off < size; off += piece {
		ranges = append(ranges, rangeHeader(off, min(piece, size-off)))
	}
	return ranges
}

// copyPart is one UploadPartCopy: a source, its version and a range.
type copyPart struct {
	num  int32
	src  backends.ObjectInfo
	rng  *string
	etag *string // the part's ETag, once copied
}

// composeCopy builds dst from the sources with one multipart upload whose
// parts the upstream copies. Sources must not change meanwhile: each part is
// copied only if the source still has the ETag seen by Stat.
func (s *Store) composeCopy(ctx context.Context, dst string, infos []backends.ObjectInfo, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := s.precheck(ctx, dst, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	var parts []*copyPart
	for _, info := range infos {
		for _, rng := range copyRanges(info.Size) {
			parts = append(parts, &copyPart{num: int32(len(parts) + 1), src: info, rng: rng})
		}
	}
	id, err := s.createUpload(ctx, dst)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	info, err := s.copyParts(ctx, dst, id, parts, opts)
	if err != nil {
		return backends.ObjectInfo{}, errors.Join(err, s.abort(ctx, dst, id))
	}
	info.Size = totalSize(infos)
	return info, nil
}

// copyParts runs the UploadPartCopy calls, Concurrency at a time, then
// completes the upload. After a failure no new part starts (see
// uploadParts for why the running ones are not cancelled).
func (s *Store) copyParts(ctx context.Context, dst string, id *string, parts []*copyPart, opts backends.PutOptions) (backends.ObjectInfo, error) {
	sem := make(chan struct{}, s.cfg.Concurrency)
	var wg sync.WaitGroup
	var failed atomic.Bool
	errs := make([]error, len(parts))
	for i, p := range parts {
		sem <- struct{}{}
		if failed.Load() {
			<-sem
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if errs[i] = s.copyPart(ctx, dst, id, p); errs[i] != nil {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	if err := firstErr(errs); err != nil {
		return backends.ObjectInfo{}, err
	}
	done := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		done[i] = types.CompletedPart{PartNumber: aws.Int32(p.num), ETag: p.etag}
	}
	return s.complete(ctx, dst, id, done, opts)
}

// firstErr returns the first error that is not the cancellation caused by
// another one, else the first error, else nil.
func firstErr(errs []error) error {
	var first error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// copyPart copies one part. A changed source is not the caller's
// precondition failing, so that case gets its own error.
func (s *Store) copyPart(ctx context.Context, dst string, id *string, p *copyPart) error {
	out, err := s.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
		Bucket:            &s.cfg.Bucket,
		Key:               s.obj(dst),
		UploadId:          id,
		PartNumber:        aws.Int32(p.num),
		CopySource:        s.copySource(p.src.Key),
		CopySourceRange:   p.rng,
		CopySourceIfMatch: quoteETag(p.src.ETag),
	})
	if err != nil {
		err = mapErr(ctx, fmt.Sprintf("copy part %d from %q to", p.num, p.src.Key), dst, err)
		if errors.Is(err, backends.ErrPreconditionFailed) {
			return fmt.Errorf("s3: compose %q: source %q changed meanwhile", dst, p.src.Key)
		}
		return err
	}
	if out.CopyPartResult == nil || out.CopyPartResult.ETag == nil {
		return fmt.Errorf("s3: copy part %d to %q: no ETag in answer", p.num, dst)
	}
	p.etag = out.CopyPartResult.ETag
	return nil
}

// concatReader reads the sources one after the other, each pinned to the
// ETag seen by Stat.
type concatReader struct {
	ctx  context.Context
	s    *Store
	srcs []backends.ObjectInfo
	cur  io.ReadCloser
}

func (c *concatReader) Read(p []byte) (int, error) {
	for {
		if c.cur == nil {
			if len(c.srcs) == 0 {
				return 0, io.EOF
			}
			if err := c.open(); err != nil {
				return 0, err
			}
		}
		n, err := c.cur.Read(p)
		if err == io.EOF {
			_ = c.cur.Close()
			c.cur, err = nil, nil
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}

// open starts reading the next source.
func (c *concatReader) open() error {
	src := c.srcs[0]
	rc, info, err := c.s.Get(c.ctx, src.Key, 0, -1)
	if err != nil {
		return err
	}
	if info.ETag != src.ETag {
		_ = rc.Close()
		return fmt.Errorf("s3: compose: source %q changed meanwhile", src.Key)
	}
	c.cur, c.srcs = rc, c.srcs[1:]
	return nil
}

// Close closes the source being read, if any.
func (c *concatReader) Close() error {
	if c.cur == nil {
		return nil
	}
	err := c.cur.Close()
	c.cur = nil
	return err
}
