package gateway

import (
	"bytes"
	"context"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
)

// BenchmarkComplete measures CompleteMultipartUpload of 256 MiB in 8 MiB
// parts over the mem store (no disk): the re-seal's own cost, which reads
// and opens each part while it seals the object.
//
//	go test ./gateway -run '^$' -bench Complete -count 5
func BenchmarkComplete(b *testing.B) {
	const partSize, parts = 8 << 20, 32
	n, _ := benchNS(b, mem.New())
	ctx := context.Background()
	body := bytes.Repeat([]byte("0123456789abcdef"), partSize/16)
	b.SetBytes(partSize * parts)
	for b.Loop() {
		b.StopTimer()
		id, err := n.CreateMultipartUpload(ctx, "bkt", "big", PutOptions{})
		if err != nil {
			b.Fatal(err)
		}
		done := make([]CompletedPart, parts)
		for i := range done {
			etag, err := n.UploadPart(ctx, "bkt", "big", id, i+1, bytes.NewReader(body), partSize)
			if err != nil {
				b.Fatal(err)
			}
			done[i] = CompletedPart{Number: i + 1, ETag: etag}
		}
		b.StartTimer()
		if _, err := n.CompleteMultipartUpload(ctx, "bkt", "big", id, done, PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
