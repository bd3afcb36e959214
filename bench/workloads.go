package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// s3Client returns a client that streams bodies unsigned (UNSIGNED-PAYLOAD)
// and computes no checksums: the client should cost as little CPU as it can,
// since it shares the machine with the servers.
func s3Client(p *proc) *s3.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(p.endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(p.ak, p.sk, ""),
		HTTPClient:                 &http.Client{Transport: tr},
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		APIOptions:                 []func(*middleware.Stack) error{v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware},
	})
}

// genReader yields n pseudo-random bytes from a repeating 1 MiB block,
// seekable (the SDK rewinds bodies) without holding n bytes.
type genReader struct {
	block []byte
	n     int64
	off   int64
}

func newGen(n int64) *genReader {
	b := make([]byte, 1<<20)
	x := uint64(88172645463325252)
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return &genReader{block: b, n: n}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	m := copy(p[:min(int64(len(p)), g.n-g.off)], g.block[g.off%int64(len(g.block)):])
	g.off += int64(m)
	return m, nil
}

func (g *genReader) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		g.off = off
	case io.SeekCurrent:
		g.off += off
	case io.SeekEnd:
		g.off = g.n + off
	}
	return g.off, nil
}

// settle flushes dirty pages to disk and waits a moment, so that a large
// write does not pay for the previous server's writeback: every target
// starts from the same disk state.
func settle() {
	syscall.Sync()
	time.Sleep(time.Second)
}

// bigPut uploads one object of size bytes in a single PUT; MB/s.
func bigPut(ctx context.Context, c *s3.Client, bucket, key string, size int64) (float64, error) {
	settle()
	start := time.Now()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: newGen(size), ContentLength: aws.Int64(size)})
	return mbps(size, time.Since(start)), err
}

// bigGet downloads it; MB/s.
func bigGet(ctx context.Context, c *s3.Client, bucket, key string) (float64, error) {
	start := time.Now()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, out.Body)
	_ = out.Body.Close()
	return mbps(n, time.Since(start)), err
}

func mbps(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// parallel runs fn(0) … fn(n-1) on conc goroutines and returns the
// operations per second, or the first error.
func parallel(n, conc int, fn func(i int) error) (float64, error) {
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if err := fn(int(i)); err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return float64(n) / time.Since(start).Seconds(), firstErr
}

// smallOps runs ops 4 KiB PUTs (or GETs of those objects) with conc
// clients; operations per second.
func smallOps(ctx context.Context, c *s3.Client, bucket string, ops, conc int, get bool) (float64, error) {
	body := bytes.Repeat([]byte("x"), 4096)
	return parallel(ops, conc, func(i int) error { return smallOp(ctx, c, bucket, i, body, get) })
}

// smallOp PUTs body as object i of the 4 KiB rows, or GETs it.
func smallOp(ctx context.Context, c *s3.Client, bucket string, i int, body []byte, get bool) error {
	key := fmt.Sprintf("small/%06d", i)
	if !get {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
		return err
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, out.Body)
	_ = out.Body.Close()
	return err
}

// fillPrefix writes n one-byte objects under prefix with conc clients.
func fillPrefix(ctx context.Context, c *s3.Client, bucket, prefix string, n, conc int) error {
	_, err := parallel(n, conc, func(i int) error {
		key := fmt.Sprintf("%s%06d", prefix, i)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte{'x'})})
		return err
	})
	return err
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// listAll pages through every key of a prefix; seconds.
func listAll(ctx context.Context, c *s3.Client, bucket, prefix string) (float64, int, error) {
	start := time.Now()
	n := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, n, err
		}
		n += len(page.Contents)
	}
	return time.Since(start).Seconds(), n, nil
}
