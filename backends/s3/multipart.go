package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sealgate/sealgate/backends"
)

// abortTimeout bounds the clean-up of a failed multipart upload, which runs
// even when the caller's context is cancelled.
const abortTimeout = 30 * time.Second

// abortTries is how often abort tries to remove an upload.
const abortTries = 5

// putMultipart stores a body larger than one part: first is its first part
// (full), c yields the rest.
func (s *Store) putMultipart(ctx context.Context, key string, c *chunker, first []byte, partSize int, opts backends.PutOptions) (backends.ObjectInfo, error) {
	if err := s.precheck(ctx, key, opts); err != nil {
		return backends.ObjectInfo{}, err
	}
	id, err := s.createUpload(ctx, key)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	parts, total, err := s.uploadParts(ctx, key, id, c, first, partSize)
	var info backends.ObjectInfo
	if err == nil {
		info, err = s.complete(ctx, key, id, parts, opts)
		info.Size = total
	}
	if err != nil {
		return backends.ObjectInfo{}, errors.Join(err, s.abort(ctx, key, id))
	}
	return info, nil
}

// precheck fails fast when a conditional write is already known to fail,
// before any part is sent. The final request still carries the condition.
func (s *Store) precheck(ctx context.Context, key string, opts backends.PutOptions) error {
	if !opts.IfAbsent && opts.IfMatch == "" {
		return nil
	}
	info, err := s.Stat(ctx, key)
	switch {
	case opts.IfAbsent && err == nil:
		return fmt.Errorf("s3: put %q: object exists: %w", key, backends.ErrPreconditionFailed)
	case opts.IfAbsent && errors.Is(err, backends.ErrNotExist):
		return nil
	case err != nil:
		return condErr(err, opts)
	case info.ETag != opts.IfMatch:
		return fmt.Errorf("s3: put %q: ETag %q, want %q: %w", key, info.ETag, opts.IfMatch, backends.ErrPreconditionFailed)
	}
	return nil
}

// createUpload starts a multipart upload and returns its id.
func (s *Store) createUpload(ctx context.Context, key string) (*string, error) {
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &s.cfg.Bucket, Key: s.obj(key)})
	if err != nil {
		return nil, mapErr(ctx, "create multipart upload", key, err)
	}
	if out.UploadId == nil {
		return nil, fmt.Errorf("s3: create multipart upload %q: no upload id", key)
	}
	return out.UploadId, nil
}

// abort removes a failed upload and its parts, with a context of its own.
// A part still being written (its request was cancelled) can make the
// upstream keep the upload or some parts, as AWS documents; so abort
// repeats until ListParts no longer finds the upload.
func (s *Store) abort(ctx context.Context, key string, id *string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
	defer cancel()
	var err error
	for i := range abortTries {
		if i > 0 {
			time.Sleep(time.Duration(50<<i) * time.Millisecond)
		}
		_, err = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.cfg.Bucket, Key: s.obj(key), UploadId: id})
		if err == nil || isNoSuchUpload(err) {
			_, err = s.client.ListParts(ctx, &s3.ListPartsInput{Bucket: &s.cfg.Bucket, Key: s.obj(key), UploadId: id, MaxParts: aws.Int32(1)})
			if isNoSuchUpload(err) {
				return nil
			}
			err = errors.New("upload still listed after abort")
		}
	}
	return mapErr(ctx, "abort multipart upload", key, err)
}

// isNoSuchUpload reports whether err says the upload does not exist.
func isNoSuchUpload(err error) bool {
	var nsu *types.NoSuchUpload
	var apiErr smithy.APIError
	return errors.As(err, &nsu) || (errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload")
}

// complete makes the upload visible, honouring opts.
func (s *Store) complete(ctx context.Context, key string, id *string, parts []types.CompletedPart, opts backends.PutOptions) (backends.ObjectInfo, error) {
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          &s.cfg.Bucket,
		Key:             s.obj(key),
		UploadId:        id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	in.IfNoneMatch, in.IfMatch = conditions(opts)
	out, err := s.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return backends.ObjectInfo{}, condErr(mapErr(ctx, "complete multipart upload", key, err), opts)
	}
	return backends.ObjectInfo{Key: key, ETag: trimETag(out.ETag), ModTime: responseDate(out.ResultMetadata)}, nil
}

// partUploader runs the UploadPart calls of one upload in parallel. Each call
// owns one of at most Concurrency buffers, which bounds memory; buffers beyond
// the first are taken from the Store's budget only when it has room.
type partUploader struct {
	s       *Store
	key     string
	id      *string
	free    chan []byte // buffers whose part is sent
	wg      sync.WaitGroup
	mu      sync.Mutex
	parts   []types.CompletedPart
	err     error // the first failure
	buffers int   // allocated so far
	held    int64 // bytes of extra buffers taken from the budget
}

// uploadParts sends first and the rest of c as parts 1..N and returns the
// parts in order with the total size. After a failure no new part starts,
// but the parts in flight finish: cancelling them would leave the upstream
// writing parts while the upload is aborted (versitygw then keeps the
// upload).
func (s *Store) uploadParts(ctx context.Context, key string, id *string, c *chunker, first []byte, partSize int) ([]types.CompletedPart, int64, error) {
	u := &partUploader{s: s, key: key, id: id, free: make(chan []byte, s.cfg.Concurrency), buffers: 1}
	total, err := u.run(ctx, c, first, partSize)
	u.fail(err)
	u.wg.Wait()
	s.buffers.release(u.held)
	if u.err != nil {
		return nil, 0, u.err
	}
	slices.SortFunc(u.parts, func(a, b types.CompletedPart) int { return int(*a.PartNumber - *b.PartNumber) })
	return u.parts, total, nil
}

// run reads parts and starts their uploads until the body ends or a failure.
func (u *partUploader) run(ctx context.Context, c *chunker, buf []byte, partSize int) (int64, error) {
	var total int64
	for num, last := int32(1), false; ; num++ {
		if u.failed() {
			return 0, nil // a part failed; its error is recorded
		}
		if num > maxParts {
			return 0, fmt.Errorf("s3: put %q: body exceeds %d parts of %d bytes", u.key, maxParts, partSize)
		}
		total += int64(len(buf))
		u.start(ctx, num, buf)
		if last {
			return total, nil
		}
		next, err := u.buffer(ctx, partSize)
		if err != nil {
			return 0, err
		}
		var n int
		if n, last, err = c.fill(next); err != nil {
			return 0, readErr(u.key, err)
		}
		if n == 0 && last {
			return total, nil
		}
		buf = next[:n]
	}
}

// buffer returns a free part buffer, allocating one while fewer than
// Concurrency exist and the budget has room, else waiting for a part to be
// sent.
func (u *partUploader) buffer(ctx context.Context, partSize int) ([]byte, error) {
	select {
	case b := <-u.free:
		return b[:partSize], nil
	default:
	}
	if u.buffers < u.s.cfg.Concurrency {
		if n, ok := u.s.buffers.try(int64(partSize)); ok {
			u.buffers++
			u.held += n
			return make([]byte, partSize), nil
		}
	}
	select {
	case b := <-u.free:
		return b[:partSize], nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start uploads one part in the background.
func (u *partUploader) start(ctx context.Context, num int32, data []byte) {
	u.wg.Add(1)
	go func() {
		defer u.wg.Done()
		etag, err := u.s.uploadPart(ctx, u.key, u.id, num, data)
		u.free <- data[:cap(data)]
		if err != nil {
			u.fail(err)
			return
		}
		u.mu.Lock()
		u.parts = append(u.parts, types.CompletedPart{PartNumber: aws.Int32(num), ETag: etag})
		u.mu.Unlock()
	}()
}

// fail records the first failure.
func (u *partUploader) fail(err error) {
	if err == nil {
		return
	}
	u.mu.Lock()
	if u.err == nil {
		u.err = err
	}
	u.mu.Unlock()
}

func (u *partUploader) failed() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err != nil
}

// uploadPart sends one part and returns its ETag.
func (s *Store) uploadPart(ctx context.Context, key string, id *string, num int32, data []byte) (*string, error) {
	out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        &s.cfg.Bucket,
		Key:           s.obj(key),
		UploadId:      id,
		PartNumber:    aws.Int32(num),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
	}, s.payloadOption)
	if err != nil {
		return nil, mapErr(ctx, fmt.Sprintf("upload part %d", num), key, err)
	}
	return out.ETag, nil
}
