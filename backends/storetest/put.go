package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/sealgate/sealgate/backends"
)

// testRoundTrip: Put/Get/Stat of sizes around the usual chunk boundaries,
// with the size announced and unknown (-1).
func testRoundTrip(t *testing.T, s backends.Store) {
	sizes := []int{0, 1, 64<<10 - 1, 64 << 10, 64<<10 + 1, 3<<20 + 5}
	for i, size := range sizes {
		for _, known := range []bool{true, false} {
			name := "size" + strconv.Itoa(size) + map[bool]string{true: "", false: "/unknown"}[known]
			t.Run(name, func(t *testing.T) {
				key := "rt/" + strconv.Itoa(size) + "/" + strconv.FormatBool(known)
				data := content(size, byte(i))
				announced := int64(size)
				if !known {
					announced = -1
				}
				// A reader without WriterTo/Len, fed in small pieces, so the
				// store cannot learn the size from the reader's type.
				r := iotest.HalfReader(struct{ io.Reader }{bytes.NewReader(data)})
				info, err := s.Put(t.Context(), key, r, announced, backends.PutOptions{})
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				checkInfo(t, "Put", info, key, int64(size))
				want := bytes.Clone(data)
				scribble(data) // the store must not keep the caller's buffer
				checkObject(t, s, key, want, info.ETag)
			})
		}
	}
}

// errBroken is what a failing body reader returns.
var errBroken = errors.New("storetest: reader broke")

// failingReader yields data[:failAt], then fails.
type failingReader struct {
	data []byte
	pos  int
	fail int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.pos >= f.fail {
		return 0, errBroken
	}
	n := copy(p[:min(len(p), f.fail-f.pos)], f.data[f.pos:])
	f.pos += n
	return n, nil
}

// cancelReader cancels its context after yielding half the body, then goes on
// yielding the rest, so a store that ignores the context would succeed.
type cancelReader struct {
	data   []byte
	pos    int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	if c.pos >= len(c.data) {
		return 0, io.EOF
	}
	if c.pos >= len(c.data)/2 {
		c.cancel()
	}
	n := copy(p[:min(len(p), 4096)], c.data[c.pos:])
	c.pos += n
	return n, nil
}

// testFailedPut: every failed Put leaves the old object (or its absence)
// byte-identical and under the same ETag.
func testFailedPut(t *testing.T, s backends.Store) {
	const size = 200 << 10
	body := content(size, 7)
	cases := []struct {
		name      string
		announced int64
		reader    func(ctx context.Context, cancel context.CancelFunc) io.Reader
		want      error
	}{
		{"ReaderFails", size, func(context.Context, context.CancelFunc) io.Reader {
			return &failingReader{data: body, fail: size / 2}
		}, errBroken},
		{"ReaderFailsUnknownSize", -1, func(context.Context, context.CancelFunc) io.Reader {
			return &failingReader{data: body, fail: size / 2}
		}, errBroken},
		{"ShortBody", size, func(context.Context, context.CancelFunc) io.Reader {
			return bytes.NewReader(body[:size-1])
		}, backends.ErrSizeMismatch},
		{"LongBody", size - 1, func(context.Context, context.CancelFunc) io.Reader {
			return bytes.NewReader(body)
		}, backends.ErrSizeMismatch},
		{"EmptyAnnouncedNotEmpty", 0, func(context.Context, context.CancelFunc) io.Reader {
			return bytes.NewReader([]byte{1})
		}, backends.ErrSizeMismatch},
		{"ContextCancelled", size, func(_ context.Context, cancel context.CancelFunc) io.Reader {
			return &cancelReader{data: body, cancel: cancel}
		}, context.Canceled},
		{"ContextCancelledUnknownSize", -1, func(_ context.Context, cancel context.CancelFunc) io.Reader {
			return &cancelReader{data: body, cancel: cancel}
		}, context.Canceled},
	}
	for i, tc := range cases {
		for _, existing := range []bool{true, false} {
			t.Run(tc.name+map[bool]string{true: "/OverOld", false: "/OverAbsent"}[existing], func(t *testing.T) {
				key := "fail/" + strconv.Itoa(i) + "/" + strconv.FormatBool(existing)
				var old []byte
				var oldInfo backends.ObjectInfo
				if existing {
					old = content(1000, byte(i))
					oldInfo = put(t, s, key, old)
				}
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				_, err := s.Put(ctx, key, tc.reader(ctx, cancel), tc.announced, backends.PutOptions{})
				wantErr(t, "Put", err, tc.want)
				if existing {
					checkObject(t, s, key, old, oldInfo.ETag)
				} else {
					checkAbsent(t, s, key)
				}
			})
		}
	}
}

// testETag: a replace always changes the ETag, even with a body of the same
// size written right after; reads never change it.
func testETag(t *testing.T, s backends.Store) {
	const key = "etag/k"
	seen := map[string]bool{}
	for i := range 5 {
		data := content(4096, byte(i))
		info := put(t, s, key, data)
		if seen[info.ETag] {
			t.Fatalf("replace %d reused ETag %q", i, info.ETag)
		}
		seen[info.ETag] = true
		for range 2 {
			checkObject(t, s, key, data, info.ETag)
		}
	}
	other := put(t, s, "etag/other", content(4096, 9))
	if seen[other.ETag] {
		t.Errorf("another key got an ETag %q already used", other.ETag)
	}
}

// scribble overwrites b.
func scribble(b []byte) {
	for i := range b {
		b[i] ^= 0x5a
	}
}
