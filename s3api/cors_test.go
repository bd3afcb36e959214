package s3api

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketCORSConfig(t *testing.T) { testBucketCORSConfig(t, envOpts{}) }

func testBucketCORSConfig(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "site")
	b := aws.String("site")
	put := func(rules ...types.CORSRule) error {
		if rules == nil {
			rules = []types.CORSRule{} // the SDK refuses nil, not empty
		}
		_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
		return err
	}
	good := types.CORSRule{ID: aws.String("web"), AllowedOrigins: []string{"https://*.example.com", "http://localhost:3000"},
		AllowedMethods: []string{"GET", "PUT"}, AllowedHeaders: []string{"Content-*", "x-amz-date"},
		ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(-10)}
	tests := []struct {
		name  string
		rules []types.CORSRule
		code  string
		msg   string
	}{
		{"no rule", nil, "MalformedXML", ""},
		{"no origin", []types.CORSRule{{AllowedOrigins: []string{}, AllowedMethods: []string{"GET"}}}, "MalformedXML", ""},
		{"no method", []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{}}}, "MalformedXML", ""},
		{"two wildcards", []types.CORSRule{{AllowedOrigins: []string{"http://*:7070/*"}, AllowedMethods: []string{"GET"}}},
			"InvalidRequest", `AllowedOrigin "http://*:7070/*" can not have more than one wildcard.`},
		{"method case", []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "post"}}},
			"InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is post"},
		{"OPTIONS", []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"OPTIONS"}}},
			"InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"},
		{"bad header", []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, AllowedHeaders: []string{"X(Y)"}}},
			"InvalidRequest", `AllowedHeader "X(Y)" contains invalid character.`},
		{"bad expose header", []types.CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}, ExposeHeaders: []string{"a b"}}},
			"InvalidRequest", `AllowedHeader "a b" contains invalid character.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := put(tt.rules...)
			wantCode(t, err, tt.code, 400)
			if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("message: %v", err)
			}
			if _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); err == nil {
				t.Fatal("a refused configuration was stored")
			}
		})
	}
	_, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	wantCode(t, err, "NoSuchCORSConfiguration", 404)
	if err := put(good, types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	if err != nil || len(out.CORSRules) != 2 {
		t.Fatalf("%v %+v", err, out)
	}
	r := out.CORSRules[0]
	if aws.ToString(r.ID) != "web" || strings.Join(r.AllowedOrigins, ",") != "https://*.example.com,http://localhost:3000" ||
		strings.Join(r.AllowedMethods, ",") != "GET,PUT" || strings.Join(r.AllowedHeaders, ",") != "Content-*,x-amz-date" ||
		strings.Join(r.ExposeHeaders, ",") != "ETag" || aws.ToInt32(r.MaxAgeSeconds) != -10 || out.CORSRules[1].MaxAgeSeconds != nil {
		t.Fatalf("read back %+v", out.CORSRules)
	}
	// A bad configuration leaves the stored one.
	wantCode(t, put(types.CORSRule{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}}), "InvalidRequest", 400)
	if out, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); err != nil || len(out.CORSRules) != 2 {
		t.Fatalf("after a refused PUT: %v %+v", err, out)
	}
	// Bob has no bucket "site": his requests name no bucket of alice's.
	bob := e.client(t, bobAK, bobSK)
	_, err = bob.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = bob.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: b, CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{good}}})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("nobucket")})
	wantCode(t, err, "NoSuchBucket", 404)
	for range 2 { // deleting an unset configuration succeeds too
		if _, err := c.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: b}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b})
	wantCode(t, err, "NoSuchCORSConfiguration", 404)
	// Not XML, or another document: MalformedXML.
	for _, body := range []string{"<CORSConfiguration><CORSRule>", "<Tagging/>"} {
		resp := e.signed(t, mustReq(t, http.MethodPut, e.srv.URL+"/site?cors", strings.NewReader(body)), aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		if got, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(got), "<Code>MalformedXML</Code>") {
			t.Fatalf("%q: %d %s", body, resp.StatusCode, got)
		}
	}
}

// preflightCase is one OPTIONS request and what it must get.
type preflightCase struct {
	name, path, origin, method, headers string
	status                              int
	code, msg                           string            // for errors
	want                                map[string]string // response headers, "" for absent
}

func runPreflights(t *testing.T, e *testEnv, cases []preflightCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req := mustReq(t, http.MethodOptions, e.srv.URL+tt.path, nil)
			for k, v := range map[string]string{"Origin": tt.origin, "Access-Control-Request-Method": tt.method, "Access-Control-Request-Headers": tt.headers} {
				if v != "" {
					req.Header.Set(k, v)
				}
			}
			resp := e.do(t, req)
			defer func() { _ = resp.Body.Close() }()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.code != "" {
				var ae apiError
				if err := xml.Unmarshal(body, &ae); err != nil || ae.Code != tt.code || (tt.msg != "" && ae.Message != tt.msg) {
					t.Fatalf("error %s %q, want %s %q (%v)", ae.Code, ae.Message, tt.code, tt.msg, err)
				}
			}
			for k, v := range tt.want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
}

const (
	msgForbidden  = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	msgNotEnabled = "CORSResponse: CORS is not enabled for this bucket."
)

func TestPreflight(t *testing.T) { testPreflight(t, envOpts{}) }

func testPreflight(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	ctx := context.Background()
	alice, bob := e.aliceClient(t), e.client(t, bobAK, bobSK)
	for _, b := range []string{"site", "plain"} {
		mustBucket(t, alice, b)
	}
	mustBucket(t, bob, "site") // the same name, another account
	_, err := alice.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-amz-*", "Content-Type"}, ExposeHeaders: []string{"x-amz-version-id"}, MaxAgeSeconds: aws.Int32(600)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
		{AllowedOrigins: []string{"https://*.partner.net"}, AllowedMethods: []string{"POST"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = bob.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://bob.example"}, AllowedMethods: []string{"DELETE"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET, PUT",
		"Access-Control-Allow-Headers": "x-amz-date, content-type", "Access-Control-Expose-Headers": "x-amz-version-id, ETag",
		"Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true", "Vary": corsVary}
	runPreflights(t, e, []preflightCase{
		{name: "allowed", path: "/site/k", origin: "https://app.example.com", method: "PUT", headers: "X-Amz-Date, Content-Type", status: 200, want: allowed},
		{name: "any origin", path: "/site", origin: "http://elsewhere", method: "HEAD", status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "false",
				"Access-Control-Allow-Methods": "HEAD", "Access-Control-Allow-Headers": "", "Access-Control-Expose-Headers": "ETag", "Access-Control-Max-Age": ""}},
		{name: "wildcard origin", path: "/site/a/b", origin: "https://eu.partner.net", method: "POST", status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://eu.partner.net", "Access-Control-Allow-Methods": "POST"}},
		{name: "another owner's rule", path: "/site/k", origin: "https://bob.example", method: "DELETE", status: 200,
			want: map[string]string{"Access-Control-Allow-Origin": "https://bob.example", "Access-Control-Allow-Methods": "DELETE"}},
		{name: "origin not allowed", path: "/site/k", origin: "https://evil.example", method: "GET", status: 403, code: "AccessForbidden", msg: msgForbidden,
			want: map[string]string{"Access-Control-Allow-Origin": "", "Vary": ""}},
		{name: "method not allowed", path: "/site/k", origin: "https://app.example.com", method: "DELETE", status: 403, code: "AccessForbidden", msg: msgForbidden},
		{name: "header not allowed", path: "/site/k", origin: "https://app.example.com", method: "GET", headers: "x-amz-date,Authorization", status: 403, code: "AccessForbidden"},
		{name: "partner suffix only", path: "/site", origin: "https://partner.net", method: "POST", status: 403, code: "AccessForbidden"},
		{name: "no configuration", path: "/plain/k", origin: "https://app.example.com", method: "GET", status: 403, code: "AccessForbidden", msg: msgNotEnabled},
		{name: "no bucket looks the same", path: "/nobucket/k", origin: "https://app.example.com", method: "GET", status: 403, code: "AccessForbidden", msg: msgNotEnabled},
		{name: "missing origin", path: "/site/k", method: "GET", status: 400, code: "BadRequest", msg: "Insufficient information. Origin request header needed."},
		{name: "lower-case method", path: "/site/k", origin: "https://app.example.com", method: "get", status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: get"},
		{name: "no method", path: "/site/k", origin: "https://app.example.com", status: 400, code: "BadRequest", msg: "Invalid Access-Control-Request-Method: "},
		{name: "bad header", path: "/site/k", origin: "https://app.example.com", method: "GET", headers: "x-amz-date, Bad/Header", status: 400, code: "BadRequest",
			msg: `Access-Control-Request-Headers " Bad/Header" contains invalid character.`},
	})
	// A deleted configuration stops answering (the fake applies at once).
	if _, err := alice.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.alice.(*fakeNS); ok {
		runPreflights(t, e, []preflightCase{
			{name: "deleted", path: "/site/k", origin: "https://app.example.com", method: "GET", status: 403, code: "AccessForbidden", msg: msgForbidden},
		})
	}
}

func TestCORSOnRequests(t *testing.T) { testCORSOnRequests(t, envOpts{}) }

func testCORSOnRequests(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	ctx := context.Background()
	c := e.aliceClient(t)
	mustBucket(t, c, "site")
	mustPut(t, c, "site", "k", "v")
	_, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://app.example.com"}, AllowedMethods: []string{"GET", "HEAD"}, AllowedHeaders: []string{"X-Amz-Date"},
			ExposeHeaders: []string{"ETag", "x-amz-meta-a"}, MaxAgeSeconds: aws.Int32(30)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(origin string, extra map[string]string) *http.Response {
		req := mustReq(t, http.MethodGet, e.srv.URL+"/site/k", nil)
		req.Header.Set("Origin", origin)
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		return e.signed(t, req, aliceAK, aliceSK) // closed by e.do's cleanup
	}
	resp := get("https://app.example.com", nil)
	defer func() { _ = resp.Body.Close() }()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(body) != "v" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	for k, v := range map[string]string{"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET, HEAD",
		"Access-Control-Expose-Headers": "ETag, x-amz-meta-a", "Access-Control-Max-Age": "30", "Vary": corsVary, "Access-Control-Allow-Headers": ""} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	// Another origin: served, without CORS headers.
	resp = get("https://evil.example", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Vary") != "" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	// Preflight headers on an actual request are checked and matched.
	resp = get("https://app.example.com", map[string]string{"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-amz-date"})
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Headers") != "x-amz-date" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	resp = get("https://app.example.com", map[string]string{"Access-Control-Request-Method": "put"})
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(body), "Invalid Access-Control-Request-Method: put") {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	// A bucket without CORS: no headers.
	mustBucket(t, c, "plain")
	mustPut(t, c, "plain", "k", "v")
	req := mustReq(t, http.MethodGet, e.srv.URL+"/plain/k", nil)
	req.Header.Set("Origin", "https://app.example.com")
	resp = e.signed(t, req, aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
}
