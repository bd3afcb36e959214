package s3api

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestPostObject(t *testing.T) { testPostObject(t, envOpts{}) }

func testPostObject(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "upl")

	t.Run("204", func(t *testing.T) {
		resp := e.post(t, postUpload{bucket: "upl", key: "docs/${filename}", filename: "a.txt", file: []byte("hello"),
			omitConds: []string{"key"}, conds: []any{[]any{"starts-with", "$key", "docs/"}}})
		if resp.StatusCode != 204 || resp.Header.Get("ETag") != `"5d41402abc4b2a76b9719d911017c592"` ||
			resp.Header.Get("Location") != e.srv.URL+"/upl/docs/a.txt" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
		if got := mustGet(t, c, "upl", "docs/a.txt"); got != "hello" {
			t.Fatalf("stored %q", got)
		}
	})
	t.Run("201", func(t *testing.T) {
		resp := e.post(t, postUpload{bucket: "upl", key: "k201", file: []byte("x"), fields: map[string]string{"success_action_status": "201"}})
		body := resp.Body
		var pr postResponse
		if resp.StatusCode != 201 || xml.Unmarshal(body, &pr) != nil || pr.Bucket != "upl" || pr.Key != "k201" ||
			pr.ETag != `"9dd4e461268c8034f5c8564e155c67a6"` || pr.Location != e.srv.URL+"/upl/k201" {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("200", func(t *testing.T) {
		resp := e.post(t, postUpload{bucket: "upl", key: "k200", file: []byte("x"), fields: map[string]string{"success_action_status": "200"}})
		if body := resp.Body; resp.StatusCode != 200 || len(body) != 0 {
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
	})
	t.Run("redirect", func(t *testing.T) {
		body, ct := postUpload{bucket: "upl", key: "kr", file: []byte("x"),
			fields: map[string]string{"success_action_redirect": "https://app.example.com/done?from=form", "success_action_status": "201"}}.body(t)
		req := mustReq(t, http.MethodPost, e.srv.URL+"/upl", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		client := *e.srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 303 || err != nil || loc.Host != "app.example.com" || loc.Query().Get("key") != "kr" ||
			loc.Query().Get("bucket") != "upl" || loc.Query().Get("from") != "form" || loc.Query().Get("etag") == "" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("metadata and tags", func(t *testing.T) {
		fields := map[string]string{"Content-Type": "image/png", "Cache-Control": "max-age=60", "x-amz-meta-who": "browser",
			"Content-Disposition": "inline", "tagging": "<Tagging><TagSet><Tag><Key>env</Key><Value>prod</Value></Tag></TagSet></Tagging>"}
		resp := e.post(t, postUpload{bucket: "upl", key: "meta", file: []byte("png"), fields: fields})
		if resp.StatusCode != 204 {
			body := resp.Body
			t.Fatalf("%d %s", resp.StatusCode, body)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upl"), Key: aws.String("meta")})
		if err != nil || aws.ToString(h.ContentType) != "image/png" || aws.ToString(h.CacheControl) != "max-age=60" ||
			h.Metadata["who"] != "browser" || aws.ToString(h.ContentDisposition) != "inline" {
			t.Fatalf("%v %+v", err, h)
		}
		if _, fake := e.alice.(*fakeNS); !fake { // the fake keeps no tags
			tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("upl"), Key: aws.String("meta")})
			if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Value) != "prod" {
				t.Fatalf("%v %+v", err, tags)
			}
		}
		// An empty Content-Type is the default type.
		resp = e.post(t, postUpload{bucket: "upl", key: "untyped", file: []byte("x"), fields: map[string]string{"Content-Type": ""}})
		if resp.StatusCode != 204 {
			t.Fatalf("%d", resp.StatusCode)
		}
		h, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upl"), Key: aws.String("untyped")})
		if err != nil || aws.ToString(h.ContentType) != "binary/octet-stream" {
			t.Fatalf("%v %v", err, aws.ToString(h.ContentType))
		}
	})
	t.Run("bad fields store nothing", func(t *testing.T) {
		for _, tt := range []struct {
			fields map[string]string
			status int
			code   string
		}{
			{map[string]string{"tagging": "not xml"}, 400, "MalformedXML"},
			{map[string]string{"x-amz-website-redirect-location": "ftp://x"}, 400, "InvalidRedirectLocation"},
			{map[string]string{"acl": "public-read"}, 501, "NotImplemented"},
			{map[string]string{"x-amz-server-side-encryption": "aws:kms"}, 501, "NotImplemented"},
			{map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256"}, 501, "NotImplemented"},
			{map[string]string{"x-amz-checksum-crc32": "nope"}, 400, "InvalidRequest"},
		} {
			resp := e.post(t, postUpload{bucket: "upl", key: "refused", file: []byte("x"), fields: tt.fields})
			wantPostError(t, resp, tt.status, tt.code, "")
		}
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upl"), Key: aws.String("refused")})
		wantCode(t, err, "NotFound", 404)
	})
	t.Run("missing bucket", func(t *testing.T) {
		wantPostError(t, e.post(t, postUpload{bucket: "nobucket", key: "k", file: []byte("x")}), 404, "NoSuchBucket", "")
	})
	t.Run("CORS", func(t *testing.T) {
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("upl"), CORSConfiguration: &types.CORSConfiguration{
			CORSRules: []types.CORSRule{{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"POST"}, ExposeHeaders: []string{"ETag"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		resp := e.post(t, postUpload{bucket: "upl", key: "cors", file: []byte("x")}, "Origin", "https://app.example.com")
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
			resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
			t.Fatalf("%d %v", resp.StatusCode, resp.Header)
		}
	})
}

// TestPostPolicyConditions: each kind of condition, met and not met.
func TestPostPolicyConditions(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "pol")
	failed := "Invalid according to Policy: Policy Condition failed: "
	tests := []struct {
		name   string
		p      postUpload
		status int
		code   string
		msg    string
	}{
		{name: "eq", p: postUpload{conds: []any{[]any{"eq", "$Content-Type", "text/plain"}}, omitConds: []string{"Content-Type"},
			fields: map[string]string{"Content-Type": "text/plain"}}, status: 204},
		{name: "eq fails", p: postUpload{conds: []any{[]any{"eq", "$content-type", "text/plain"}}, omitConds: []string{"content-type"},
			fields: map[string]string{"content-type": "image/jpeg"}}, status: 403, code: "AccessDenied", msg: failed + `["eq","$content-type","text/plain"]`},
		{name: "starts-with", p: postUpload{conds: []any{[]any{"starts-with", "$x-amz-meta-env", "prod"}}, omitConds: []string{"x-amz-meta-env"},
			fields: map[string]string{"x-amz-meta-env": "production"}}, status: 204},
		{name: "starts-with fails", p: postUpload{conds: []any{[]any{"starts-with", "$x-amz-meta-env", "prod"}}, omitConds: []string{"x-amz-meta-env"},
			fields: map[string]string{"x-amz-meta-env": "staging"}}, status: 403, code: "AccessDenied", msg: failed + `["starts-with","$x-amz-meta-env","prod"]`},
		{name: "starts-with empty prefix", p: postUpload{conds: []any{[]any{"starts-with", "$x-amz-meta-any", ""}}, omitConds: []string{"x-amz-meta-any"},
			fields: map[string]string{"x-amz-meta-any": "whatever"}}, status: 204},
		{name: "content types", p: postUpload{conds: []any{[]any{"starts-with", "$content-type", "text/"}}, omitConds: []string{"content-type"},
			fields: map[string]string{"content-type": "text/plain, text/html"}}, status: 204},
		{name: "content types fail", p: postUpload{conds: []any{[]any{"starts-with", "$content-type", "text/"}}, omitConds: []string{"content-type"},
			fields: map[string]string{"content-type": "text/plain, image/png"}}, status: 403, code: "AccessDenied"},
		{name: "simple condition fails", p: postUpload{conds: []any{map[string]string{"content-type": "a/b"}}, omitConds: []string{"content-type"},
			fields: map[string]string{"content-type": "c/d"}}, status: 403, code: "AccessDenied", msg: failed + `["eq", "$content-type", "a/b"]`},
		{name: "bucket", p: postUpload{conds: []any{[]any{"eq", "$bucket", "pol"}}, omitConds: []string{"bucket"}}, status: 204},
		{name: "bucket without field", p: postUpload{conds: []any{[]any{"eq", "$bucket", "pol"}}, drop: []string{"bucket"}}, status: 204},
		{name: "other bucket", p: postUpload{conds: []any{[]any{"eq", "$bucket", "other"}}}, status: 403, code: "AccessDenied"},
		{name: "no dollar", p: postUpload{conds: []any{[]any{"eq", "bucket", "pol"}}}, status: 403, code: "AccessDenied", msg: failed + `["eq","bucket","pol"]`},
		{name: "key mismatch", p: postUpload{key: "want", conds: []any{[]any{"eq", "$key", "want"}}, omitConds: []string{"key"},
			fields: map[string]string{"key": "other"}}, status: 403, code: "AccessDenied", msg: failed + `["eq","$key","want"]`},
		{name: "x-ignore field", p: postUpload{fields: map[string]string{"x-ignore-submit": "Upload"}, omitConds: []string{"x-ignore-submit"}}, status: 204},
		{name: "extra field", p: postUpload{fields: map[string]string{"x-amz-meta-custom": "v"}, omitConds: []string{"x-amz-meta-custom"}},
			status: 403, code: "AccessDenied", msg: "Invalid according to Policy: Extra input fields: x-amz-meta-custom"},
		{name: "unnamed bucket field", p: postUpload{omitConds: []string{"bucket"}}, status: 403, code: "AccessDenied",
			msg: "Invalid according to Policy: Extra input fields: bucket"},
		{name: "length in range", p: postUpload{conds: []any{[]any{"content-length-range", 1, 4}}}, status: 204},
		{name: "expired", p: postUpload{expiration: time.Now().Add(-time.Minute)}, status: 403, code: "AccessDenied",
			msg: "Invalid according to Policy: Policy expired."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.bucket, p.file = "pol", []byte("data")
			if p.key == "" {
				p.key = "obj"
			}
			resp := e.post(t, p)
			if tt.status == 204 {
				if body := resp.Body; resp.StatusCode != 204 {
					t.Fatalf("%d %s", resp.StatusCode, body)
				}
				return
			}
			wantPostError(t, resp, tt.status, tt.code, tt.msg)
		})
	}
	t.Run("too large", func(t *testing.T) {
		resp := e.post(t, postUpload{bucket: "pol", key: "big", file: []byte("0123456789"), conds: []any{[]any{"content-length-range", 0, 5}}})
		ae := wantPostError(t, resp, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
		if ae.ProposedSize != 10 || ae.MaxSizeAllowed != 5 {
			t.Fatalf("%+v", ae)
		}
	})
	t.Run("too small", func(t *testing.T) {
		resp := e.post(t, postUpload{bucket: "pol", key: "small", file: []byte("hi"), conds: []any{[]any{"content-length-range", 100, 1024}}})
		ae := wantPostError(t, resp, 400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
		if ae.ProposedSize != 2 || ae.MinSizeAllowed != 100 {
			t.Fatalf("%+v", ae)
		}
	})
	for _, k := range []string{"big", "small"} {
		if _, err := e.aliceClient(t).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("pol"), Key: aws.String(k)}); err == nil {
			t.Errorf("%s was stored", k)
		}
	}
}

// TestPostAuth: the form's signed fields, checked as AWS checks them.
func TestPostAuth(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "auth")
	cred := aliceAK + "/" + time.Now().UTC().Format("20060102") + "/us-west-2/s3/aws4_request"
	for _, f := range postAuthFields {
		t.Run("missing "+f, func(t *testing.T) {
			resp := e.post(t, postUpload{bucket: "auth", key: "k", file: []byte("x"), drop: []string{f}})
			ae := wantPostError(t, resp, 400, "InvalidArgument",
				"Bucket POST must contain a field named '"+f+"'.  If it is specified, please check the order of the fields.")
			if ae.ArgumentName != f {
				t.Fatalf("%+v", ae)
			}
		})
	}
	tests := []struct {
		name          string
		p             postUpload
		status        int
		code, msg     string
		argName, argV string
	}{
		{name: "anonymous", p: postUpload{drop: postAuthFields}, status: 403, code: "AccessDenied"},
		{name: "algorithm", p: postUpload{fields: map[string]string{"x-amz-algorithm": "AWS4-HMAC-SHA1"}}, status: 400, code: "InvalidArgument",
			msg: "Only AWS4-HMAC-SHA256 is supported", argName: "X-Amz-Algorithm", argV: "AWS4-HMAC-SHA1"},
		{name: "date", p: postUpload{fields: map[string]string{"x-amz-date": "yesterday"}}, status: 400, code: "InvalidArgument",
			argName: "X-Amz-Date", argV: "yesterday"},
		{name: "credential form", p: postUpload{fields: map[string]string{"x-amz-credential": "nokey"}}, status: 400, code: "InvalidArgument",
			msg: `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`, argName: "x-amz-credential", argV: "nokey"},
		{name: "region", p: postUpload{region: "us-west-2"}, status: 400, code: "InvalidArgument",
			msg: `the region "us-west-2" is wrong; expecting "us-east-1"`, argName: "x-amz-credential", argV: cred},
		{name: "unknown key", p: postUpload{ak: "AKIANOBODY", sk: "x"}, status: 403, code: "InvalidAccessKeyId"},
		{name: "wrong secret", p: postUpload{sk: "not-alices"}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "not a signature", p: postUpload{sig: "incorrect_signature"}, status: 403, code: "SignatureDoesNotMatch"},
		{name: "old policy", p: postUpload{rawPolicy: aws.String("eyJleHBpcmF0aW9uIjoiMjAwMC0wMS0wMVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0=")},
			status: 403, code: "AccessDenied", msg: "Invalid according to Policy: Policy expired."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			p.bucket, p.key, p.file = "auth", "k", []byte("x")
			ae := wantPostError(t, e.post(t, p), tt.status, tt.code, tt.msg)
			if ae.ArgumentName != tt.argName || ae.ArgumentValue != tt.argV {
				t.Fatalf("argument %q %q", ae.ArgumentName, ae.ArgumentValue)
			}
			switch tt.code {
			case "InvalidAccessKeyId":
				if ae.AWSAccessKeyID != "AKIANOBODY" {
					t.Fatalf("%+v", ae)
				}
			case "SignatureDoesNotMatch":
				if ae.AWSAccessKeyID != aliceAK || ae.StringToSign == "" || !strings.HasPrefix(ae.StringToSignBytes, "65 79") ||
					(p.sig != "" && ae.SignatureProvided != p.sig) {
					t.Fatalf("%+v", ae)
				}
			}
		})
	}
	if _, err := e.aliceClient(t).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("auth"), Key: aws.String("k")}); err == nil {
		t.Fatal("a refused form stored its file")
	}
	// Not a POST upload: a query, or a signed request, is an S3 request.
	resp := e.send(t, mustReq(t, http.MethodPost, e.srv.URL+"/auth?delete", strings.NewReader("x")))
	wantPostError(t, resp, 403, "AccessDenied", "")
}
