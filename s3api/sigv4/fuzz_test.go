package sigv4

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// The Authorization parser never panics, and what it accepts is well formed.
func FuzzParseAuthHeader(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=" + exampleAKID + "/" + exampleScope + ",SignedHeaders=host;x-amz-date,Signature=" + docSeed)
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=")
	f.Add("AWS4-HMAC-SHA256 ,,,==")
	f.Add("AWS AKID:sig")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/20260101/us-east-1/ec2/aws_request, SignedHeaders=host, Signature=")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := parseAuthHeader(h, "s3")
		if err != nil {
			if _, ok := LookupCode(err); !ok {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return
		}
		if !isHex(p.signature, 64) || !containsStr(p.signed, "host") || p.accessKey == "" || len(p.date) != 8 ||
			p.service != "s3" || strings.Contains(p.accessKey, "/") {
			t.Fatalf("accepted malformed %q: %+v", h, p)
		}
	})
}

// The aws-chunked decoder never panics, never yields more bytes than the
// chunks framed (nor than declared), and only reports io.EOF after exactly
// the declared length. Signed bodies are checked against the AWS example
// chain, so fuzzing also explores signature failures.
func FuzzChunkDecoder(f *testing.F) {
	f.Add([]byte(frame(exampleChain(docSeed), []string{"abc", "defg"})), int64(7), true, false)
	f.Add([]byte(frame(exampleChain(docSeed), []string{"abc"}, "x-amz-checksum-crc32:NSRBwg==")), int64(3), true, true)
	f.Add([]byte("4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:7ZiwSQ==\r\n\r\n"), int64(4), false, true)
	f.Add([]byte("3;chunk-signature=00\r\nabc\r\n0\r\n\r\n"), int64(3), false, false)
	f.Add([]byte("ffffffffffffffff\r\n"), int64(1<<40), false, false)
	f.Fuzz(func(t *testing.T, body []byte, decoded int64, signed, trailer bool) {
		if decoded < 0 {
			return
		}
		var chain *chunkChain
		if signed {
			chain = exampleChain(docSeed)
		}
		var announced []string
		if trailer {
			announced = []string{"x-amz-checksum-crc32"}
		}
		c := newChunkReader(bytes.NewReader(body), chain, trailer, announced, decoded)
		out, err := io.ReadAll(io.LimitReader(c, decoded+1))
		if int64(len(out)) > decoded || len(out) > framedMax(body) {
			t.Fatalf("yielded %d bytes from %d framed bytes, %d declared", len(out), len(body), decoded)
		}
		if err == nil && int64(len(out)) != decoded && len(out) <= int(decoded) {
			// ReadAll hit EOF: the decoder claimed success.
			if _, err2 := c.Read(make([]byte, 1)); errors.Is(err2, io.EOF) {
				t.Fatalf("EOF after %d of %d declared bytes", len(out), decoded)
			}
		}
		if _, ok := LookupCode(err); err != nil && !ok {
			t.Fatalf("error without a sentinel: %v", err)
		}
	})
}

// framedMax bounds the payload bytes a body can frame: its length.
func framedMax(body []byte) int { return len(body) }
