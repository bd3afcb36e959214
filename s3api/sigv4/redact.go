package sigv4

import (
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
