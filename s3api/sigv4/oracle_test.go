package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

var oracleNow = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// oracleReq describes a request for the SDK to sign.
type oracleReq struct {
	method, key, query string
	body               string
	unsigned           bool // UNSIGNED-PAYLOAD instead of the body's hash
	sdkEscape          bool // path escaped as the S3 SDK does (else url.PathEscape-like raw)
	header             map[string][]string
}

func (o oracleReq) target() string {
	p := "/bucket/" + o.key
	if o.sdkEscape {
		p = httpbinding.EscapePath(p, false)
	} else {
		p = (&url.URL{Path: p}).EscapedPath() // Go's escaping keeps + = ~ ! $ & ' ( ) * , ; : @
	}
	if o.query != "" {
		p += "?" + o.query
	}
	return "http://s3.example.test:9000" + p
}

func (o oracleReq) build(t *testing.T) *http.Request {
	t.Helper()
	r := httptest.NewRequest(o.method, o.target(), strings.NewReader(o.body))
	for k, vs := range o.header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	return r
}

func (o oracleReq) payload() string {
	if o.unsigned {
		return unsignedPayload
	}
	sum := sha256.Sum256([]byte(o.body))
	return hex.EncodeToString(sum[:])
}

var oracleCreds = aws.Credentials{AccessKeyID: exampleAKID, SecretAccessKey: exampleSecret}

// sdkSign signs o with aws-sdk-go-v2's SigV4 signer, as the S3 client does
// (no second path escaping), at time at, for region and secret.
func sdkSign(t *testing.T, o oracleReq, at time.Time, region, secret string) *http.Request {
	t.Helper()
	r := o.build(t)
	r.Header.Set("X-Amz-Content-Sha256", o.payload())
	creds := oracleCreds
	creds.SecretAccessKey = secret
	err := v4.NewSigner().SignHTTP(context.Background(), creds, r, o.payload(), "s3", region, at,
		func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sdkPresign presigns o for expires and rebuilds the request a client
// would send with the URL.
func sdkPresign(t *testing.T, o oracleReq, at time.Time, expires string) *http.Request {
	t.Helper()
	r := o.build(t)
	q := r.URL.Query()
	q.Set("X-Amz-Expires", expires)
	r.URL.RawQuery = q.Encode()
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), oracleCreds, r, unsignedPayload, "s3", "us-east-1", at,
		func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	out := httptest.NewRequest(o.method, u, strings.NewReader(o.body))
	for k, vs := range hdr {
		if !strings.EqualFold(k, "host") {
			out.Header[k] = vs
		}
	}
	return out
}

var oracleCases = []oracleReq{
	{method: "GET", key: "plain.txt", sdkEscape: true},
	{method: "PUT", key: "dir/with space/and+plus=eq~tilde.txt", body: "hello", sdkEscape: true},
	{method: "PUT", key: "dir/with space/and+plus=eq~tilde.txt", body: "hello"},
	{method: "PUT", key: "ünïcødé/日本語/€.bin", body: strings.Repeat("x", 5000), sdkEscape: true},
	{method: "GET", key: "k!$&'()*,;:@", sdkEscape: true},
	{method: "GET", key: "k!$&'()*,;:@"},
	{method: "GET", key: "", query: "list-type=2&prefix=a%20b%2Bc&delimiter=%2F&max-keys=5", sdkEscape: true},
	{method: "GET", key: "x", query: "tag=b&tag=a&tag=&empty=&uploads", sdkEscape: true},
	{method: "PUT", key: "u", query: "partNumber=3&uploadId=Zm9v%2Bbar%3D", body: "part", unsigned: true, sdkEscape: true},
	{method: "PUT", key: "m", body: "meta", sdkEscape: true, header: map[string][]string{
		"X-Amz-Meta-Note": {"  spaced   out\tvalue  "}, "X-Amz-Meta-Multi": {"one", "two"},
		"Content-Type": {"text/plain"}, "Range": {"bytes=0-1"},
	}},
}

// Requests signed by the SDK verify, and their bodies read back intact.
func TestOracleHeaderAuth(t *testing.T) {
	v := verifierAt(oracleNow)
	for _, o := range oracleCases {
		t.Run(o.method+" "+o.target(), func(t *testing.T) {
			a, body, err := verifyAndRead(v, sdkSign(t, o, oracleNow, "us-east-1", exampleSecret))
			wantErr(t, err, nil)
			if string(body) != o.body || a.Method != V4Header || a.AccessKeyID != exampleAKID {
				t.Fatalf("auth %+v body %q", a, body)
			}
		})
	}
}

// URLs presigned by the SDK verify, with and without a body.
func TestOraclePresigned(t *testing.T) {
	v := verifierAt(oracleNow.Add(time.Minute))
	for _, o := range oracleCases {
		t.Run(o.method+" "+o.target(), func(t *testing.T) {
			a, body, err := verifyAndRead(v, sdkPresign(t, o, oracleNow, "3600"))
			wantErr(t, err, nil)
			if string(body) != o.body || a.Method != V4Query || !a.Expires.Equal(oracleNow.Add(time.Hour)) {
				t.Fatalf("auth %+v body %q", a, body)
			}
		})
	}
}

// Changing anything signed, or signing wrongly, gives the right sentinel.
func TestOracleHeaderMutations(t *testing.T) {
	base := oracleReq{method: "PUT", key: "a b/c+d", query: "x=1&y=2", body: "payload", sdkEscape: true,
		header: map[string][]string{"X-Amz-Meta-A": {"v"}}}
	sign := func(t *testing.T) *http.Request { return sdkSign(t, base, oracleNow, "us-east-1", exampleSecret) }
	tests := []struct {
		name   string
		mutate func(t *testing.T) *http.Request
		want   error
	}{
		{"method", func(t *testing.T) *http.Request { r := sign(t); r.Method = "POST"; return r }, ErrSignatureDoesNotMatch},
		{"path", func(t *testing.T) *http.Request {
			r := sign(t)
			r.URL.Path, r.URL.RawPath, r.RequestURI = "/bucket/a b/c+e", "", ""
			return r
		}, ErrSignatureDoesNotMatch},
		{"query value", func(t *testing.T) *http.Request { r := sign(t); r.URL.RawQuery = "x=1&y=3"; return r }, ErrSignatureDoesNotMatch},
		{"query added", func(t *testing.T) *http.Request { r := sign(t); r.URL.RawQuery += "&acl"; return r }, ErrSignatureDoesNotMatch},
		{"signed header", func(t *testing.T) *http.Request { r := sign(t); r.Header.Set("X-Amz-Meta-A", "w"); return r }, ErrSignatureDoesNotMatch},
		{"host", func(t *testing.T) *http.Request { r := sign(t); r.Host = "evil.test"; return r }, ErrSignatureDoesNotMatch},
		{"unsigned x-amz header", func(t *testing.T) *http.Request { r := sign(t); r.Header.Set("X-Amz-Acl", "public-read"); return r }, ErrHeadersNotSigned},
		{"date shifted", func(t *testing.T) *http.Request {
			r := sign(t)
			r.Header.Set("X-Amz-Date", oracleNow.Add(time.Second).Format(amzDateLayout))
			return r
		}, ErrSignatureDoesNotMatch},
		{"old request", func(t *testing.T) *http.Request {
			return sdkSign(t, base, oracleNow.Add(-16*time.Minute), "us-east-1", exampleSecret)
		}, ErrRequestTimeTooSkewed},
		{"future request", func(t *testing.T) *http.Request {
			return sdkSign(t, base, oracleNow.Add(16*time.Minute), "us-east-1", exampleSecret)
		}, ErrRequestTimeTooSkewed},
		{"wrong secret", func(t *testing.T) *http.Request { return sdkSign(t, base, oracleNow, "us-east-1", "other") }, ErrSignatureDoesNotMatch},
		{"wrong region", func(t *testing.T) *http.Request { return sdkSign(t, base, oracleNow, "eu-west-1", exampleSecret) }, ErrRegionMismatch},
		{"unknown key", func(t *testing.T) *http.Request {
			r := sign(t)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), exampleAKID, "AKIDUNKNOWN", 1))
			return r
		}, ErrInvalidAccessKeyID},
		{"body", func(t *testing.T) *http.Request {
			r := sign(t)
			r.Body = io.NopCloser(strings.NewReader("paylaod"))
			return r
		}, ErrContentSHA256Mismatch},
		{"body longer", func(t *testing.T) *http.Request {
			r := sign(t)
			r.Body = io.NopCloser(strings.NewReader("payload!"))
			return r
		}, ErrIncompleteBody},
		{"no auth", func(t *testing.T) *http.Request { r := sign(t); r.Header.Del("Authorization"); return r }, ErrMissingAuth},
		{"sigv4a", func(t *testing.T) *http.Request {
			r := sign(t)
			r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=x")
			return r
		}, ErrUnsupportedAlgorithm},
	}
	v := verifierAt(oracleNow)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := verifyAndRead(v, tc.mutate(t))
			wantErr(t, err, tc.want)
		})
	}
}

// The region error names the expected region, as AWS's
// AuthorizationHeaderMalformed does; no error leaks the signature.
func TestErrorMessages(t *testing.T) {
	r := sdkSign(t, oracleCases[0], oracleNow, "eu-west-1", exampleSecret)
	v := verifierAt(oracleNow)
	v.Region = "eu-central-1"
	_, err := v.Verify(r)
	if code, _ := LookupCode(err); !strings.Contains(err.Error(), "eu-central-1") || code != "AuthorizationHeaderMalformed" {
		t.Errorf("region error %q (code %s)", err, code)
	}
	r = sdkSign(t, oracleCases[0], oracleNow, "us-east-1", "other")
	_, err = verifierAt(oracleNow).Verify(r)
	se, ok := err.(*SignatureError)
	if code, _ := LookupCode(err); !ok || se.StringToSign == "" || code != "SignatureDoesNotMatch" {
		t.Fatalf("err = %#v", err)
	}
	sig := r.Header.Get("Authorization")[len(r.Header.Get("Authorization"))-64:]
	if strings.Contains(err.Error(), sig) || strings.Contains(err.Error(), se.StringToSign) ||
		strings.Contains(se.StringToSign, exampleSecret) {
		t.Errorf("error message leaks: %q", err)
	}
}

// Presigned URL checks: expiry, not-yet-valid, the 7-day cap, tampering.
func TestOraclePresignMutations(t *testing.T) {
	o := oracleReq{method: "GET", key: "obj", query: "response-content-type=text%2Fplain", sdkEscape: true}
	tests := []struct {
		name    string
		at      time.Time
		expires string
		mutate  func(r *http.Request)
		want    error
	}{
		{"valid", oracleNow.Add(59 * time.Minute), "3600", nil, nil},
		{"expired", oracleNow.Add(61 * time.Minute), "3600", nil, ErrExpiredPresign},
		{"not yet valid", oracleNow.Add(-16 * time.Minute), "3600", nil, ErrRequestTimeTooSkewed},
		{"over 7 days", oracleNow, "604801", nil, ErrAuthQueryMalformed},
		{"signature changed", oracleNow, "60", func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Signature=", "X-Amz-Signature=0", 1)
			r.URL.RawQuery = r.URL.RawQuery[:len(r.URL.RawQuery)-1]
		}, ErrSignatureDoesNotMatch},
		{"override changed", oracleNow, "60", func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "text%2Fplain", "text%2Fhtml", 1)
		}, ErrSignatureDoesNotMatch},
		{"expires changed", oracleNow, "60", func(r *http.Request) {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=60", "X-Amz-Expires=600", 1)
		}, ErrSignatureDoesNotMatch},
		{"algorithm repeated", oracleNow, "60", func(r *http.Request) { r.URL.RawQuery += "&X-Amz-Algorithm=AWS4-HMAC-SHA256" }, ErrAuthQueryMalformed},
		{"also a header", oracleNow, "60", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x") }, ErrAuthorizationMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sdkPresign(t, o, oracleNow, tc.expires)
			if tc.mutate != nil {
				tc.mutate(r)
				r.RequestURI = ""
			}
			_, _, err := verifyAndRead(verifierAt(tc.at), r)
			wantErr(t, err, tc.want)
		})
	}
}
