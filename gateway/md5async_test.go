package gateway

import (
	"bytes"
	"crypto/md5"
	"math/rand/v2"
	"testing"
)

// TestAsyncMD5 compares asyncMD5 with crypto/md5 over writes of every
// shape around its block size, and checks that Close after Sum, or
// without it, returns.
func TestAsyncMD5(t *testing.T) {
	data := make([]byte, 3*md5Block+12345)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	for _, tc := range []struct {
		name  string
		size  int
		write int
	}{
		{"empty", 0, 1},
		{"one byte", 1, 1},
		{"small writes", 100000, 7},
		{"a block exactly", md5Block, md5Block},
		{"block-sized writes", len(data), md5Block},
		{"writes across blocks", len(data), 64<<10 + 3},
		{"one big write", len(data), len(data)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAsyncMD5()
			defer a.Close()
			in := data[:tc.size]
			for p := in; len(p) > 0; {
				k := min(tc.write, len(p))
				if n, err := a.Write(p[:k]); n != k || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
				p = p[k:]
			}
			if got, want := a.Sum(), md5.Sum(in); !bytes.Equal(got[:], want[:]) {
				t.Fatalf("sum %x, want %x", got, want)
			}
		})
	}
	a := newAsyncMD5()
	_, _ = a.Write(data)
	a.Close() // a failed copy: no Sum
}
