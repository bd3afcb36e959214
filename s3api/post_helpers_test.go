package s3api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"sort"
	"testing"
	"time"
)

// postUpload builds a browser POST upload as an HTML form or an SDK would:
// the signed fields, the extra fields (sorted), then the file.
type postUpload struct {
	bucket, key string
	ak, sk      string    // alice's by default
	region      string    // us-east-1 by default
	date        time.Time // now by default
	expiration  time.Time // in an hour by default
	conds       []any     // conditions besides one exact condition per field sent
	omitConds   []string  // fields that get no exact condition
	rawPolicy   *string   // sent as the policy instead of the encoded one
	fields      map[string]string
	drop        []string // signed fields not to send
	file        []byte
	noFile      bool
	filename    string
	sig         string // the signature to send instead of the right one
}

// testSigningKey is SigV4's signing key (an oracle for the tests; the
// door's is sigv4's).
func testSigningKey(sk, date, region string) []byte {
	k := []byte("AWS4" + sk)
	for _, s := range []string{date, region, "s3", "aws4_request"} {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(s))
		k = m.Sum(nil)
	}
	return k
}

// body returns the multipart body and its content type.
func (p postUpload) body(t *testing.T) ([]byte, string) {
	t.Helper()
	if p.ak == "" {
		p.ak = aliceAK
	}
	if p.sk == "" {
		p.sk = aliceSK
	}
	if p.region == "" {
		p.region = "us-east-1"
	}
	if p.date.IsZero() {
		p.date = time.Now().UTC()
	}
	if p.expiration.IsZero() {
		p.expiration = time.Now().Add(time.Hour)
	}
	if p.filename == "" {
		p.filename = "upload.bin"
	}
	fields := map[string]string{"bucket": p.bucket, "key": p.key, "x-amz-algorithm": "AWS4-HMAC-SHA256",
		"x-amz-credential": p.ak + "/" + p.date.Format("20060102") + "/" + p.region + "/s3/aws4_request",
		"x-amz-date":       p.date.Format("20060102T150405Z")}
	for k, v := range p.fields {
		fields[k] = v
	}
	for _, k := range p.drop {
		delete(fields, k)
	}
	conds := append([]any(nil), p.conds...)
	omit := map[string]bool{}
	for _, k := range p.omitConds {
		omit[k] = true
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !omit[k] {
			conds = append(conds, map[string]string{k: fields[k]})
		}
	}
	doc, err := json.Marshal(map[string]any{"expiration": p.expiration.UTC().Format(time.RFC3339), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	if p.rawPolicy != nil {
		policy = *p.rawPolicy
	}
	m := hmac.New(sha256.New, testSigningKey(p.sk, p.date.Format("20060102"), p.region))
	m.Write([]byte(policy))
	sig := hex.EncodeToString(m.Sum(nil))
	if p.sig != "" {
		sig = p.sig
	}
	signed := map[string]string{"policy": policy, "x-amz-signature": sig}
	for _, k := range p.drop {
		delete(signed, k)
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range []string{"policy", "x-amz-signature"} {
		if v, ok := signed[k]; ok {
			_ = w.WriteField(k, v)
		}
	}
	for _, k := range names {
		_ = w.WriteField(k, fields[k])
	}
	if !p.noFile {
		fw, _ := w.CreateFormFile("file", p.filename)
		_, _ = fw.Write(p.file)
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// answer is a response read whole.
type answer struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// send sends req and reads the whole response.
func (e *testEnv) send(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp := e.do(t, req)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
}

// post sends the upload to the bucket's URL, with the header pairs given.
func (e *testEnv) post(t *testing.T, p postUpload, header ...string) answer {
	t.Helper()
	body, ct := p.body(t)
	req := mustReq(t, http.MethodPost, e.srv.URL+"/"+p.bucket, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.send(t, req)
}

// wantPostError checks an error answer: status, code and, if set, message.
func wantPostError(t *testing.T, resp answer, status int, code, msg string) apiError {
	t.Helper()
	body := resp.Body
	var ae apiError
	if err := xml.Unmarshal(body, &ae); err != nil || resp.StatusCode != status || ae.Code != code || (msg != "" && ae.Message != msg) {
		t.Fatalf("got %d %s, want %d %s %q", resp.StatusCode, body, status, code, msg)
	}
	return ae
}
