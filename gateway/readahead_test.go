package gateway

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// failingWriter takes n bytes, then fails.
type failingWriter struct {
	n   int
	err error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, f.err
	}
	f.n -= len(p)
	return len(p), nil
}

func TestReadAhead(t *testing.T) {
	errProduce, errWrite := errors.New("produce failed"), errors.New("write failed")
	data := bytes.Repeat([]byte("0123456789"), 100000)
	tests := []struct {
		name    string
		produce func(io.Writer) error
		w       io.Writer
		want    error
	}{
		{"all", func(w io.Writer) error { _, err := w.Write(data); return err }, &bytes.Buffer{}, nil},
		{"produce fails", func(w io.Writer) error {
			if _, err := w.Write(data[:1000]); err != nil {
				return err
			}
			return errProduce
		}, &bytes.Buffer{}, errProduce},
		{"write fails", func(w io.Writer) error {
			for range 100 { // keeps writing after w failed: stopped, not blocked
				if _, err := w.Write(data); err != nil {
					return err
				}
			}
			return nil
		}, &failingWriter{n: 5000, err: errWrite}, errWrite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := readAhead(tc.w, tc.produce)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("readAhead: %v, want %v", err, tc.want)
			}
			if b, ok := tc.w.(*bytes.Buffer); ok && tc.want == nil && !bytes.Equal(b.Bytes(), data) {
				t.Fatalf("copied %d bytes, want %d", b.Len(), len(data))
			}
		})
	}
}
