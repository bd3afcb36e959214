package sigv4

import (
	"io"
	"strings"
	"testing"
)

// Verified streaming throughput of the signed chunk decoder: 64 MiB in
// 64 KiB signed chunks, every chunk signature checked (SHA-256 of the data
// plus one HMAC per chunk). Run: go test -run '^$' -bench SignedChunk
func BenchmarkSignedChunkDecoder64MiB(b *testing.B) {
	const total, size = 64 << 20, 64 << 10
	chunk := strings.Repeat("s", size)
	chunks := make([]string, total/size)
	for i := range chunks {
		chunks[i] = chunk
	}
	body := frame(exampleChain(docSeed), chunks)
	buf := make([]byte, 32<<10)
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := newChunkReader(strings.NewReader(body), exampleChain(docSeed), false, nil, total)
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{c}, buf)
		if err != nil || n != total {
			b.Fatalf("n=%d err=%v", n, err)
		}
	}
}
