package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	algoV4        = "AWS4-HMAC-SHA256"
	algoV4Payload = "AWS4-HMAC-SHA256-PAYLOAD"
	algoV4Trailer = "AWS4-HMAC-SHA256-TRAILER"
	amzDateLayout = "20060102T150405Z"
	emptySHA256   = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// awsEncode percent-encodes s as SigV4 requires: unreserved characters
// (A-Z a-z 0-9 - . _ ~) are kept, everything else becomes %XX (upper-case
// hex). With keepSlash, '/' is kept too (for paths).
func awsEncode(s string, keepSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// canonicalURIs returns the candidate canonical URIs of r, best first: the
// decoded path re-encoded the way S3 and its SDKs encode keys (so a key is
// never double-encoded), then the path exactly as it arrived on the wire if
// that differs (clients that sign their own, differently escaped path). Both
// decode to the same r.URL.Path that the downstream server acts on.
func canonicalURIs(r *http.Request) []string {
	p := r.URL.Path
	if p == "" {
		p = "/"
	}
	uris := []string{awsEncode(p, true)}
	raw := rawPath(r)
	if raw != "" && raw != uris[0] {
		uris = append(uris, raw)
	}
	return uris
}

// rawPath is the request path as sent, before any decoding.
func rawPath(r *http.Request) string {
	if r.RequestURI != "" && strings.HasPrefix(r.RequestURI, "/") {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		return p
	}
	return r.URL.EscapedPath()
}

// queryPair is one decoded query parameter.
type queryPair struct{ key, value string }

// parseQuery splits a raw query into decoded pairs in wire order. Unlike
// url.ParseQuery it never silently drops a pair: a bad escape is an error.
func parseQuery(raw string) ([]queryPair, error) {
	var pairs []queryPair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, queryPair{dk, dv})
	}
	return pairs, nil
}

// canonicalQuery encodes and sorts pairs (by key, then value), leaving out
// the parameter named skip (X-Amz-Signature for presigned requests).
func canonicalQuery(pairs []queryPair, skip string) string {
	enc := make([]string, 0, len(pairs))
	for _, p := range pairs {
		if skip != "" && p.key == skip {
			continue
		}
		enc = append(enc, awsEncode(p.key, false)+"="+awsEncode(p.value, false))
	}
	sort.Slice(enc, func(i, j int) bool {
		ki, vi, _ := strings.Cut(enc[i], "=")
		kj, vj, _ := strings.Cut(enc[j], "=")
		if ki != kj {
			return ki < kj
		}
		return vi < vj
	})
	return strings.Join(enc, "&")
}

// headerValues returns the values of the lower-case header name as the
// client saw them, including those Go moves out of r.Header.
func headerValues(r *http.Request, name string) []string {
	if name == "host" {
		if r.Host != "" {
			return []string{r.Host}
		}
		return []string{r.URL.Host}
	}
	vals := r.Header.Values(name)
	if len(vals) > 0 {
		return vals
	}
	switch name {
	case "content-length":
		if r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		return r.TransferEncoding
	}
	return nil
}

// canonicalHeaders renders the signed headers: "name:value\n" each, values
// trimmed, runs of spaces folded, multiple values joined by ",".
func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(foldSpaces(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// foldSpaces trims v and collapses runs of spaces into one space (tabs
// inside the value are kept, as the SDKs do).
func foldSpaces(v string) string {
	v = strings.TrimSpace(v)
	for strings.Contains(v, "  ") {
		v = strings.ReplaceAll(v, "  ", " ")
	}
	return v
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signingKey derives the SigV4 key for one day, region and service.
func signingKey(secret []byte, date, region, service string) []byte {
	k := append([]byte("AWS4"), secret...)
	k = hmacSHA256(k, date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// stringToSign builds the SigV4 string-to-sign for algo over hashed lines.
func stringToSign(algo, amzDate, scope string, lines ...string) string {
	return algo + "\n" + amzDate + "\n" + scope + "\n" + strings.Join(lines, "\n")
}

// signatureMatches compares a hex signature with HMAC(key, sts) in constant
// time.
func signatureMatches(key []byte, sts, sigHex string) bool {
	got, err := hex.DecodeString(sigHex)
	if err != nil {
		return false
	}
	return hmac.Equal(got, hmacSHA256(key, sts))
}
