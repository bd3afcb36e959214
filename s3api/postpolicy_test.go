package s3api

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestParsePolicy: documents that cannot be read, with AWS's messages.
func TestParsePolicy(t *testing.T) {
	const exp = `"expiration":"2144-11-08T04:19:33Z"`
	tests := []struct {
		doc, b64 string // b64 overrides doc's encoding
		msg      string // "" for a valid document
	}{
		{doc: `{` + exp + `,"conditions":[]}`},
		{doc: `{"expiration":"2144-11-08T04:19:33.000Z","conditions":[["content-length-range",0,10],{"acl":"private"}]}`},
		{b64: "-", msg: "Invalid Policy: Expecting '{' but found End-of-Input"},
		{b64: "invalid_base64", msg: "Invalid Policy: invalid Base64 encoding."},
		{doc: `invalid json`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `[]`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{"conditions":[]}`, msg: "Invalid Policy: Policy missing expiration."},
		{doc: `{"expiration":true,"conditions":[]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{"expiration":"invalid","conditions":[]}`, msg: "Invalid Policy: Invalid 'expiration' value: 'invalid'"},
		{doc: `{` + exp + `}`, msg: "Invalid Policy: Policy missing conditions."},
		{doc: `{` + exp + `,"conditions":true}`, msg: "Invalid Policy: Invalid 'conditions' value: must be a List."},
		{doc: `{` + exp + `,"conditions":[true]}`, msg: "Invalid Policy: Invalid condition test: must be a List or Object."},
		{doc: `{` + exp + `,"conditions":[],"extra":"field"}`, msg: `Invalid Policy: Unexpected: "extra"`},
		{doc: `{` + exp + `,"conditions":[[]]}`, msg: "Invalid Policy: Invalid Condition: missing operation identifier."},
		{doc: `{` + exp + `,"conditions":[["invalid","$a","b"]]}`, msg: "Invalid Policy: Invalid Condition: unknown operation 'invalid'."},
		{doc: `{` + exp + `,"conditions":[["eq","$a","b","c"]]}`, msg: "Invalid Policy: Invalid eq: wrong number of arguments."},
		{doc: `{` + exp + `,"conditions":[["starts-with","$a"]]}`, msg: "Invalid Policy: Invalid starts-with: wrong number of arguments."},
		{doc: `{` + exp + `,"conditions":[["eq",false,"b"]]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{` + exp + `,"conditions":[["eq","$a",true]]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{` + exp + `,"conditions":[["content-length-range",12,false]]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{` + exp + `,"conditions":[["content-length-range","1","14"]]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{` + exp + `,"conditions":[["content-length-range",10,1]]}`, msg: "Invalid Policy: Invalid JSON."},
		{doc: `{` + exp + `,"conditions":[{"a":"b","c":"d"}]}`, msg: "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."},
		{doc: `{` + exp + `,"conditions":[{"a":true}]}`, msg: "Invalid Policy: Invalid Simple-Condition: value must be a string."},
	}
	for _, tt := range tests {
		enc := b64(tt.doc)
		switch tt.b64 {
		case "":
		case "-":
			enc = ""
		default:
			enc = tt.b64
		}
		p, err := parsePolicy(enc)
		var ae *apiError
		switch {
		case tt.msg == "" && err != nil:
			t.Errorf("%s: %v", tt.doc, err)
		case tt.msg != "" && (!errors.As(err, &ae) || ae.Code != "InvalidPolicyDocument" || ae.Message != tt.msg || ae.status != 400):
			t.Errorf("%s: got %v, want %q", tt.doc, err, tt.msg)
		case tt.msg == "" && p.expiration.Year() != 2144:
			t.Errorf("%s: expiration %v", tt.doc, p.expiration)
		}
	}
}

// TestPolicyCheck: conditions against fields, unit by unit.
func TestPolicyCheck(t *testing.T) {
	p, err := parsePolicy(b64(`{"expiration":"2144-01-01T00:00:00Z","conditions":[` +
		`{"bucket":"b"},["starts-with","$key","user/"],["eq","$Content-Type","text/plain"],["content-length-range",1,5],["content-length-range",2,9]]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !p.hasRange || p.minSize != 2 || p.maxSize != 5 {
		t.Fatalf("range %v %d %d: both ranges must hold", p.hasRange, p.minSize, p.maxSize)
	}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		form   map[string]string
		bucket string
		want   string // "" allowed, else a fragment of the message
	}{
		{map[string]string{"key": "user/a", "content-type": "text/plain"}, "b", ""},
		{map[string]string{"key": "user/a", "content-type": "text/plain", "bucket": "b", "x-ignore-x": "1", "policy": "p"}, "b", ""},
		{map[string]string{"key": "user/a", "content-type": "text/plain"}, "c", `["eq", "$bucket", "b"]`},
		{map[string]string{"key": "other/a", "content-type": "text/plain"}, "b", `["starts-with","$key","user/"]`},
		{map[string]string{"key": "user/a"}, "b", `["eq","$Content-Type","text/plain"]`},
		{map[string]string{"key": "user/a", "content-type": "text/plain", "acl": "private"}, "b", "Extra input fields: acl"},
	}
	for _, tt := range tests {
		err := p.check(tt.form, tt.bucket, now)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%v in %s: %v, want %q", tt.form, tt.bucket, err, tt.want)
		}
	}
	if err := p.check(map[string]string{"key": "user/a", "content-type": "text/plain"}, "b", time.Date(2144, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil ||
		!strings.Contains(err.Error(), "Policy expired.") {
		t.Fatalf("at the expiration: %v", err)
	}
}

// FuzzPostPolicy: any policy field parses or is refused with
// InvalidPolicyDocument, and a parsed one checks any form without failing
// other than with AccessDenied.
func FuzzPostPolicy(f *testing.F) {
	for _, s := range []string{
		`{"expiration":"2144-11-08T04:19:33Z","conditions":[{"bucket":"b"},["starts-with","$key",""],["content-length-range",0,10]]}`,
		`{"expiration":"2000-01-01T00:00:00Z","conditions":[["eq","$Content-Type","a"]]}`,
		`{"expiration":"x","conditions":[]}`, `{"conditions":[[]]}`, `[]`, `null`, `{}`,
	} {
		f.Add(b64(s), "key", "v")
		f.Add(s, "content-type", "a, b")
	}
	f.Fuzz(func(t *testing.T, policy, field, value string) {
		p, err := parsePolicy(policy)
		var ae *apiError
		if err != nil {
			if !errors.As(err, &ae) || ae.Code != "InvalidPolicyDocument" {
				t.Fatalf("%q: %v", policy, err)
			}
			return
		}
		if p.minSize > p.maxSize && p.hasRange {
			return // an empty range: no file passes, which the door reports
		}
		err = p.check(map[string]string{strings.ToLower(field): value}, "bucket", time.Now())
		if err != nil && (!errors.As(err, &ae) || ae.Code != "AccessDenied") {
			t.Fatalf("check: %v", err)
		}
	})
}
