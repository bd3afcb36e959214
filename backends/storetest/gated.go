package storetest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testPutGated checks [backends.GatedPutter], for stores that have it: the
// gate runs once, after the whole body was read; the object is committed
// only when the gate says so, and a refused or failed write leaves the key
// as it was.
func testPutGated(t *testing.T, s backends.Store) {
	g, ok := s.(backends.GatedPutter)
	if !ok {
		t.Log("the store is no backends.GatedPutter")
		return
	}
	refused := errors.New("refused")
	body := content(3000, 7)
	for _, tc := range []struct {
		name  string
		body  io.Reader
		size  int64
		gate  error
		want  error // nil: committed
		calls int
	}{
		{"Open", bytes.NewReader(body), 3000, nil, nil, 1},
		{"OpenUnknownSize", bytes.NewReader(body), -1, nil, nil, 1},
		{"Refused", bytes.NewReader(body), 3000, refused, refused, 1},
		{"ShortBody", bytes.NewReader(body[:10]), 3000, nil, backends.ErrSizeMismatch, 0},
		{"FailingBody", io.MultiReader(bytes.NewReader(body[:10]), errReader{}), 3000, nil, errBody, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "gated/" + tc.name
			put(t, s, key, content(5, 1))
			r := &countingReader{r: tc.body}
			calls, readAtGate := 0, int64(0)
			_, err := g.PutGated(t.Context(), key, r, tc.size, backends.PutOptions{}, func() error {
				calls++
				readAtGate = r.n
				return tc.gate
			})
			if calls != tc.calls {
				t.Fatalf("gate called %d times, want %d", calls, tc.calls)
			}
			if calls > 0 && readAtGate != int64(len(body)) {
				t.Fatalf("gate called after %d of %d bytes", readAtGate, len(body))
			}
			if tc.want == nil {
				if err != nil {
					t.Fatalf("PutGated: %v", err)
				}
				checkObject(t, s, key, body, "")
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("PutGated: %v, want %v", err, tc.want)
			}
			checkObject(t, s, key, content(5, 1), "")
		})
	}
}

var errBody = errors.New("body failed")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBody }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
