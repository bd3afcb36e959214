package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The credentials of AWS's documentation examples.
const (
	exampleAKID   = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	exampleDate   = "20130524T000000Z"
	exampleScope  = "20130524/us-east-1/s3/aws4_request"
)

func mustTime(t testing.TB, layout, s string) time.Time {
	t.Helper()
	at, err := time.Parse(layout, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// verifierAt is a Verifier whose clock is at and that knows the example key.
func verifierAt(at time.Time) *Verifier {
	return &Verifier{
		Now: func() time.Time { return at },
		Lookup: func(id string) ([]byte, bool) {
			if id == exampleAKID {
				return []byte(exampleSecret), true
			}
			return nil, false
		},
	}
}

// exampleChain is the signing context of the chunked-upload examples.
func exampleChain(seed string) *chunkChain {
	return &chunkChain{
		key:     signingKey([]byte(exampleSecret), "20130524", "us-east-1", "s3"),
		amzDate: exampleDate, scope: exampleScope, prev: seed,
	}
}

// frame builds an aws-chunked body. With chain, each chunk (and the final
// empty one) is signed, and trailers (if any) too; without, chunks are bare.
func frame(chain *chunkChain, chunks []string, trailers ...string) string {
	var b strings.Builder
	sign := func(data string) string {
		if chain == nil {
			return ""
		}
		sts := stringToSign(algoV4Payload, chain.amzDate, chain.scope, chain.prev, emptySHA256, sha256Hex(data))
		chain.prev = hexHMAC(chain.key, sts)
		return ";chunk-signature=" + chain.prev
	}
	for _, c := range append(chunks, "") {
		b.WriteString(strconv.FormatInt(int64(len(c)), 16) + sign(c) + "\r\n")
		if c != "" {
			b.WriteString(c + "\r\n")
		}
	}
	canonical := ""
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
		canonical += t + "\n"
	}
	if chain != nil && len(trailers) > 0 {
		sts := stringToSign(algoV4Trailer, chain.amzDate, chain.scope, chain.prev, sha256Hex(canonical))
		b.WriteString(trailerSigHeader + ":" + hexHMAC(chain.key, sts) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

func hexHMAC(key []byte, s string) string {
	const digits = "0123456789abcdef"
	sum := hmacSHA256(key, s)
	out := make([]byte, 0, 64)
	for _, c := range sum {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// exampleChunkedRequest is the chunked PUT of AWS's examples, with the given
// mode, signed headers and seed signature.
func exampleChunkedRequest(mode, signed, seed, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPut, "http://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(body))
	r.Header.Set("X-Amz-Date", exampleDate)
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", "66824")
	if strings.Contains(signed, "x-amz-trailer") {
		r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
	}
	r.Header.Set("Authorization", algoV4+" Credential="+exampleAKID+"/"+exampleScope+
		",SignedHeaders="+signed+",Signature="+seed)
	return r
}

// wantErr fails unless errors.Is(err, want) (want nil: err must be nil).
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("err = %v, want %v", err, want)
	}
}

// verifyAndRead runs Verify and reads the body, returning the first error.
func verifyAndRead(v *Verifier, r *http.Request) (*Auth, []byte, error) {
	a, err := v.Verify(r)
	if err != nil {
		return nil, nil, err
	}
	b, err := io.ReadAll(r.Body)
	return a, b, err
}

func b64HMACSHA1(secret, s string) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
