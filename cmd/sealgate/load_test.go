package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/internal/rss"
)

// TestLoad1000Clients: 1,000 concurrent clients on loopback against the
// normal build with low in-flight limits. The server stays up, its memory
// stays bounded, excess load gets 503 SlowDown (clients back off and
// retry), and every object reads back exactly as written. Bounded: three
// objects per client, 90 s at most.
func TestLoad1000Clients(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	dir := filepath.Join(t.TempDir(), "data")
	cfg := filepath.Join(t.TempDir(), "load.yaml")
	if err := os.WriteFile(cfg, []byte("limits:\n  max_in_flight: 64\n  max_in_flight_per_user: 48\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startBinary(t, dir, "SEALGATE_CONFIG="+cfg)
	ak, sk := firstCreds(t, dir)
	tr := &http.Transport{MaxIdleConnsPerHost: 1000, MaxConnsPerHost: 1000}
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.s3), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), HTTPClient: &http.Client{Transport: tr},
		Retryer: aws.NopRetryer{}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("load")}); err != nil {
		t.Fatal(err)
	}
	stopRSS := rss.Sample(s.Pid(), 50*time.Millisecond)
	var slow, done atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 1000)
	for i := range 1000 {
		wg.Go(func() {
			for j := range 3 {
				if err := putAndCheck(ctx, c, fmt.Sprintf("c%04d/o%d", i, j), &slow); err != nil {
					errc <- err
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("client failed: %v", err)
	}
	peak := stopRSS()
	t.Logf("3000 objects written and verified, %d answers were 503 SlowDown, server peak RSS %.0f MiB", slow.Load(), peak)
	if done.Load() != 3000 || slow.Load() == 0 {
		t.Fatalf("done %d, slow-downs %d: the limits were never reached", done.Load(), slow.Load())
	}
	if peak > 512 {
		t.Fatalf("server RSS peaked at %.0f MiB", peak)
	}
	s.Stop(t)
}

// putAndCheck writes a unique body and reads it back, retrying on 503.
func putAndCheck(ctx context.Context, c *s3.Client, key string, slow *atomic.Int64) error {
	body := bytes.Repeat([]byte(key+"|"), 8192/(len(key)+1))
	err := retry503(ctx, slow, func() error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("load"), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	var got []byte
	err = retry503(ctx, slow, func() error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("load"), Key: aws.String(key)})
		if err != nil {
			return err
		}
		defer func() { _ = out.Body.Close() }()
		got, err = io.ReadAll(out.Body)
		return err
	})
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	if !bytes.Equal(got, body) {
		return fmt.Errorf("%s corrupted: %d bytes back", key, len(got))
	}
	return nil
}

func retry503(ctx context.Context, slow *atomic.Int64, op func() error) error {
	for backoff := 10 * time.Millisecond; ; backoff = min(2*backoff, 500*time.Millisecond) {
		err := op()
		var re *smithyhttp.ResponseError
		if err == nil || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusServiceUnavailable {
			return err
		}
		slow.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
	}
}
