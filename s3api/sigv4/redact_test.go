package sigv4

import (
	"net/url"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=abc&x=1",
			"https://h/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&x=1"},
		{"/b/k?AWSAccessKeyId=AKID&Expires=1&Signature=NpgC%2B%3D", "/b/k?AWSAccessKeyId=REDACTED&Expires=1&Signature=REDACTED"},
		{"/b/k?x-amz-signature=abc&X-Amz-Security-Token=tok", "/b/k?x-amz-signature=REDACTED&X-Amz-Security-Token=REDACTED"},
		{"/plain?acl", "/plain?acl"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := Redact(u); got != tc.want {
			t.Errorf("Redact(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if Redact(nil) != "" {
		t.Error("Redact(nil)")
	}
}
