package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkSmallGetServe: 4 KiB GETs from 16 clients against `serve` as
// it runs in production (per-request account lookup, SigV4, namespace,
// fs upstream), in one process so that -cpuprofile sees the server.
func BenchmarkSmallGetServe(b *testing.B) { benchSmallServe(b, true) }

// BenchmarkSmallPutServe: the same with 4 KiB PUTs.
func BenchmarkSmallPutServe(b *testing.B) { benchSmallServe(b, false) }

func benchSmallServe(b *testing.B, get bool) {
	dir := filepath.Join(b.TempDir(), "data")
	addrs, stop := startServe(b, dir)
	defer func() { _ = stop() }()
	ak, sk := firstAccountLine(b, dir, "access key id"), firstAccountLine(b, dir, "secret access key")
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(addrs["s3"]), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}})
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	const objects = 256
	body := bytes.Repeat([]byte("x"), 4096)
	put := func(key string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	}
	for i := range objects {
		if err := put(fmt.Sprintf("o%03d", i)); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.SetParallelism(8) // 16 clients on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("o%03d", next.Add(1)%objects)
			var err error
			if get {
				err = getAll(ctx, c, key, len(body))
			} else {
				err = put(key)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func getAll(ctx context.Context, c *s3.Client, key string, size int) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(key)})
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, out.Body)
	_ = out.Body.Close()
	if err == nil && n != int64(size) {
		err = fmt.Errorf("%s: %d bytes, want %d", key, n, size)
	}
	return err
}
