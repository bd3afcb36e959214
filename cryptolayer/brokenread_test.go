package cryptolayer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// TestBrokenUpstreamIsNotIntegrity: a connection that breaks while the
// header, END or a chunk is read returns the transport's error, not
// ErrIntegrity (an outage must not look like tampering); a body that ends
// early is ErrIntegrity.
func TestBrokenUpstreamIsNotIntegrity(t *testing.T) {
	obj, _ := sealObject(t, defaultParams(), bytes.Repeat([]byte("z"), 3*ChunkSize))
	errBroken := errors.New("connection reset")
	errDropped := fmt.Errorf("s3: read: upstream unavailable: %w", io.ErrUnexpectedEOF)
	tests := []struct {
		name  string
		open  bool // the failure hits Open (header/END) rather than a chunk
		body  func(b []byte) io.Reader
		want  error
		integ bool
	}{
		{"open broken", true, func([]byte) io.Reader { return iotest.ErrReader(errBroken) }, errBroken, false},
		{"open short", true, func(b []byte) io.Reader { return bytes.NewReader(b[:len(b)/2]) }, ErrIntegrity, true},
		{"chunk broken", false, func(b []byte) io.Reader {
			return io.MultiReader(bytes.NewReader(b[:10]), iotest.ErrReader(errBroken))
		}, errBroken, false},
		{"chunk short", false, func(b []byte) io.Reader { return bytes.NewReader(b[:10]) }, ErrIntegrity, true},
		// backends/s3 reports a connection dropped mid-body as an error
		// wrapping io.ErrUnexpectedEOF: still an outage, not tampering.
		{"open dropped", true, func(b []byte) io.Reader {
			return io.MultiReader(bytes.NewReader(b[:10]), iotest.ErrReader(errDropped))
		}, errDropped, false},
		{"chunk dropped", false, func(b []byte) io.Reader {
			return io.MultiReader(bytes.NewReader(b[:10]), iotest.ErrReader(errDropped))
		}, errDropped, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			good := &memFetcher{obj: obj}
			fetch := func(ctx context.Context, off, n int64) (io.ReadCloser, error) {
				rc, _ := good.fetch(ctx, off, n)
				b, _ := io.ReadAll(rc)
				return io.NopCloser(tc.body(b)), nil
			}
			var err error
			if tc.open {
				_, err = Open(context.Background(), testKey, testBinding, int64(len(obj)), fetch)
			} else {
				o, oerr := Open(context.Background(), testKey, testBinding, int64(len(obj)), good.fetch)
				if oerr != nil {
					t.Fatal(oerr)
				}
				o.fetch = fetch
				var rc io.ReadCloser
				if rc, err = o.Range(context.Background(), 0, o.Size); err == nil {
					_, err = io.ReadAll(rc)
				}
			}
			if !errors.Is(err, tc.want) || errors.Is(err, ErrIntegrity) != tc.integ {
				t.Fatalf("err = %v; want %v (integrity: %v)", err, tc.want, tc.integ)
			}
		})
	}
}
