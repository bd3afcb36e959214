package s3api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/gateway"
)

// slowComplete delays CompleteMultipartUpload, and can fail it after.
type slowComplete struct {
	gateway.Namespace
	delay time.Duration
	fail  error
	panic bool
}

func (s *slowComplete) CompleteMultipartUpload(ctx context.Context, bucket, key, id string, parts []gateway.CompletedPart, opts gateway.PutOptions) (gateway.ObjectInfo, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return gateway.ObjectInfo{}, ctx.Err()
	}
	if s.panic {
		panic("complete broke")
	}
	if s.fail != nil {
		return gateway.ObjectInfo{}, s.fail
	}
	return s.Namespace.CompleteMultipartUpload(ctx, bucket, key, id, parts, opts)
}

// bodyTap keeps a copy of the last response body the client read.
type bodyTap struct {
	rt   http.RoundTripper
	last strings.Builder
}

func (b *bodyTap) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	b.last.Reset()
	b.last.Write(raw)
	resp.Body = io.NopCloser(strings.NewReader(string(raw)))
	return resp, err
}

// TestSlowCompleteKeepsAlive: a Complete that outlasts the keep-alive
// threshold is answered 200 at once, kept alive with spaces, and ends
// with its result; aws-sdk-go-v2 reads the ETag from it, and reads an
// error found after the 200 as that error.
func TestSlowCompleteKeepsAlive(t *testing.T) {
	slow := &slowComplete{Namespace: newFakeNS(), delay: 300 * time.Millisecond}
	e := newEnv(t, envOpts{keepAlive: 20 * time.Millisecond,
		newNS: func(*testing.T, string) gateway.Namespace { return slow }})
	tap := &bodyTap{rt: e.srv.Client().Transport}
	c := e.aliceClient(t)
	c = s3.New(c.Options(), func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: tap} })
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	upload := func() (*string, []types.CompletedPart) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("slow"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("slow"), Key: aws.String("k"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("the only part")})
		if err != nil {
			t.Fatal(err)
		}
		return cr.UploadId, []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}
	}
	id, parts := upload()
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("slow"), Key: aws.String("k"),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^"[0-9a-f]{32}-1"$`).MatchString(aws.ToString(out.ETag)) {
		t.Fatalf("ETag %q", aws.ToString(out.ETag))
	}
	body := tap.last.String()
	if !regexp.MustCompile(`^<\?xml[^>]*\?>\n {3,}<CompleteMultipartUploadResult`).MatchString(body) {
		t.Fatalf("no early declaration and keep-alive spaces before the result: %q", body)
	}

	slow.fail = gateway.ErrInvalidPart
	id, parts = upload()
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("slow"), Key: aws.String("k"),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	// The status was 200 and the error came in its body; the SDK reports
	// such an error as a 500 (so that its retryer may retry it).
	wantCode(t, err, "InvalidPart", 500)
	if !strings.Contains(tap.last.String(), "<Error><Code>InvalidPart</Code>") {
		t.Fatalf("late error body: %q", tap.last.String())
	}
	if !strings.Contains(e.log.String(), `"status":400,"error":"InvalidPart"`) {
		t.Errorf("the access log does not show the late error with its status:\n%s", e.log.String())
	}

	// A panic in the Complete (its own goroutine) is an InternalError, not
	// the end of the process.
	slow.fail, slow.panic, slow.delay = nil, true, 0
	id, parts = upload()
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("slow"), Key: aws.String("k"),
		UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	wantCode(t, err, "InternalError", 500)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("slow")}); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}

// TestQuickCompleteOrdinary: a Complete done before the threshold gets an
// ordinary answer: a real error status, a result with Content-Length.
func TestQuickCompleteOrdinary(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("quick")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("quick"), Key: aws.String("k"),
		UploadId: aws.String("nosuchupload"), MultipartUpload: &types.CompletedMultipartUpload{
			Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"x"`)}}}})
	wantCode(t, err, "NoSuchUpload", 404)
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		t.Fatalf("not an HTTP error: %v", err)
	}
}

// TestCompleteLocation: the result's Location addresses the object as the
// request did, path style or virtual-host style, with the key escaped.
func TestCompleteLocation(t *testing.T) {
	e := newEnv(t, envOpts{domains: []string{"s3.localhost"}})
	path := e.aliceClient(t)
	mustBucket(t, path, "loc")
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":"):]
	vhost := e.client(t, aliceAK, aliceSK, func(o *s3.Options) {
		o.UsePathStyle = false
		o.BaseEndpoint = aws.String("http://s3.localhost" + port)
		o.HTTPClient = dialTo(e.srv.Listener.Addr().String())
	})
	ctx := context.Background()
	const key = "a b/ü?#"
	for c, want := range map[*s3.Client]string{
		path:  "/loc/a%20b/%C3%BC%3F%23",
		vhost: "http://loc.s3.localhost" + port + "/a%20b/%C3%BC%3F%23",
	} {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("loc"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("loc"), Key: aws.String(key), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("loc"), Key: aws.String(key),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}}})
		if err != nil {
			t.Fatal(err)
		}
		if loc := aws.ToString(out.Location); !strings.HasSuffix(loc, want) {
			t.Errorf("Location %q, want it to end with %q", loc, want)
		}
	}
}

// The part list is checked as AWS checks it.
func TestParseCompleteRequest(t *testing.T) {
	const ns = `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
	for _, tt := range []struct {
		name, body, code, argValue string
	}{
		{"ok", ns + `<Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, "", ""},
		{"no parts", ns + `</CompleteMultipartUpload>`, "MalformedXML", ""},
		{"not XML", `<Complete`, "MalformedXML", ""},
		{"missing ETag", ns + `<Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`, "MalformedXML", ""},
		{"missing PartNumber", ns + `<Part><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, "MalformedXML", ""},
		{"part number -4", ns + `<Part><PartNumber>-4</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, "InvalidArgument", "-4"},
		{"part number 0", ns + `<Part><PartNumber>0</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`, "InvalidArgument", "0"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := parseCompleteRequest([]byte(tt.body))
			if tt.code == "" {
				if err != nil || len(parts) != 1 || parts[0].Number != 1 || parts[0].ETag != "e" {
					t.Fatalf("%+v %v", parts, err)
				}
				return
			}
			e := toAPIError(err, "us-east-1")
			if err == nil || e.Code != tt.code || e.ArgumentValue != tt.argValue || e.Message != messages[tt.code] && tt.code == "MalformedXML" {
				t.Fatalf("%+v", e)
			}
		})
	}
}

// The part-list parser never panics, and what it accepts is well formed.
func FuzzParseCompleteRequest(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		parts, err := parseCompleteRequest(body)
		if err != nil {
			if toAPIError(err, "us-east-1").status != 400 {
				t.Fatalf("%v is not a 400", err)
			}
			return
		}
		if len(parts) == 0 {
			t.Fatal("accepted an empty part list")
		}
		for _, p := range parts {
			if p.Number < 1 {
				t.Fatalf("accepted part number %d", p.Number)
			}
		}
	})
}
