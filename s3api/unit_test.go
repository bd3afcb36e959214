package s3api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/s3api/sigv4"
)

func TestErrorTable(t *testing.T) {
	tests := []struct {
		err    error
		code   string
		status int
	}{
		{gateway.ErrNoSuchBucket, "NoSuchBucket", 404},
		{gateway.ErrBucketExists, "BucketAlreadyOwnedByYou", 409},
		{gateway.ErrBucketNotEmpty, "BucketNotEmpty", 409},
		{gateway.ErrNoSuchKey, "NoSuchKey", 404},
		{gateway.ErrPreconditionFailed, "PreconditionFailed", 412},
		{gateway.ErrNotModified, "NotModified", 304},
		{gateway.ErrInvalidRange, "InvalidRange", 416},
		{gateway.ErrNoSuchUpload, "NoSuchUpload", 404},
		{gateway.ErrInvalidPart, "InvalidPart", 400},
		{gateway.ErrInvalidPartOrder, "InvalidPartOrder", 400},
		{gateway.ErrEntityTooSmall, "EntityTooSmall", 400},
		{gateway.ErrEntityTooLarge, "EntityTooLarge", 400},
		{gateway.ErrIncompleteBody, "IncompleteBody", 400},
		{gateway.ErrInvalidArgument, "InvalidArgument", 400},
		{gateway.ErrKeyTooLong, "KeyTooLongError", 400},
		{gateway.ErrMetadataTooLarge, "MetadataTooLarge", 400},
		{gateway.ErrInvalidBucketName, "InvalidBucketName", 400},
		{gateway.ErrAccessDenied, "AccessDenied", 403},
		{gateway.ErrIntegrity, "InternalError", 500},
		{gateway.ErrUnavailable, "ServiceUnavailable", 503},
		{errors.New("disk on fire"), "InternalError", 500},
		{fmt.Errorf("wrapped: %w", gateway.ErrNoSuchKey), "NoSuchKey", 404},
		{fmt.Errorf("gw: %w: %w", gateway.ErrIncompleteBody, sigv4.ErrBadDigest), "BadDigest", 400},
		{io.ErrUnexpectedEOF, "IncompleteBody", 400},
		{sigv4.ErrMissingAuth, "AccessDenied", 403},
		{sigv4.ErrInvalidAccessKeyID, "InvalidAccessKeyId", 403},
		{sigv4.ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", 403},
		{sigv4.ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", 403},
		{sigv4.ErrRegionMismatch, "AuthorizationHeaderMalformed", 400},
		{sigv4.ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400},
		{sigv4.ErrInvalidDigest, "InvalidDigest", 400},
		{sigv4.ErrBadChecksum, "BadDigest", 400},
		{sigv4.ErrExpiredPresign, "AccessDenied", 403},
		{sigv4.ErrMissingContentLength, "MissingContentLength", 411},
		{sigv4.ErrAuthorizationMalformed, "AuthorizationHeaderMalformed", 400},
		{sigv4.ErrAuthQueryMalformed, "AuthorizationQueryParametersError", 400},
		{sigv4.ErrUnsupportedAlgorithm, "InvalidArgument", 400},
		{sigv4.ErrMissingDate, "AccessDenied", 403},
		{sigv4.ErrHeadersNotSigned, "AccessDenied", 403},
		{sigv4.ErrInvalidContentSHA256, "InvalidArgument", 400},
		{sigv4.ErrBadDigest, "BadDigest", 400},
		{sigv4.ErrInvalidChecksum, "InvalidRequest", 400},
		{sigv4.ErrIncompleteBody, "IncompleteBody", 400},
		{sigv4.ErrMalformedChunk, "IncompleteBody", 400},
		{&sigv4.SignatureError{What: "chunk"}, "SignatureDoesNotMatch", 403},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.err.Error(), func(t *testing.T) {
			e := toAPIError(tt.err, "us-east-1")
			if e.Code != tt.code || e.status != tt.status {
				t.Fatalf("got %s %d, want %s %d", e.Code, e.status, tt.code, tt.status)
			}
		})
	}
}

// Internal errors reach the client without detail, with the request id.
func TestWriteErrorNoDetail(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/b/k", nil)
	rc := &reqCtx{srv: &server{region: "us-east-1"}, id: "REQ123"}
	writeError(w, r, rc, fmt.Errorf("upstream /secret/path: %w", gateway.ErrIntegrity))
	body := w.Body.String()
	if w.Code != 500 || strings.Contains(body, "secret") || !strings.Contains(body, "<RequestId>REQ123</RequestId>") ||
		!strings.Contains(body, "<Code>InternalError</Code>") || !strings.Contains(body, "<Resource>/b/k</Resource>") {
		t.Fatalf("%d %s", w.Code, body)
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		h          string
		size       int64
		start, end int64
		none, bad  bool
	}{
		{h: "bytes=0-0", size: 10, start: 0, end: 0},
		{h: "bytes=0-", size: 10, start: 0, end: 9},
		{h: "bytes=2-5", size: 10, start: 2, end: 5},
		{h: "bytes=2-50", size: 10, start: 2, end: 9},
		{h: "bytes=-4", size: 10, start: 6, end: 9},
		{h: "bytes=-40", size: 10, start: 0, end: 9},
		{h: "bytes=10-", size: 10, bad: true},
		{h: "bytes=10-20", size: 10, bad: true},
		{h: "bytes=-0", size: 10, bad: true},
		{h: "bytes=0-", size: 0, bad: true},
		{h: "bytes=-5", size: 0, none: true}, // a suffix of an empty object: all of it (AWS's 200)
		{h: "", size: 10, none: true},
		{h: "bytes=5-1", size: 10, none: true},
		{h: "bytes=a-b", size: 10, none: true},
		{h: "bytes=-", size: 10, none: true},
		{h: "bytes=1-2,4-5", size: 10, none: true},
		{h: "bytes=+1-2", size: 10, none: true},
		{h: "bits=1-2", size: 10, none: true},
	}
	for _, tt := range tests {
		t.Run(tt.h, func(t *testing.T) {
			r, err := parseRange(tt.h, tt.size)
			switch {
			case tt.bad:
				if !errors.Is(err, errRangeNotSatisfiable) {
					t.Fatalf("got %v %v, want unsatisfiable", r, err)
				}
			case tt.none:
				if r != nil || err != nil {
					t.Fatalf("got %v %v, want ignored", r, err)
				}
			default:
				if err != nil || r == nil || r.Start != tt.start || r.End != tt.end {
					t.Fatalf("got %v %v", r, err)
				}
			}
		})
	}
}

func TestParseCopySource(t *testing.T) {
	const enc, obj, bkt = "Invalid copy source encoding", "Invalid copy source object key", "Invalid copy source bucket name"
	tests := []struct {
		h, bucket, key, version string
		msg, argValue           string // the refusal's message and ArgumentValue
	}{
		{h: "bkt/k", bucket: "bkt", key: "k"},
		{h: "/bkt/dir/k", bucket: "bkt", key: "dir/k"},
		{h: "bkt/a%20b%2Bc", bucket: "bkt", key: "a b+c"},
		{h: "bkt/k?versionId=null", bucket: "bkt", key: "k", version: "null"},
		{h: "bkt/k?versionId=v1", bucket: "bkt", key: "k", version: "v1"}, // the gateway checks its form
		{h: "bkt/k?versionId=", msg: "Invalid version id specified"},
		{h: "bkt", msg: obj},
		{h: "bkt/", msg: obj},
		{h: "%zz/k", msg: enc, argValue: "%zz/k"},
		{h: "bkt/%C3%", msg: enc, argValue: "bkt/%C3%"},
		{h: "bkt/%C3", msg: enc, argValue: "bkt/%C3"},
		{h: "192.168.1.1/foo", msg: bkt, argValue: "192.168.1.1/foo"},
		{h: "my-buc@k&()t/obj", msg: bkt, argValue: "my-buc@k&()t/obj"},
	}
	for _, tt := range tests {
		src, err := parseCopySource(tt.h)
		if tt.msg == "" {
			if err != nil || src != (copySource{tt.bucket, tt.key, tt.version}) {
				t.Errorf("%q: %+v %v", tt.h, src, err)
			}
			continue
		}
		e := toAPIError(err, "us-east-1")
		if err == nil || e.Code != "InvalidArgument" || e.Message != tt.msg || e.ArgumentValue != tt.argValue {
			t.Errorf("%q: %+v", tt.h, e)
		}
	}
}

func TestMetaFromHeader(t *testing.T) {
	h := http.Header{}
	h.Set("Content-Type", "text/plain")
	h.Set("X-Amz-Meta-Color", "blue")
	h.Set("X-Amz-Date", "20260101T000000Z")
	h.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	h.Set("Authorization", "AWS4-HMAC-SHA256 ...")
	m, err := metaFromHeader(h)
	if err != nil || len(m) != 2 || m["content-type"] != "text/plain" || m["x-amz-meta-color"] != "blue" {
		t.Fatalf("%v %v", m, err)
	}
	h.Set("X-Amz-Meta-Big", strings.Repeat("x", 2048))
	if _, err := metaFromHeader(h); err == nil {
		t.Fatal("oversize metadata accepted")
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=5-", "bytes=1-2,3-4", "bytes=99999999999999999999-"} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return
		}
		r, err := parseRange(h, size)
		if err != nil || r == nil {
			return
		}
		if r.Start < 0 || r.End < r.Start || r.End >= size {
			t.Fatalf("%q size %d: bad range %+v", h, size, r)
		}
	})
}

func FuzzParseCopyRange(f *testing.F) {
	f.Add("bytes=0-1", int64(10))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		r, err := parseCopyRange(h, size)
		if err == nil && (r.Start < 0 || r.End < r.Start || r.End >= size) {
			t.Fatalf("%q size %d: bad range %+v", h, size, r)
		}
	})
}

func FuzzCopySource(f *testing.F) {
	f.Add("/b/k?versionId=null")
	f.Fuzz(func(t *testing.T, h string) {
		src, err := parseCopySource(h)
		if err == nil && (src.bucket == "" || src.key == "" || len(src.key) > maxKeyLen) {
			t.Fatalf("%q: %+v", h, src)
		}
	})
}

// s3URLEncode must round-trip through what clients do (form decoding).
func FuzzURLEncode(f *testing.F) {
	for _, s := range []string{"a b", "a+b", "100%", "한글/x", "\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc := s3URLEncode(s)
		dec, err := url.QueryUnescape(enc)
		if err != nil || dec != s {
			t.Fatalf("%q -> %q -> %q %v", s, enc, dec, err)
		}
	})
}
