package sigv4

import (
	"errors"
	"strings"
	"testing"
)

// TestAWSMessages: malformed Authorization headers and presigned queries
// carry AWS's message for the fault, and still wrap their sentinel.
func TestAWSMessages(t *testing.T) {
	sig := strings.Repeat("a", 64)
	cred := func(c string) string {
		return algoV4 + " Credential=" + c + ", SignedHeaders=host;x-amz-date, Signature=" + sig
	}
	for _, tt := range []struct {
		name, header, want string
	}{
		{"two components", algoV4 + " Credential=AK/20260101/us-east-1/s3/aws4_request, Signature=" + sig,
			"The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature."},
		{"no '='", algoV4 + " Credential=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders-host, Signature=" + sig,
			`The authorization header is malformed; the authorization component "SignedHeaders-host" is malformed.`},
		{"missing credential", algoV4 + " Creds=AK/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + sig,
			"The authorization header is malformed; missing Credential."},
		{"short credential", cred("AK/20260101/us-east-1/s3"),
			`The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{"bad date", cred("AK/2026-1-1/us-east-1/s3/aws4_request"),
			`The authorization header is malformed; incorrect date format "2026-1-1". This date in the credential must be in the format "yyyyMMdd".`},
		{"bad terminal", cred("AK/20260101/us-east-1/s3/aws_request"),
			`The authorization header is malformed; incorrect terminal "aws_request". This endpoint uses "aws4_request".`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseAuthHeader(tt.header, "s3")
			got, ok := Message(err)
			if !ok || got != tt.want || !errors.Is(err, ErrAuthorizationMalformed) {
				t.Fatalf("%v\n got %q\nwant %q", err, got, tt.want)
			}
		})
	}
	full := []queryPair{{"X-Amz-Algorithm", algoV4}, {"X-Amz-Credential", "AK/20260101/us-east-1/s3/aws4_request"},
		{"X-Amz-Date", "20260101T000000Z"}, {"X-Amz-SignedHeaders", "host"}, {"X-Amz-Signature", sig}}
	for _, tt := range []struct{ name, expires, want string }{
		{"not a number", "soon", "X-Amz-Expires should be a number"},
		{"negative", "-5", "X-Amz-Expires must be non-negative"},
		{"over a week", "604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parsePresign(append(full, queryPair{"X-Amz-Expires", tt.expires}), "s3")
			if got, ok := Message(err); !ok || got != tt.want || !errors.Is(err, ErrAuthQueryMalformed) {
				t.Fatalf("%v: got %q", err, got)
			}
		})
	}
	_, err := parsePresign(full, "s3")
	if got, _ := Message(err); !strings.HasPrefix(got, "Query-string authentication version 4 requires") {
		t.Fatalf("missing X-Amz-Expires: %q", got)
	}
}

// The credential's components are checked in AWS's order, and a presigned
// URL's unknown algorithm gets AWS's message.
func TestCredentialOrder(t *testing.T) {
	sig := strings.Repeat("a", 64)
	for _, tt := range []struct{ cred, want string }{
		{"AK/3223/us-east-1/ec2/aws_request", `incorrect service "ec2". This endpoint belongs to "s3".`},
		{"AK/3223/us-east-1/s3/aws_request", `incorrect terminal "aws_request". This endpoint uses "aws4_request".`},
		{"AK/3223/us-east-1/s3/aws4_request", `incorrect date format "3223". This date in the credential must be in the format "yyyyMMdd".`},
		{"A/K/20260101/us-east-1/s3/aws4_request", credentialForm},
		{"/20260101/us-east-1/s3/aws4_request", credentialForm},
	} {
		_, err := parseAuthHeader(algoV4+" Credential="+tt.cred+", SignedHeaders=host, Signature="+sig, "s3")
		if got, _ := Message(err); got != headerMalformed+tt.want {
			t.Errorf("%s: got %q", tt.cred, got)
		}
	}
	pairs := []queryPair{{"X-Amz-Algorithm", "AWS4-SHA256"}, {"X-Amz-Credential", "AK/20260101/us-east-1/s3/aws4_request"},
		{"X-Amz-Date", "20260101T000000Z"}, {"X-Amz-SignedHeaders", "host"}, {"X-Amz-Signature", sig}, {"X-Amz-Expires", "60"}}
	_, err := parsePresign(pairs, "s3")
	if got, _ := Message(err); got != `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"` {
		t.Errorf("algorithm: %q", got)
	}
	pairs[0].value = "AWS4-ECDSA-P256-SHA256" // AWS's, not served here
	_, err = parsePresign(pairs, "s3")
	if got, _ := Message(err); got != `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"` {
		t.Errorf("ECDSA: %q", got)
	}
}
