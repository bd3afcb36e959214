package s3api

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// discardStore keeps small objects and discards large bodies after reading.
type discardStore struct{ *mem.Store }

func (d discardStore) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if size >= 0 && size < 1<<20 {
		return d.Store.Put(ctx, key, r, size, o)
	}
	n, err := io.Copy(io.Discard, r)
	return backends.ObjectInfo{Key: key, Size: n, ETag: "discarded"}, err
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// benchSize is SEALGATE_BENCH_UPLOAD_MIB MiB, default 1 GiB.
func benchSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("SEALGATE_BENCH_UPLOAD_MIB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 1 << 30
}

// benchDoor starts the S3 door over store for one account with a bucket
// "bench"; it returns a client that sends unsigned payloads.
func benchDoor(b *testing.B, store backends.Store) (*s3.Client, func(*s3.Options)) {
	accts, err := accounts.Open(context.Background(), accounts.Config{Store: store, DataDir: b.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	svc, _ := gateway.NewService(gateway.Config{Store: store})
	creds, _ := accts.Create(context.Background(), "bench", nil)
	a, _ := accts.ByAccessKey(creds.AccessKeyID)
	e := newEnv(&testing.T{}, envOpts{newNS: func(*testing.T, string) Namespace { return svc.Namespace(a) }})
	b.Cleanup(e.srv.Close)
	c := e.aliceClient(&testing.T{})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	unsigned := func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware(st)
		})
	}
	return c, unsigned
}

func benchFS(b *testing.B) backends.Store {
	st, err := fs.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkLargePutHTTP: one large PUT through the whole S3 door (HTTP,
// SigV4 with an unsigned payload, gateway sealing with MD5) into a
// discarding store, or the fs store when SEALGATE_BENCH_FS is set.
// SEALGATE_BENCH_UPLOAD_MIB sets the size (default 1024).
func BenchmarkLargePutHTTP(b *testing.B) {
	size := benchSize()
	var store backends.Store = discardStore{mem.New()}
	if os.Getenv("SEALGATE_BENCH_FS") != "" { // the real local upstream, durable writes
		store = benchFS(b)
	}
	c, unsigned := benchDoor(b, store)
	b.SetBytes(size)
	for i := 0; b.Loop(); i++ {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(fmt.Sprint(i)),
			Body: io.LimitReader(zeroes{}, size), ContentLength: aws.Int64(size)}, unsigned)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLargeGetHTTP: one large GET through the whole S3 door from the
// fs store (direct reads, decryption, HTTP), or from memory when
// SEALGATE_BENCH_MEM is set (the door's own ceiling, no disk).
// SEALGATE_BENCH_UPLOAD_MIB sets the size (default 1024).
func BenchmarkLargeGetHTTP(b *testing.B) {
	size := benchSize()
	var store backends.Store = mem.New()
	if os.Getenv("SEALGATE_BENCH_MEM") == "" {
		store = benchFS(b)
	}
	c, unsigned := benchDoor(b, store)
	ctx := context.Background()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("big"),
		Body: io.LimitReader(zeroes{}, size), ContentLength: aws.Int64(size)}, unsigned)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("big")})
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{out.Body}, buf)
		_ = out.Body.Close()
		if err != nil || n != size {
			b.Fatalf("read %d of %d: %v", n, size, err)
		}
	}
}
