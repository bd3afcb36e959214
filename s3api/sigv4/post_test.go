package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// examplePost is a POST form signed with the documentation's example key.
func examplePost() PostForm {
	policy := "eyJleHBpcmF0aW9uIjoiMjAxMy0wNS0yNVQwMDowMDowMFoiLCJjb25kaXRpb25zIjpbXX0="
	m := hmac.New(sha256.New, signingKey([]byte(exampleSecret), "20130524", "us-east-1", "s3"))
	m.Write([]byte(policy))
	return PostForm{Algorithm: "AWS4-HMAC-SHA256", Credential: exampleAKID + "/" + exampleScope, Date: exampleDate,
		Signature: hex.EncodeToString(m.Sum(nil)), Policy: policy}
}

func TestVerifyPostPolicy(t *testing.T) {
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate).Add(72 * time.Hour)) // the date is not the clock's concern
	a, err := v.VerifyPostPolicy(examplePost())
	if err != nil || a.AccessKeyID != exampleAKID || a.Method != V4Post || a.Method.String() != "v4-post" {
		t.Fatalf("%+v %v", a, err)
	}
	tests := []struct {
		name     string
		change   func(*PostForm)
		sentinel error
		field    string
		msg      string
	}{
		{"algorithm", func(f *PostForm) { f.Algorithm = "AWS4-HMAC-SHA1" }, ErrPostField, "X-Amz-Algorithm", "Only AWS4-HMAC-SHA256 is supported"},
		{"date", func(f *PostForm) { f.Date = "20130524" }, ErrPostField, "X-Amz-Date", "X-Amz-Date must be formated via ISO8601 Long format"},
		{"credential", func(f *PostForm) { f.Credential = "AKID/x" }, ErrPostField, "x-amz-credential", credentialForm},
		{"terminal", func(f *PostForm) { f.Credential = strings.Replace(f.Credential, "aws4_request", "aws_request", 1) }, ErrPostField, "x-amz-credential",
			`incorrect terminal "aws_request". This endpoint uses "aws4_request".`},
		{"region", func(f *PostForm) { f.Credential = strings.Replace(f.Credential, "us-east-1", "eu-west-1", 1) }, ErrPostField, "x-amz-credential",
			`the region "eu-west-1" is wrong; expecting "us-east-1"`},
		{"service", func(f *PostForm) { f.Credential = strings.Replace(f.Credential, "/s3/", "/ec2/", 1) }, ErrPostField, "x-amz-credential",
			`incorrect service "ec2". This endpoint belongs to "s3".`},
		{"credential date", func(f *PostForm) { f.Date = "20130525T000000Z" }, ErrPostField, "x-amz-credential", ""},
		{"unknown key", func(f *PostForm) { f.Credential = "AKIAOTHER/" + exampleScope }, ErrInvalidAccessKeyID, "", ""},
		{"signature", func(f *PostForm) { f.Signature = strings.Repeat("0", 64) }, ErrSignatureDoesNotMatch, "", ""},
		{"not hex", func(f *PostForm) { f.Signature = "incorrect_signature" }, ErrSignatureDoesNotMatch, "", ""},
		{"other policy", func(f *PostForm) { f.Policy += "=" }, ErrSignatureDoesNotMatch, "", ""},
	}
	for _, tt := range tests {
		f := examplePost()
		tt.change(&f)
		_, err := v.VerifyPostPolicy(f)
		var fe *FieldError
		switch {
		case !errors.Is(err, tt.sentinel):
			t.Errorf("%s: %v, want %v", tt.name, err, tt.sentinel)
		case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
			t.Errorf("%s: field of %v", tt.name, err)
		case tt.msg != "":
			if m, _ := Message(err); m != tt.msg {
				t.Errorf("%s: message %q", tt.name, m)
			}
		}
		if code, ok := LookupCode(err); !ok || code == "" {
			t.Errorf("%s: no S3 code for %v", tt.name, err)
		}
		if strings.Contains(err.Error(), f.Signature) && f.Signature != "" {
			t.Errorf("%s: the error shows the signature", tt.name)
		}
	}
}

func TestPostFile(t *testing.T) {
	a := &Auth{}
	r, err := a.PostFile(strings.NewReader("test data"), map[string]string{"x-amz-checksum-crc32": "0wiusg==", "x-amz-checksum-algorithm": "CRC32"})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "test data" {
		t.Fatalf("%q %v", b, err)
	}
	if c, ok := a.Checksum(); !ok || c.Algorithm != "CRC32" || c.Value != "0wiusg==" {
		t.Fatalf("%+v %v", c, ok)
	}
	r, _ = (&Auth{}).PostFile(strings.NewReader("other data"), map[string]string{"x-amz-checksum-crc32": "0wiusg=="})
	if _, err := io.ReadAll(r); !errors.Is(err, ErrBadChecksum) {
		t.Fatalf("mismatch: %v", err)
	}
	for _, bad := range []map[string]string{
		{"x-amz-checksum-md5": "AAAA"}, {"x-amz-checksum-crc32": "AAAA"},
		{"x-amz-checksum-crc32": "0wiusg==", "x-amz-checksum-sha1": "9I3YU4IIYIFsddVND1hNyGMyenw="},
	} {
		if _, err := (&Auth{}).PostFile(strings.NewReader(""), bad); !errors.Is(err, ErrInvalidChecksum) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	r, _ = (&Auth{}).PostFile(strings.NewReader("plain"), nil)
	if b, err := io.ReadAll(r); err != nil || string(b) != "plain" {
		t.Fatalf("%q %v", b, err)
	}
}
