package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// TestUpstream runs focused checks against each real S3 server.
func TestUpstream(t *testing.T) {
	forEachServer(t, runUpstreamTests)
}

func runUpstreamTests(t *testing.T, u *upstream) {
	tests := []struct {
		name string
		fn   func(*testing.T, *upstream)
	}{
		{"RoundTrip", testRoundTrip},
		{"Multipart40MiB", testMultipart40},
		{"SharedBudget", testSharedBudget},
		{"FailedPuts", testFailedPuts},
		{"Conditional", testConditional},
		{"Ranges", testRanges},
		{"ListPrefix", testListPrefix},
		{"Credentials", testCredentials},
		{"Unreachable", testUnreachable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, u) })
	}
}

// testRoundTrip writes bodies around the part size, with known and unknown
// sizes, and reads them back.
func testRoundTrip(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	for _, n := range []int{0, 1, minPartSize - 1, minPartSize, minPartSize + 1, 2*minPartSize + 7} {
		b := data(n)
		for _, size := range []int64{int64(n), -1} {
			info, err := s.Put(t.Context(), "rt/obj", iotest.HalfReader(bytes.NewReader(b)), size, backends.PutOptions{})
			if err != nil || info.Size != int64(n) {
				t.Fatalf("Put(%d bytes, size %d) = %+v, %v", n, size, info, err)
			}
			got := mustRead(t, s, "rt/obj", b)
			if got.ETag != info.ETag {
				t.Fatalf("%d bytes: Get ETag %q, Put ETag %q", n, got.ETag, info.ETag)
			}
			if multipart := strings.Contains(info.ETag, "-"); multipart != (n > minPartSize) {
				t.Fatalf("%d bytes: ETag %q; multipart expected: %v", n, info.ETag, n > minPartSize)
			}
		}
	}
	if n := uploadsLeft(t, s); n != 0 {
		t.Fatalf("%d multipart uploads left", n)
	}
}

// testMultipart40 puts 40 MiB in 5 MiB parts, known and unknown size.
func testMultipart40(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	b := data(40 << 20)
	for _, size := range []int64{int64(len(b)), -1} {
		start := time.Now()
		info, err := s.Put(t.Context(), "big", bytes.NewReader(b), size, backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("40 MiB put (size %d) in %v, ETag %s", size, time.Since(start), info.ETag)
		if !strings.HasSuffix(info.ETag, "-8") || info.Size != int64(len(b)) {
			t.Fatalf("info %+v; want 8 parts", info)
		}
		mustRead(t, s, "big", b)
	}
}

// testSharedBudget runs concurrent multipart Puts under a budget of one part:
// each gets its single buffer in turn, all complete, and the budget is whole
// afterwards.
func testSharedBudget(t *testing.T, u *upstream) {
	s := u.store(t, func(c *Config) { c.MaxBufferBytes = minPartSize })
	b := data(3*minPartSize + 1)
	errs := make(chan error, 4)
	for i := range cap(errs) {
		go func() {
			_, err := s.Put(t.Context(), fmt.Sprintf("budget/%d", i), bytes.NewReader(b), int64(len(b)), backends.PutOptions{})
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range cap(errs) {
		mustRead(t, s, fmt.Sprintf("budget/%d", i), b)
	}
	n, ok := s.buffers.try(minPartSize)
	if !ok {
		t.Fatal("budget not fully released after the Puts")
	}
	s.buffers.release(n)
}

// failingReader yields n bytes then fails.
func failingReader(n int) io.Reader {
	return io.MultiReader(bytes.NewReader(make([]byte, n)), iotest.ErrReader(errors.New("disk on fire")))
}

// cancelReader cancels a context once n bytes were read.
type cancelReader struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	if c.n -= k; c.n <= 0 {
		c.cancel()
	}
	return k, err
}

// testFailedPuts: a wrong size, a reader error or a cancelled context leave
// the old object and no multipart upload behind.
func testFailedPuts(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	old := data(100)
	oldInfo := mustPut(t, s, "fp/obj", old, backends.PutOptions{})
	big := 3*minPartSize + 5
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	midCtx, midCancel := context.WithCancel(t.Context())
	defer midCancel()
	tests := []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
		want error
	}{
		{"short single", t.Context(), bytes.NewReader(data(50)), 51, backends.ErrSizeMismatch},
		{"long single", t.Context(), bytes.NewReader(data(52)), 51, backends.ErrSizeMismatch},
		{"short multipart", t.Context(), bytes.NewReader(data(big - 1)), int64(big), backends.ErrSizeMismatch},
		{"long multipart", t.Context(), bytes.NewReader(data(big + 1)), int64(big), backends.ErrSizeMismatch},
		{"reader fails in part 3", t.Context(), failingReader(2*minPartSize + 10), int64(big), nil},
		{"reader fails, unknown size", t.Context(), failingReader(2*minPartSize + 10), -1, nil},
		{"cancelled", cancelled, bytes.NewReader(data(big)), int64(big), context.Canceled},
		{"cancelled in part 3", midCtx, &cancelReader{r: bytes.NewReader(data(big)), n: 2*minPartSize + 10, cancel: midCancel}, int64(big), context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Put(tc.ctx, "fp/obj", tc.r, tc.size, backends.PutOptions{})
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("Put: %v, want %v", err, tc.want)
			}
			if got := mustRead(t, s, "fp/obj", old); got.ETag != oldInfo.ETag {
				t.Fatalf("ETag changed to %q", got.ETag)
			}
			if n := uploadsLeft(t, s); n != 0 {
				t.Fatalf("%d multipart uploads left", n)
			}
		})
	}
}

// testConditional: IfAbsent and IfMatch on single and multipart puts.
func testConditional(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	for _, n := range []int{10, 2*minPartSize + 1} {
		key := "cond/" + strings.Repeat("m", n/minPartSize+1)
		put := func(opts backends.PutOptions) (backends.ObjectInfo, error) {
			return s.Put(t.Context(), key, bytes.NewReader(data(n)), int64(n), opts)
		}
		first, err := put(backends.PutOptions{IfAbsent: true})
		if err != nil {
			t.Fatalf("%d bytes: IfAbsent on absent key: %v", n, err)
		}
		_, err = put(backends.PutOptions{IfAbsent: true})
		wantErr(t, "IfAbsent on present key", err, backends.ErrPreconditionFailed)
		second, err := put(backends.PutOptions{IfMatch: first.ETag})
		if err != nil || second.ETag == first.ETag {
			t.Fatalf("%d bytes: IfMatch current: %+v, %v", n, second, err)
		}
		_, err = put(backends.PutOptions{IfMatch: first.ETag})
		wantErr(t, "IfMatch stale", err, backends.ErrPreconditionFailed)
		_, err = s.Put(t.Context(), key+"x", bytes.NewReader(data(n)), int64(n), backends.PutOptions{IfMatch: first.ETag})
		wantErr(t, "IfMatch absent", err, backends.ErrPreconditionFailed)
		if got, _ := s.Stat(t.Context(), key); got.ETag != second.ETag {
			t.Fatalf("%d bytes: ETag %q after failed puts, want %q", n, got.ETag, second.ETag)
		}
	}
	if n := uploadsLeft(t, s); n != 0 {
		t.Fatalf("%d multipart uploads left", n)
	}
}

// testRanges covers the Get contract on a 100-byte and an empty object.
func testRanges(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	b := data(100)
	mustPut(t, s, "r/full", b, backends.PutOptions{})
	mustPut(t, s, "r/empty", nil, backends.PutOptions{})
	tests := []struct {
		key    string
		off, n int64
		want   []byte
		err    error
	}{
		{"r/full", 0, -1, b, nil},
		{"r/full", 10, 5, b[10:15], nil},
		{"r/full", 10, -1, b[10:], nil},
		{"r/full", 90, 50, b[90:], nil},
		{"r/full", 99, 1, b[99:], nil},
		{"r/full", 50, 0, nil, nil},
		{"r/full", 100, -1, nil, backends.ErrInvalidRange},
		{"r/full", 100, 0, nil, backends.ErrInvalidRange},
		{"r/full", 101, 1, nil, backends.ErrInvalidRange},
		{"r/empty", 0, -1, nil, nil},
		{"r/empty", 0, 10, nil, nil},
		{"r/empty", 0, 0, nil, nil},
		{"r/empty", 1, -1, nil, backends.ErrInvalidRange},
		{"r/absent", 0, -1, nil, backends.ErrNotExist},
		{"r/absent", 5, 5, nil, backends.ErrNotExist},
	}
	for _, tc := range tests {
		rc, info, err := s.Get(t.Context(), tc.key, tc.off, tc.n)
		if tc.err != nil {
			wantErr(t, tc.key, err, tc.err)
			continue
		}
		if err != nil {
			t.Fatalf("Get(%s, %d, %d): %v", tc.key, tc.off, tc.n, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, tc.want) || info.Key != tc.key {
			t.Fatalf("Get(%s, %d, %d) = %d bytes, %+v, %v", tc.key, tc.off, tc.n, len(got), info, err)
		}
		if st, _ := s.Stat(t.Context(), tc.key); st.Size != info.Size || st.ETag != info.ETag {
			t.Fatalf("Get(%s, %d, %d) info %+v, Stat %+v", tc.key, tc.off, tc.n, info, st)
		}
	}
}

// testListPrefix: two stores on one bucket see only their own keys, with
// the prefix stripped; odd characters survive.
func testListPrefix(t *testing.T, u *upstream) {
	s1, s2 := u.store(t, nil), u.store(t, nil)
	keys := []string{"a b+c%d", "dir/x", "dir/y/z", "plain", "é/ü"} // byte order
	for _, k := range keys {
		mustPut(t, s1, k, []byte(k), backends.PutOptions{})
	}
	mustPut(t, s2, "other", nil, backends.PutOptions{})
	var got []string
	for opts := (backends.ListOptions{Limit: 2}); ; {
		page, err := s1.List(t.Context(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			got = append(got, o.Key)
		}
		if opts.Token = page.NextToken; opts.Token == "" {
			break
		}
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("List = %q, want %q", got, keys)
	}
	page, err := s1.List(t.Context(), backends.ListOptions{Prefix: "dir/", Delimiter: "/"})
	if err != nil || len(page.Objects) != 1 || page.Objects[0].Key != "dir/x" || !slices.Equal(page.Prefixes, []string{"dir/y/"}) {
		t.Fatalf("List(dir/, /) = %+v, %v", page, err)
	}
	if err := s1.Delete(t.Context(), "y/"+strings.Repeat("n", 256)); err != nil {
		t.Fatalf("Delete of a key the upstream cannot hold: %v", err)
	}
	for _, k := range keys {
		mustRead(t, s1, k, []byte(k))
		if err := s1.Delete(t.Context(), k); err != nil {
			t.Fatal(err)
		}
		if err := s1.Delete(t.Context(), k); err != nil {
			t.Fatalf("second Delete(%q): %v", k, err)
		}
		_, err := s1.Stat(t.Context(), k)
		wantErr(t, "Stat after Delete", err, backends.ErrNotExist)
	}
}
