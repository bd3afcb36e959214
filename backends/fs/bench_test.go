package fs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
)

// TestFailedPutLeavesNoTemp: a failed or refused write removes its temp file.
func TestFailedPutLeavesNoTemp(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := open(t, root)
	put(t, s, "k", "old")
	body := bytes.Repeat([]byte("x"), 100)
	_, err := s.Put(ctx, "k", bytes.NewReader(body), 99, backends.PutOptions{})
	if !errors.Is(err, backends.ErrSizeMismatch) {
		t.Fatalf("long body: %v", err)
	}
	_, err = s.Put(ctx, "k", io.MultiReader(bytes.NewReader(body), iotestErr{}), -1, backends.PutOptions{})
	if !errors.Is(err, errBody) {
		t.Fatalf("failing body: %v", err)
	}
	_, err = s.Put(ctx, "k", bytes.NewReader(body), 100, backends.PutOptions{IfMatch: "stale"})
	if !errors.Is(err, backends.ErrPreconditionFailed) {
		t.Fatalf("stale IfMatch: %v", err)
	}
	checkNoTempFiles(t, root, 1)
}

var errBody = errors.New("body failed")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errBody }

func benchPut(b *testing.B, size int, key string, walk bool) {
	s := open(b, b.TempDir())
	if walk {
		fs.WalkOnly(s)
	}
	data := bytes.Repeat([]byte{0xa5}, size)
	b.SetBytes(int64(size))
	for b.Loop() {
		if _, err := s.Put(context.Background(), key, bytes.NewReader(data), int64(size), backends.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPut4KiB(b *testing.B)  { benchPut(b, 4<<10, "bench/k", false) }
func BenchmarkPut64MiB(b *testing.B) { benchPut(b, 64<<20, "bench/k", false) }

// deepKey is as deep as a gateway's object key: user, bucket, name.
const deepKey = "u7f3a9c2e/b5d81e04/n3c6a0f9d2b7e4815a6c3d9f0e2b7a4c1"

// BenchmarkPut4KiBDeep, with and without openat2, shows what the walk of
// a deep name costs a small write.
func BenchmarkPut4KiBDeep(b *testing.B) {
	for _, mode := range []struct {
		name string
		walk bool
	}{{"openat2", false}, {"walk", true}} {
		b.Run(mode.name, func(b *testing.B) { benchPut(b, 4<<10, deepKey, mode.walk) })
	}
}

func BenchmarkGet64MiB(b *testing.B) {
	s := open(b, b.TempDir())
	const size = 64 << 20
	ctx := context.Background()
	if _, err := s.Put(ctx, "bench/k", bytes.NewReader(make([]byte, size)), size, backends.PutOptions{}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(size)
	for b.Loop() {
		rc, _, err := s.Get(ctx, "bench/k", 0, -1)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{rc}, buf); err != nil {
			b.Fatal(err)
		}
		_ = rc.Close()
	}
}
