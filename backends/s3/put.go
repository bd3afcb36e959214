package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/backends"
)

// Put stores the body under key: one PutObject for a body of at most
// PartSize bytes, a multipart upload otherwise (see the package
// documentation). size -1 means unknown.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := checkPut(key, size, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	partSize, err := s.partSize(size)
	if err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("s3: put %q: %w", key, err)
	}
	held, err := s.buffers.acquire(ctx, firstBuffer(size, partSize))
	if err != nil {
		return backends.ObjectInfo{}, fmt.Errorf("s3: put %q: wait for buffer memory: %w", key, err)
	}
	defer s.buffers.release(held)
	c := &chunker{r: r}
	if size >= 0 {
		c.r = &exactReader{r: r, left: size}
	}
	first, last, err := c.first(partSize, size)
	if err != nil {
		return backends.ObjectInfo{}, readErr(key, err)
	}
	if last {
		return s.putSingle(ctx, key, first, opts)
	}
	return s.putMultipart(ctx, key, c, first, partSize, opts)
}

// checkPut validates the arguments of a write.
func checkPut(key string, size int64, opts backends.PutOptions) error {
	if err := backends.CheckPut(key, size, opts); err != nil {
		return fmt.Errorf("s3: %w", err)
	}
	return nil
}

// partSize is the part size for a body of size bytes (-1: unknown): the
// configured one, raised when a known size would need more than 10000 parts.
func (s *Store) partSize(size int64) (int, error) {
	ps := s.cfg.PartSize
	if size > ps*maxParts {
		const mib = 1 << 20
		ps = ((size+maxParts-1)/maxParts + mib - 1) / mib * mib
	}
	if ps > maxPartSize {
		return 0, fmt.Errorf("body of %d bytes exceeds the S3 object size limit", size)
	}
	return int(ps), nil
}

// firstBuffer is the size of the first buffer of a Put: the whole body when
// it fits in one part, one part otherwise.
func firstBuffer(size int64, partSize int) int64 {
	if size >= 0 {
		return min(size, int64(partSize))
	}
	return int64(partSize)
}

// readErr wraps a failure to read the caller's body.
func readErr(key string, err error) error {
	return fmt.Errorf("s3: put %q: read body: %w", key, err)
}

// putSingle stores data with one PutObject.
func (s *Store) putSingle(ctx context.Context, key string, data []byte, opts backends.PutOptions) (backends.ObjectInfo, error) {
	in := &s3.PutObjectInput{
		Bucket:        &s.cfg.Bucket,
		Key:           s.obj(key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}
	in.IfNoneMatch, in.IfMatch = conditions(opts)
	out, err := s.client.PutObject(ctx, in, s.payloadOption)
	if err != nil {
		return backends.ObjectInfo{}, condErr(mapErr(ctx, "put", key, err), opts)
	}
	return backends.ObjectInfo{
		Key:     key,
		Size:    int64(len(data)),
		ETag:    trimETag(out.ETag),
		ModTime: responseDate(out.ResultMetadata),
	}, nil
}

// conditions returns the If-None-Match and If-Match headers for opts.
func conditions(opts backends.PutOptions) (ifNoneMatch, ifMatch *string) {
	if opts.IfAbsent {
		ifNoneMatch = aws.String("*")
	}
	if opts.IfMatch != "" {
		ifMatch = quoteETag(opts.IfMatch)
	}
	return ifNoneMatch, ifMatch
}

// condErr turns the 404 that S3 answers to If-Match on an absent object into
// ErrPreconditionFailed, as the Store contract wants.
func condErr(err error, opts backends.PutOptions) error {
	if opts.IfMatch != "" && errors.Is(err, backends.ErrNotExist) {
		return fmt.Errorf("%w: %w", backends.ErrPreconditionFailed, err)
	}
	return err
}

// payloadOption sends request bodies as UNSIGNED-PAYLOAD over HTTPS: TLS
// protects them in transit and hashing them twice costs CPU. Over plain HTTP
// the payload stays signed.
func (s *Store) payloadOption(o *s3.Options) {
	if s.https {
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	}
}

// responseDate is the Date of the upstream's answer, or now if it has none.
func responseDate(md middleware.Metadata) time.Time {
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		if t, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return t
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}

// chunker cuts a body into parts, looking one byte ahead so that it knows
// when a full part is the last one.
type chunker struct {
	r       io.Reader
	peek    [1]byte
	hasPeek bool
}

// first reads the first part: exactly min(size, partSize) bytes for a known
// size, up to partSize bytes (in a growing buffer) otherwise. last reports
// whether the body ended.
func (c *chunker) first(partSize int, size int64) (data []byte, last bool, err error) {
	if size >= 0 {
		buf := make([]byte, min(size, int64(partSize)))
		n, last, err := c.fill(buf)
		return buf[:n], last, err
	}
	data, eof, err := readUpTo(c.r, partSize)
	if err != nil || eof {
		return data, eof, err
	}
	last, err = c.lookahead()
	return data, last, err
}

// fill reads the next part into buf. last reports whether the body ended;
// when it did not, buf is full.
func (c *chunker) fill(buf []byte) (n int, last bool, err error) {
	if c.hasPeek && len(buf) > 0 {
		buf[0], n, c.hasPeek = c.peek[0], 1, false
	}
	m, err := io.ReadFull(c.r, buf[n:])
	n += m
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return n, true, nil
	case err != nil:
		return n, false, err
	}
	last, err = c.lookahead()
	return n, last, err
}

// lookahead reads one byte ahead and reports whether the body ended.
func (c *chunker) lookahead() (bool, error) {
	k, err := io.ReadFull(c.r, c.peek[:])
	if k == 1 {
		c.hasPeek = true
		return false, nil
	}
	if err == io.EOF {
		return true, nil
	}
	return false, err
}

// readUpTo reads at most limit bytes, growing its buffer as data comes, so
// that a small body of unknown size costs little memory. eof reports whether
// the body ended before limit.
func readUpTo(r io.Reader, limit int) (data []byte, eof bool, err error) {
	buf := make([]byte, 0, min(limit, 64<<10))
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(make([]byte, 0, min(2*cap(buf), limit)), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
	return buf, false, nil
}

// exactReader yields exactly left bytes of r and fails with ErrSizeMismatch
// when r ends early or has more.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		var one [1]byte
		n, err := io.ReadFull(e.r, one[:])
		switch {
		case n > 0:
			return 0, fmt.Errorf("body longer than announced: %w", backends.ErrSizeMismatch)
		case err != io.EOF:
			return 0, err
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF && e.left > 0 {
		return n, fmt.Errorf("body %d bytes shorter than announced: %w", e.left, backends.ErrSizeMismatch)
	}
	if err == io.EOF {
		err = nil // the end is reported by the next call, after the check
	}
	return n, err
}
