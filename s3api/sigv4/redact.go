package sigv4

import (
	"net/http"
	"net/url"
	"strings"
)

// redactedParams are the query parameters Redact removes: signatures and
// the credentials that name a key.
var redactedParams = map[string]bool{
	"x-amz-signature":      true,
	"x-amz-credential":     true,
	"x-amz-security-token": true,
	"signature":            true,
	"awsaccesskeyid":       true,
}

// Redact returns u as a string for logs, with X-Amz-Signature,
// X-Amz-Credential, X-Amz-Security-Token, Signature and AWSAccessKeyId
// replaced by "REDACTED" (names compared case-insensitively). The rest of
// the raw query is kept as sent. u is not modified.
func Redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		parts := strings.Split(c.RawQuery, "&")
		for i, p := range parts {
			k, _, _ := strings.Cut(p, "=")
			if dk, err := url.QueryUnescape(k); err == nil {
				k = dk
			}
			if redactedParams[strings.ToLower(k)] {
				parts[i] = k + "=REDACTED"
			}
		}
		c.RawQuery = strings.Join(parts, "&")
	}
	return c.String()
}

// RedactHeader returns a copy of h for logs with Authorization (and the
// session token) replaced by "REDACTED". For a SigV4 Authorization header
// the algorithm is kept so logs still tell how the request was signed.
func RedactHeader(h http.Header) http.Header {
	c := h.Clone()
	if c == nil {
		return c
	}
	for _, name := range []string{"Authorization", "X-Amz-Security-Token"} {
		vals := c.Values(name)
		if len(vals) == 0 {
			continue
		}
		red := make([]string, len(vals))
		for i, v := range vals {
			algo, _, _ := strings.Cut(v, " ")
			red[i] = "REDACTED"
			if name == "Authorization" && (algo == algoV4 || algo == "AWS") {
				red[i] = algo + " REDACTED"
			}
		}
		c[http.CanonicalHeaderKey(name)] = red
	}
	return c
}
