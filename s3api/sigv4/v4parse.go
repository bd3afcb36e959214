package sigv4

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// v4Params is what a SigV4 Authorization header or presigned query carries.
type v4Params struct {
	accessKey string
	date      string // YYYYMMDD from the credential scope
	region    string
	service   string
	signed    []string // signed header names, lower-case, as listed
	signature string   // 64 lower-case hex digits
	amzDate   string   // presigned: X-Amz-Date
	expires   time.Duration
}

func (p *v4Params) scope() string {
	return p.date + "/" + p.region + "/" + p.service + "/aws4_request"
}

// parseAuthHeader parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
// Signature=…". Errors wrap ErrAuthorizationMalformed or
// ErrUnsupportedAlgorithm.
func parseAuthHeader(h, service string) (*v4Params, error) {
	algo, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	if algo != algoV4 {
		return nil, errorf(ErrUnsupportedAlgorithm, "authorization type is not %s", algoV4)
	}
	comps := strings.Split(rest, ",")
	if len(comps) != 3 {
		return nil, awsErrorf(ErrAuthorizationMalformed, "%sthe authorization header requires three components: Credential, SignedHeaders, and Signature.", headerMalformed)
	}
	fields := map[string]string{}
	for _, f := range comps {
		k, val, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return nil, awsErrorf(ErrAuthorizationMalformed, "%sthe authorization component %q is malformed.", headerMalformed, strings.TrimSpace(f))
		}
		if _, dup := fields[k]; dup {
			return nil, errorf(ErrAuthorizationMalformed, "repeated component %s", k)
		}
		fields[k] = val
	}
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if _, ok := fields[k]; !ok {
			return nil, awsErrorf(ErrAuthorizationMalformed, "%smissing %s.", headerMalformed, k)
		}
	}
	return buildParams(fields["Credential"], fields["SignedHeaders"], fields["Signature"], service, ErrAuthorizationMalformed)
}

// buildParams validates the three components common to both forms.
func buildParams(cred, signed, sig, service string, malformed error) (*v4Params, error) {
	p := &v4Params{signature: sig}
	if err := p.parseCredential(cred, service); err != nil {
		return nil, awsErrorf(malformed, "%s%s", malformedPrefix(malformed), err.Error())
	}
	if err := p.parseSignedHeaders(signed); err != nil {
		return nil, errorf(malformed, "%s", err.Error())
	}
	if !isHex(sig, 64) {
		return nil, errorf(malformed, "signature is not 64 hex digits")
	}
	return p, nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

// parseCredential splits AKID/date/region/service/aws4_request (five
// components: access key IDs have no "/") and checks them in AWS's order:
// service (unless service is ""), terminal, date. Its errors are the tails
// of AWS's messages.
func (p *v4Params) parseCredential(c, service string) error {
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return parseError(credentialForm)
	}
	p.accessKey, p.date, p.region, p.service = parts[0], parts[1], parts[2], parts[3]
	_, err := time.Parse("20060102", p.date)
	switch {
	case service != "" && p.service != service:
		return parseError(fmt.Sprintf("incorrect service %q. This endpoint belongs to %q.", p.service, service))
	case parts[4] != "aws4_request":
		return parseError(fmt.Sprintf("incorrect terminal %q. This endpoint uses \"aws4_request\".", parts[4]))
	case err != nil || len(p.date) != 8:
		return parseError(fmt.Sprintf("incorrect date format %q. This date in the credential must be in the format \"yyyyMMdd\".", p.date))
	case p.accessKey == "" || p.region == "":
		return parseError(credentialForm)
	}
	return nil
}

// parseSignedHeaders requires lower-case, distinct names including host.
func (p *v4Params) parseSignedHeaders(s string) error {
	if s == "" {
		return parseError("no signed headers")
	}
	seen := map[string]bool{}
	for _, name := range strings.Split(s, ";") {
		if name == "" || name != strings.ToLower(name) || seen[name] || !validToken(name) {
			return parseError("signed headers are not distinct lower-case names")
		}
		seen[name] = true
		p.signed = append(p.signed, name)
	}
	if !seen["host"] {
		return parseError("host is not a signed header")
	}
	return nil
}

func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// presignKeys are the query parameters of a SigV4 presigned URL.
var presignKeys = []string{
	"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
	"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
}

// parsePresign extracts and validates the presign parameters; each must occur
// exactly once. Errors wrap ErrAuthQueryMalformed or ErrUnsupportedAlgorithm.
func parsePresign(pairs []queryPair, service string) (*v4Params, error) {
	q := map[string]string{}
	for _, pr := range pairs {
		for _, k := range presignKeys {
			if pr.key != k {
				continue
			}
			if _, dup := q[k]; dup {
				return nil, errorf(ErrAuthQueryMalformed, "repeated %s", k)
			}
			q[k] = pr.value
		}
	}
	for _, k := range presignKeys {
		if _, ok := q[k]; !ok {
			return nil, awsErrorf(ErrAuthQueryMalformed, "%s", presignRequired)
		}
	}
	switch q["X-Amz-Algorithm"] {
	case algoV4:
	case "AWS4-ECDSA-P256-SHA256": // AWS's other algorithm: not served here
		return nil, awsErrorf(ErrAuthQueryMalformed, "X-Amz-Algorithm only supports \"%s\"", algoV4)
	default: // AWS's message, quotes as AWS places them
		return nil, awsErrorf(ErrAuthQueryMalformed, "X-Amz-Algorithm only supports \"%s and AWS4-ECDSA-P256-SHA256\"", algoV4)
	}
	p, err := buildParams(q["X-Amz-Credential"], q["X-Amz-SignedHeaders"], q["X-Amz-Signature"], service, ErrAuthQueryMalformed)
	if err != nil {
		return nil, err
	}
	p.amzDate = q["X-Amz-Date"]
	secs, err := strconv.ParseInt(q["X-Amz-Expires"], 10, 64)
	switch {
	case err != nil:
		return nil, awsErrorf(ErrAuthQueryMalformed, "X-Amz-Expires should be a number")
	case secs <= 0:
		return nil, awsErrorf(ErrAuthQueryMalformed, "X-Amz-Expires must be non-negative")
	case secs > maxPresignSeconds:
		return nil, awsErrorf(ErrAuthQueryMalformed, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than %d seconds", maxPresignSeconds)
	}
	p.expires = time.Duration(secs) * time.Second
	return p, nil
}

const maxPresignSeconds = 7 * 24 * 3600

// unsignedAmzHeaders returns the x-amz-* headers of r (lower-case) that
// are not in signed, ignoring those in exempt.
func unsignedAmzHeaders(h http.Header, signed []string, exempt ...string) []string {
	set := map[string]bool{}
	for _, s := range append(signed, exempt...) {
		set[s] = true
	}
	var out []string
	for k := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") && !set[lk] {
			out = append(out, lk)
		}
	}
	return out
}
