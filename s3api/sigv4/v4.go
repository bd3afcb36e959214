package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// v4Request is a parsed, not yet verified SigV4 request.
type v4Request struct {
	*v4Params
	r         *http.Request
	pairs     []queryPair
	presigned bool
	t         time.Time
	payload   string // x-amz-content-sha256 value signed in the canonical request
}

func (v *Verifier) verifyV4Header(r *http.Request, authz string) (*Auth, error) {
	p, err := parseAuthHeader(authz, v.service())
	if err != nil {
		return nil, err
	}
	pairs, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(ErrAuthorizationMalformed, "query string is not valid URL encoding")
	}
	req := &v4Request{v4Params: p, r: r, pairs: pairs}
	if err := v.checkScope(p, ErrAuthorizationMalformed); err != nil {
		return nil, err
	}
	if err := v.headerDate(req); err != nil {
		return nil, err
	}
	req.payload = r.Header.Get("X-Amz-Content-Sha256")
	if !validPayloadMode(req.payload) {
		return nil, argumentError(ErrInvalidContentSHA256, "x-amz-content-sha256", req.payload, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "+
			"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, "+
			"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	return v.finishV4(req, V4Header, "x-amz-content-sha256")
}

func (v *Verifier) verifyV4Query(r *http.Request) (*Auth, error) {
	pairs, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(ErrAuthQueryMalformed, "query string is not valid URL encoding")
	}
	p, err := parsePresign(pairs, v.service())
	if err != nil {
		return nil, err
	}
	for _, pr := range pairs {
		if pr.key == "X-Amz-Security-Token" {
			return nil, errorf(ErrInvalidToken, "presigned URL carries a security token")
		}
	}
	req := &v4Request{v4Params: p, r: r, pairs: pairs, presigned: true}
	if err := v.checkScope(p, ErrAuthQueryMalformed); err != nil {
		return nil, err
	}
	if err := v.presignDate(req); err != nil {
		return nil, err
	}
	req.payload = unsignedPayload
	for _, pr := range pairs {
		if pr.key == "X-Amz-Content-Sha256" {
			req.payload = pr.value
		}
	}
	if req.payload != unsignedPayload && !isHex(req.payload, 64) {
		return nil, errorf(ErrInvalidContentSHA256, "presigned X-Amz-Content-Sha256 must be a hex digest or UNSIGNED-PAYLOAD")
	}
	return v.finishV4(req, V4Query)
}

// checkScope checks the credential scope's region (parseCredential checked
// its service).
func (v *Verifier) checkScope(p *v4Params, malformed error) error {
	prefix := malformedPrefix(malformed)
	if p.region != v.region() {
		if errors.Is(malformed, ErrAuthQueryMalformed) {
			return awsErrorf(malformed, "%sthe region %q is wrong; expecting %q", prefix, p.region, v.region())
		}
		return awsErrorf(ErrRegionMismatch, "%sthe region %q is wrong; expecting %q", prefix, p.region, v.region())
	}
	return nil
}

// headerDate takes the date from x-amz-date (or Date) and checks it.
func (v *Verifier) headerDate(req *v4Request) error {
	h := req.r.Header
	amz := h.Get("X-Amz-Date")
	var err error
	if amz != "" {
		req.t, err = time.Parse(amzDateLayout, amz)
		req.amzDate = amz
	} else if d := h.Get("Date"); d != "" {
		req.t, err = parseHTTPDate(d)
		req.amzDate = req.t.UTC().Format(amzDateLayout)
	} else {
		return awsErrorf(ErrMissingDate, "%s", dateRequired)
	}
	if err != nil {
		return awsErrorf(ErrMissingDate, "%s", dateRequired)
	}
	if !containsStr(req.signed, "x-amz-date") && !containsStr(req.signed, "date") {
		return errorf(ErrHeadersNotSigned, "the request date is not signed")
	}
	if req.amzDate[:8] != req.date {
		return awsErrorf(ErrAuthorizationMalformed, "%sInvalid credential date. Date is not the same as X-Amz-Date.", headerMalformed)
	}
	return v.checkSkew(req.t)
}

// presignDate checks X-Amz-Date and the expiry of a presigned request.
func (v *Verifier) presignDate(req *v4Request) error {
	t, err := time.Parse(amzDateLayout, req.amzDate)
	if err != nil {
		return errorf(ErrAuthQueryMalformed, "X-Amz-Date is not YYYYMMDDTHHMMSSZ")
	}
	if req.amzDate[:8] != req.date {
		return awsErrorf(ErrAuthQueryMalformed, "Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", req.date, req.amzDate[:8])
	}
	req.t = t
	now := v.now()
	if t.Sub(now) > v.skew() {
		return errorf(ErrRequestTimeTooSkewed, "presigned request is not valid yet")
	}
	if now.After(t.Add(req.expires)) {
		return errorf(ErrExpiredPresign, "request has expired")
	}
	return nil
}

// finishV4 checks the key, the unsigned headers and the signature, then
// installs the body verifier.
func (v *Verifier) finishV4(req *v4Request, m Method, exempt ...string) (*Auth, error) {
	secret, err := v.lookup(req.accessKey)
	if err != nil {
		return nil, err
	}
	if hs := unsignedAmzHeaders(req.r.Header, req.signed, exempt...); len(hs) > 0 {
		return nil, headersNotSignedError(hs)
	}
	key := signingKey(secret, req.date, req.region, req.service)
	if err := req.checkSignature(key); err != nil {
		return nil, err
	}
	a := &Auth{AccessKeyID: req.accessKey, Method: m, Region: req.region, SignedAt: req.t, PayloadMode: req.payload}
	if req.presigned {
		a.Expires = req.t.Add(req.expires)
	}
	chain := &chunkChain{key: key, amzDate: req.amzDate, scope: req.scope(), prev: req.signature}
	return a, v.installBody(req.r, a, chain)
}

// checkSignature tries each candidate canonical URI.
func (req *v4Request) checkSignature(key []byte) error {
	var first *SignatureError
	for _, uri := range canonicalURIs(req.r) {
		creq := req.canonicalRequest(uri)
		sts := stringToSign(algoV4, req.amzDate, req.scope(), sha256Hex(creq))
		if signatureMatches(key, sts, req.signature) {
			return nil
		}
		if first == nil {
			first = &SignatureError{What: "request", StringToSign: sts, CanonicalRequest: creq}
		}
	}
	return first
}

func (req *v4Request) canonicalRequest(uri string) string {
	skip := ""
	if req.presigned {
		skip = "X-Amz-Signature"
	}
	return strings.Join([]string{
		req.r.Method,
		uri,
		canonicalQuery(req.pairs, skip),
		canonicalHeaders(req.r, req.signed),
		strings.Join(req.signed, ";"),
		req.payload,
	}, "\n")
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// queryHas reports whether the raw query has any of the named parameters.
func queryHas(u *url.URL, names ...string) bool {
	q := u.Query()
	for _, n := range names {
		if q.Has(n) {
			return true
		}
	}
	return false
}
