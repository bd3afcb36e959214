package s3

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/backends"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Bucket: "bucket"}
	tests := []struct {
		name string
		mod  func(*Config)
		bad  bool
	}{
		{"minimal", func(*Config) {}, false},
		{"full", func(c *Config) {
			*c = Config{Bucket: "b-1.x", Prefix: "a/b/", Endpoint: "https://s3.example:9000", Region: "eu-west-1",
				AccessKeyID: "AK", SecretAccessKey: "SK", SessionToken: "T", PartSize: 64 << 20, Concurrency: 8, MaxRetries: -1}
		}, false},
		{"no bucket", func(c *Config) { c.Bucket = "" }, true},
		{"bucket with slash", func(c *Config) { c.Bucket = "a/b" }, true},
		{"prefix without slash", func(c *Config) { c.Prefix = "p" }, true},
		{"prefix with dot segment", func(c *Config) { c.Prefix = "a/../" }, true},
		{"prefix starting with slash", func(c *Config) { c.Prefix = "/a/" }, true},
		{"endpoint without scheme", func(c *Config) { c.Endpoint = "s3.example" }, true},
		{"endpoint ftp", func(c *Config) { c.Endpoint = "ftp://s3.example" }, true},
		{"endpoint with user", func(c *Config) { c.Endpoint = "https://u:p@s3.example" }, true},
		{"part size too small", func(c *Config) { c.PartSize = 1 << 20 }, true},
		{"part size too large", func(c *Config) { c.PartSize = 6 << 30 }, true},
		{"negative concurrency", func(c *Config) { c.Concurrency = -1 }, true},
		{"buffer budget below a part", func(c *Config) { c.MaxBufferBytes = minPartSize - 1 }, true},
		{"negative buffer budget", func(c *Config) { c.MaxBufferBytes = -1 }, true},
		{"secret without key", func(c *Config) { c.SecretAccessKey = "hunter2" }, true},
		{"key without secret", func(c *Config) { c.AccessKeyID = "AK" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			err := c.Validate()
			if (err != nil) != tc.bad {
				t.Fatalf("Validate() = %v, want error: %v", err, tc.bad)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows the secret: %v", err)
			}
		})
	}
}

func TestRangeHeader(t *testing.T) {
	tests := []struct {
		off, n int64
		want   string
	}{
		{0, -1, ""},
		{5, -1, "bytes=5-"},
		{0, 1, "bytes=0-0"},
		{10, 5, "bytes=10-14"},
	}
	for _, tc := range tests {
		if got := aws.ToString(rangeHeader(tc.off, tc.n)); got != tc.want {
			t.Errorf("rangeHeader(%d, %d) = %q, want %q", tc.off, tc.n, got, tc.want)
		}
	}
}

func TestRangeTotal(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		bad  bool
	}{
		{"bytes 0-9/100", 100, false},
		{"bytes 5-5/6", 6, false},
		{"bytes 0-9/*", 0, true},
		{"garbage", 0, true},
	}
	for _, tc := range tests {
		got, err := rangeTotal(tc.in)
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("rangeTotal(%q) = %d, %v", tc.in, got, err)
		}
	}
}

// TestChunker cuts bodies of every interesting length into parts of 4 bytes.
func TestChunker(t *testing.T) {
	for n := 0; n <= 13; n++ {
		body := bytes.Repeat([]byte("x"), n)
		for _, size := range []int64{int64(n), -1} {
			c := &chunker{r: iotest.HalfReader(bytes.NewReader(body))}
			if size >= 0 {
				c.r = &exactReader{r: c.r, left: size}
			}
			got, last, err := c.first(4, size)
			total := len(got)
			for parts := 1; err == nil && !last; parts++ {
				buf := make([]byte, 4)
				var k int
				k, last, err = c.fill(buf)
				if k == 0 || (!last && k != 4) {
					t.Fatalf("n=%d size=%d: part %d has %d bytes, last %v", n, size, parts, k, last)
				}
				total += k
			}
			if err != nil || total != n {
				t.Fatalf("n=%d size=%d: read %d bytes, err %v", n, size, total, err)
			}
		}
	}
}

func TestExactReader(t *testing.T) {
	tests := []struct {
		body string
		size int64
		err  error
	}{
		{"", 0, nil},
		{"abc", 3, nil},
		{"ab", 3, backends.ErrSizeMismatch},
		{"abcd", 3, backends.ErrSizeMismatch},
		{"", 1, backends.ErrSizeMismatch},
		{"a", 0, backends.ErrSizeMismatch},
	}
	for _, tc := range tests {
		r := &exactReader{r: iotest.OneByteReader(strings.NewReader(tc.body)), left: tc.size}
		_, err := io.ReadAll(r)
		if !errors.Is(err, tc.err) {
			t.Errorf("body %q size %d: err %v, want %v", tc.body, tc.size, err, tc.err)
		}
	}
	boom := errors.New("boom")
	r := &exactReader{r: iotest.ErrReader(boom), left: 0}
	if _, err := io.ReadAll(r); !errors.Is(err, boom) {
		t.Errorf("reader error after the end: %v", err)
	}
}

func TestReadUpTo(t *testing.T) {
	for _, n := range []int{0, 1, 100 << 10, 200 << 10} {
		got, eof, err := readUpTo(bytes.NewReader(make([]byte, n)), 150<<10)
		want := min(n, 150<<10)
		if err != nil || len(got) != want || eof != (n < 150<<10) || cap(got) > 150<<10 {
			t.Errorf("n=%d: %d bytes (cap %d), eof %v, err %v", n, len(got), cap(got), eof, err)
		}
	}
}

// apiErr builds the error chain the SDK returns for an HTTP answer.
func apiErr(status int, code string) error {
	resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status}}
	var inner error = &smithy.GenericAPIError{Code: code, Message: "m"}
	return &smithy.OperationError{ServiceID: "S3", OperationName: "Op",
		Err: &smithyhttp.ResponseError{Response: resp, Err: inner}}
}

func TestClassify(t *testing.T) {
	sendErr := &smithyhttp.RequestSendError{Err: errors.New("dial tcp: connection refused")}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"NoSuchKey", apiErr(404, "NoSuchKey"), backends.ErrNotExist},
		{"HEAD 404", apiErr(404, "NotFound"), backends.ErrNotExist},
		{"NoSuchBucket", apiErr(404, "NoSuchBucket"), nil},
		{"PreconditionFailed", apiErr(412, "PreconditionFailed"), backends.ErrPreconditionFailed},
		{"ConditionalRequestConflict", apiErr(409, "ConditionalRequestConflict"), backends.ErrPreconditionFailed},
		{"other 409", apiErr(409, "BucketNotEmpty"), nil},
		{"InvalidRange", apiErr(416, "InvalidRange"), backends.ErrInvalidRange},
		{"bare 416", apiErr(416, ""), backends.ErrInvalidRange},
		{"ExistingObjectIsDirectory", apiErr(409, "ExistingObjectIsDirectory"), backends.ErrInvalidKey},
		{"XMinioInvalidObjectName", apiErr(400, "XMinioInvalidObjectName"), backends.ErrInvalidKey},
		{"500", apiErr(500, "InternalError"), backends.ErrUnavailable},
		{"503 unknown code", apiErr(503, "Whatever"), backends.ErrUnavailable},
		{"SlowDown", apiErr(503, "SlowDown"), backends.ErrUnavailable},
		{"AccessDenied", apiErr(403, "AccessDenied"), nil},
		{"network", &smithy.OperationError{Err: sendErr}, backends.ErrUnavailable},
		{"retries exhausted", &retry.MaxAttemptsError{Attempt: 3, Err: errors.New("x")}, backends.ErrUnavailable},
		{"truncated body", io.ErrUnexpectedEOF, backends.ErrUnavailable},
		{"XMinioStorageFull", apiErr(507, "XMinioStorageFull"), backends.ErrNoSpace},
		{"InsufficientStorage", apiErr(507, "InsufficientStorage"), backends.ErrNoSpace},
		{"bare 507", apiErr(507, ""), backends.ErrNoSpace},
		{"QuotaExceeded", apiErr(403, "QuotaExceeded"), backends.ErrNoSpace},
		{"XMinioAdminBucketQuotaExceeded", apiErr(400, "XMinioAdminBucketQuotaExceeded"), backends.ErrNoSpace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := mapErr(t.Context(), "op", "k", tc.err)
			for _, s := range []error{backends.ErrNotExist, backends.ErrPreconditionFailed, backends.ErrInvalidRange,
				backends.ErrUnavailable, backends.ErrInvalidKey, backends.ErrNoSpace} {
				if errors.Is(err, s) != (s == tc.want) {
					t.Fatalf("mapErr(%v): errors.Is(%v) = %v", tc.err, s, !(s == tc.want))
				}
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("original error lost: %v", err)
			}
		})
	}
}

// TestInvalidKeysNoRequest checks that bad keys fail before any request:
// the store points at a closed port, so a request would be ErrUnavailable.
func TestInvalidKeysNoRequest(t *testing.T) {
	s, err := New(t.Context(), Config{Bucket: "bucket", Endpoint: "http://127.0.0.1:1", PathStyle: true,
		AccessKeyID: "AK", SecretAccessKey: "SK", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "/a", "a/", "a//b", "a/./b", "../a", "a\\b", "a\x00b", strings.Repeat("k", backends.MaxKeyLen+1)} {
		ctx := t.Context()
		_, err1 := s.Put(ctx, key, strings.NewReader("x"), 1, backends.PutOptions{})
		_, _, err2 := s.Get(ctx, key, 0, -1)
		_, err3 := s.Stat(ctx, key)
		err4 := s.Delete(ctx, key)
		for i, err := range []error{err1, err2, err3, err4} {
			if !errors.Is(err, backends.ErrInvalidKey) {
				t.Errorf("key %q, call %d: %v, want ErrInvalidKey", key, i+1, err)
			}
		}
	}
}

func TestSplitPrefix(t *testing.T) {
	tests := []struct{ prefix, dir, last string }{
		{"", "", ""}, {".", "", "."}, {"a/", "a/", ""}, {"a/..", "a/", ".."}, {"p/a/b.c", "p/a/", "b.c"},
	}
	for _, tc := range tests {
		if dir, last := splitPrefix(tc.prefix); dir != tc.dir || last != tc.last {
			t.Errorf("splitPrefix(%q) = %q, %q; want %q, %q", tc.prefix, dir, last, tc.dir, tc.last)
		}
	}
	for dir, want := range map[string]bool{"": false, "a/": false, "./": true, "../": true, "a/./": true,
		"a/../b/": true, ".a/": false, "a./": false, "a/.../": false} {
		if got := hasDotSegment(dir); got != want {
			t.Errorf("hasDotSegment(%q) = %v", dir, got)
		}
	}
}

// TestCutPage: of a page listed from the parent, entries below the prefix
// are dropped, matching ones kept, and one past them ends the listing.
func TestCutPage(t *testing.T) {
	page := backends.ListPage{
		Objects:   []backends.ObjectInfo{{Key: "-\U0010FFFFx"}, {Key: ".a"}, {Key: ".z"}, {Key: "b"}},
		Prefixes:  []string{".d/", "c/"},
		NextToken: "more",
	}
	got := cutPage(page, ".")
	if len(got.Objects) != 2 || got.Objects[0].Key != ".a" || len(got.Prefixes) != 1 || got.NextToken != "" {
		t.Fatalf("cutPage = %+v; want .a, .z, .d/ and no token", got)
	}
	below := backends.ListPage{Objects: []backends.ObjectInfo{{Key: "-\U0010FFFFx"}, {Key: ".a"}}, Prefixes: []string{".d/"}, NextToken: "more"}
	if got := cutPage(below, "."); got.NextToken != "more" || len(got.Objects)+len(got.Prefixes) != 2 {
		t.Fatalf("cutPage of a page that ends in matches = %+v; want .a, .d/ and the token", got)
	}
}
