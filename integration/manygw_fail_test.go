package integration

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/gwproc"
)

// stallingReader yields n bytes, then blocks until released or closed.
type stallingReader struct {
	left    int64
	sent    atomic.Int64
	release chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		<-r.release
		return 0, errors.New("released")
	}
	n := min(int64(len(p)), r.left, 64<<10)
	for i := range p[:n] {
		p[i] = byte(i)
	}
	r.left -= n
	r.sent.Add(n)
	return int(n), nil
}

// killMidUpload: one gateway killed with SIGKILL while a client streams an
// object through it: nothing of that object is visible, the other
// gateways carry on, and the killed one starts again on its data dir.
func killMidUpload(t *testing.T, c *cluster, a account) {
	ctx := context.Background()
	body := &stallingReader{left: 8 << 20, release: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		_, err := c.client(1, a).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("torn"),
			Body: io.NopCloser(body), ContentLength: aws.Int64(64 << 20)})
		errc <- err
	}()
	gwproc.Within(t, 20*time.Second, "the upload is under way", func() bool { return body.sent.Load() >= 8<<20 })
	time.Sleep(100 * time.Millisecond) // let the gateway take in what was sent
	c.gws[1].Kill()
	close(body.release)
	if err := <-errc; err == nil {
		t.Fatal("the upload through a killed gateway succeeded")
	}
	g0, g2 := c.client(0, a), c.client(2, a)
	if _, cd := getBody(g0, "shared", "torn"); cd != "NoSuchKey" {
		t.Fatalf("an interrupted upload is visible: %s", cd)
	}
	if _, ok := listed(t, g2, "shared")["torn"]; ok {
		t.Fatal("an interrupted upload is listed")
	}
	put(t, g2, "shared", "after-kill", []byte("the others carry on"))
	if got, cd := getBody(g0, "shared", "after-kill"); string(got) != "the others carry on" {
		t.Fatalf("read after the kill: %s", cd)
	}
	c.restart(1)
	if got, cd := getBody(c.client(1, a), "shared", "after-kill"); string(got) != "the others carry on" {
		t.Fatalf("the restarted gateway: %s", cd)
	}
}

// rollbackRefused: the upstream's keystore put back to an older copy does
// not make gateways forget an account they have seen; each counts the
// rollback in sealgate_integrity_failures_total.
func rollbackRefused(t *testing.T, c *cluster) {
	ctx := context.Background()
	old := c.keystoreRecord()
	erin := c.addUser(0, "erin")
	for i := range c.gws { // every gateway sees erin (a lookup miss reads the keystore)
		if _, err := c.client(i, erin).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("erin on gateway %d: %v", i, err)
		}
	}
	c.putKeystoreRecord(old)
	for i := range c.gws {
		gwproc.Within(t, 3*time.Second, "the rollback is counted", func() bool {
			return strings.Contains(c.metrics(i), `sealgate_integrity_failures_total{reason="keystore_rollback"} 1`)
		})
		if _, err := c.client(i, erin).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("gateway %d forgot erin after the rollback: %v", i, err)
		}
	}
	if !bytes.Equal(c.keystoreRecord(), old) {
		t.Fatal("the rolled-back record changed without a write")
	}
}
