package s3api

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Authentication faults carry AWS's code, message and extra fields.
func TestAuthErrorDetails(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "auth")
	setCred := func(c string) func(*http.Request) {
		return func(r *http.Request) {
			re := regexp.MustCompile("Credential=[^,]+,")
			r.Header.Set("Authorization", re.ReplaceAllString(r.Header.Get("Authorization"), "Credential="+c+","))
		}
	}
	const wrongSHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b854"
	const emptySHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	tests := []struct {
		name, method, path, sha string
		after                   func(*http.Request)
		sign                    bool // after runs before signing
		want                    apiError
	}{
		{name: "no space", after: func(r *http.Request) { r.Header.Set("Authorization", "invalid_header") },
			want: apiError{Code: "InvalidArgument", Message: "Authorization header is invalid -- one and only one ' ' (space) required.",
				ArgumentName: "Authorization", ArgumentValue: "invalid_header"}},
		{name: "unsupported type", after: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS2-HMAC-SHA1", 1))
		}, want: apiError{Code: "InvalidArgument", Message: "Unsupported Authorization Type", ArgumentName: "Authorization", ArgumentValue: "AWS2-HMAC-SHA1"}},
		{name: "service before date", after: setCred("access/32234/us-east-1/ec2/aws4_request"),
			want: apiError{Code: "AuthorizationHeaderMalformed", Message: `The authorization header is malformed; incorrect service "ec2". This endpoint belongs to "s3".`}},
		{name: "terminal before date", after: setCred("access/32234/us-east-1/s3/aws_request"),
			want: apiError{Code: "AuthorizationHeaderMalformed", Message: `The authorization header is malformed; incorrect terminal "aws_request". This endpoint uses "aws4_request".`}},
		{name: "six components", after: setCred("access/32234/us-east-1/s3/extra/things"),
			want: apiError{Code: "AuthorizationHeaderMalformed", Message: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`}},
		{name: "unknown key", after: func(r *http.Request) {
			re := regexp.MustCompile("Credential=[^/]+")
			r.Header.Set("Authorization", re.ReplaceAllString(r.Header.Get("Authorization"), "Credential=NOBODY123"))
		}, want: apiError{Code: "InvalidAccessKeyId", Message: messages["InvalidAccessKeyId"], AWSAccessKeyID: "NOBODY123"}},
		{name: "invalid sha256", method: http.MethodPut, path: "/auth/o", after: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "invalid_sha256") },
			want: apiError{Code: "InvalidArgument", ArgumentName: "x-amz-content-sha256", ArgumentValue: "invalid_sha256"}},
		{name: "sha256 mismatch", method: http.MethodPut, path: "/auth/o?tagging", sha: wrongSHA,
			want: apiError{Code: "XAmzContentSHA256Mismatch", Message: messages["XAmzContentSHA256Mismatch"],
				ClientComputedSHA256: wrongSHA, S3ComputedSHA256: emptySHA}},
		{name: "headers not signed", method: http.MethodPut, path: "/auth/o", after: func(r *http.Request) {
			r.Header.Set("X-Amz-Tagging", "a=b")
			r.Header.Set("X-Amz-Copy-Source", "b/k")
		}, want: apiError{Code: "AccessDenied", Message: "There were headers present in the request which were not signed",
			HeadersNotSigned: "x-amz-copy-source, x-amz-tagging"}},
		{name: "empty content-md5", method: http.MethodPut, path: "/auth/o", after: func(r *http.Request) { r.Header["Content-Md5"] = []string{""} },
			want: apiError{Code: "InvalidDigest", Message: messages["InvalidDigest"]}},
		{name: "invalid content-md5", method: http.MethodPut, path: "/auth/o", after: func(r *http.Request) { r.Header.Set("Content-Md5", "dummy") },
			want: apiError{Code: "InvalidDigest", Message: messages["InvalidDigest"], ContentMD5: "dummy"}},
		{name: "retain-until not ISO 8601", method: http.MethodPut, path: "/auth/o", after: func(r *http.Request) {
			r.Header.Set("X-Amz-Object-Lock-Mode", "GOVERNANCE")
			r.Header.Set("X-Amz-Object-Lock-Retain-Until-Date", "invalid_date")
		}, sign: true, want: apiError{Code: "InvalidArgument", Message: "The retain until date must be provided in ISO 8601 format",
			ArgumentName: "x-amz-object-lock-retain-until-date", ArgumentValue: "invalid_date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := tt.method, tt.path
			if method == "" {
				method, path = http.MethodGet, "/"
			}
			req := mustReq(t, method, e.srv.URL+path, nil)
			if tt.sha != "" {
				req.Header.Set("X-Amz-Content-Sha256", tt.sha)
			}
			if req.Header.Get("X-Amz-Content-Sha256") == "" {
				req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			}
			if tt.sign {
				tt.after(req)
			}
			e.sign(t, req, "us-east-1")
			if tt.after != nil && !tt.sign {
				tt.after(req)
			}
			resp := e.do(t, req)
			defer func() { _ = resp.Body.Close() }()
			got := readAPIError(t, resp)
			w := tt.want
			if got.Code != w.Code || (w.Message != "" && got.Message != w.Message) || got.ArgumentName != w.ArgumentName ||
				got.ArgumentValue != w.ArgumentValue || got.AWSAccessKeyID != w.AWSAccessKeyID || got.HeadersNotSigned != w.HeadersNotSigned ||
				got.ClientComputedSHA256 != w.ClientComputedSHA256 || got.S3ComputedSHA256 != w.S3ComputedSHA256 || got.ContentMD5 != w.ContentMD5 {
				t.Fatalf("got %+v\nwant %+v", got, w)
			}
		})
	}
}

func readAPIError(t *testing.T, resp *http.Response) apiError {
	t.Helper()
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	var got apiError
	if err := xml.Unmarshal(b, &got); err != nil {
		t.Fatalf("%d %s: %v", resp.StatusCode, b, err)
	}
	if got.status = resp.StatusCode; got.status != statusOf(got.Code) {
		t.Fatalf("status %d for %s", got.status, got.Code)
	}
	return got
}

// A presigned URL with a security token is InvalidToken (no temporary
// credentials exist here), whatever its signature.
func TestPresignedSecurityToken(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "tok")
	get, err := s3.NewPresignClient(c).PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("tok"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	resp := e.do(t, mustReq(t, http.MethodGet, get.URL+"&X-Amz-Security-Token=my_token", nil))
	defer func() { _ = resp.Body.Close() }()
	got := readAPIError(t, resp)
	if got.Code != "InvalidToken" || got.Message != "The provided token is malformed or otherwise invalid." {
		t.Fatalf("%+v", got)
	}
}
