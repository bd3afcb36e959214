package sigv4

import (
	"net/http"
	"strings"
	"time"
)

// Method says how a request was authenticated.
type Method int

// The four accepted authentication methods.
const (
	V4Header Method = iota + 1
	V4Query
	V2Header
	V2Query
)

func (m Method) String() string {
	switch m {
	case V4Header:
		return "v4-header"
	case V4Query:
		return "v4-query"
	case V2Header:
		return "v2-header"
	case V2Query:
		return "v2-query"
	case V4Post:
		return "v4-post"
	}
	return "unknown"
}

// Verifier authenticates S3 requests. The zero value is not usable: Lookup is
// required. A Verifier is safe for concurrent use once configured.
type Verifier struct {
	// Region is the region requests must be signed for; "" means us-east-1.
	Region string
	// Service is the SigV4 service name; "" means "s3".
	Service string
	// MaxSkew bounds the difference between the request date and Now;
	// 0 means 15 minutes.
	MaxSkew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Lookup returns the secret key of an access key ID.
	Lookup func(accessKeyID string) (secret []byte, ok bool)
	// VirtualHostBucket returns the bucket a Host addresses in
	// virtual-hosted style ("" for path style). SigV2 signs the bucket in
	// its canonical resource; nil means path style only. See HostBucket.
	VirtualHostBucket func(host string) string
	// DisableV2 refuses SigV2 requests with ErrUnsupportedAlgorithm.
	DisableV2 bool
}

// Auth describes an authenticated request.
type Auth struct {
	AccessKeyID string
	Method      Method
	Region      string    // SigV4 credential scope region; "" for SigV2
	SignedAt    time.Time // request date (SigV4), Date/x-amz-date (SigV2 header)
	Expires     time.Time // presigned requests only
	// PayloadMode is the x-amz-content-sha256 value the request was signed
	// with (a hex digest, UNSIGNED-PAYLOAD or a STREAMING-… mode), "" for
	// SigV2 without one.
	PayloadMode string

	body *bodyState // nil when the body is not wrapped
}

// ChecksumAnnounced is the checksum the body is verified against: the S3
// name of its algorithm and, when a header (or form field) gave it, its
// base64 value ("" when a trailer brings it); "", "" if none.
func (a *Auth) ChecksumAnnounced() (alg, value string) {
	if a == nil || a.body == nil || a.body.ck == nil {
		return "", ""
	}
	return a.body.ck.alg.name, a.body.ck.want
}

// Checksum returns the x-amz-checksum-* the body was verified against, once
// the body has been read to io.EOF without error.
func (a *Auth) Checksum() (Checksum, bool) {
	if a.body == nil || !a.body.done || a.body.checksum.Algorithm == "" {
		return Checksum{}, false
	}
	return a.body.checksum, true
}

func (v *Verifier) region() string {
	if v.Region == "" {
		return "us-east-1"
	}
	return v.Region
}

func (v *Verifier) service() string {
	if v.Service == "" {
		return "s3"
	}
	return v.Service
}

func (v *Verifier) skew() time.Duration {
	if v.MaxSkew <= 0 {
		return 15 * time.Minute
	}
	return v.MaxSkew
}

func (v *Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// lookup returns the secret of key or ErrInvalidAccessKeyID.
func (v *Verifier) lookup(key string) ([]byte, error) {
	if v.Lookup != nil {
		if secret, ok := v.Lookup(key); ok {
			return secret, nil
		}
	}
	return nil, withDetail(errorf(ErrInvalidAccessKeyID, "unknown access key ID"), Detail{AWSAccessKeyID: key})
}

// checkSkew fails with ErrRequestTimeTooSkewed when t is too far from now.
func (v *Verifier) checkSkew(t time.Time) error {
	d := v.now().Sub(t)
	if d > v.skew() || d < -v.skew() {
		return errorf(ErrRequestTimeTooSkewed, "request time differs from server time by %s", d.Round(time.Second))
	}
	return nil
}

// Verify authenticates r. On success it returns the Auth and, when r has a
// body, replaces r.Body with a verifying reader and rewrites r so the
// downstream server sees a plain body (see the package documentation).
// The reader reports a verification failure as a non-EOF error from Read;
// the consumer must then discard everything it read.
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	authz := r.Header.Get("Authorization")
	v4q := queryHas(r.URL, "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")
	v2q := queryHas(r.URL, "AWSAccessKeyId", "Signature")
	switch {
	case authz != "" && (v4q || v2q), v4q && v2q:
		return nil, errorf(ErrAuthorizationMalformed, "only one authentication mechanism is allowed")
	case authz != "":
		return v.verifyAuthHeader(r, authz)
	case v4q:
		return v.verifyV4Query(r)
	case v2q:
		if v.DisableV2 {
			return nil, errorf(ErrUnsupportedAlgorithm, "signature version 2 is disabled")
		}
		return v.verifyV2(r, true)
	}
	return nil, ErrMissingAuth
}

func (v *Verifier) verifyAuthHeader(r *http.Request, authz string) (*Auth, error) {
	if len(r.Header.Values("Authorization")) > 1 {
		return nil, errorf(ErrAuthorizationMalformed, "more than one Authorization header")
	}
	switch {
	case strings.HasPrefix(authz, algoV4+" "):
		return v.verifyV4Header(r, authz)
	case strings.HasPrefix(authz, "AWS ") && !v.DisableV2:
		return v.verifyV2(r, false)
	case strings.HasPrefix(authz, algoV4) || !strings.Contains(authz, " "):
		return nil, argumentError(ErrUnsupportedAlgorithm, "Authorization", authz,
			"Authorization header is invalid -- one and only one ' ' (space) required.")
	}
	algo, _, _ := strings.Cut(authz, " ")
	return nil, argumentError(ErrUnsupportedAlgorithm, "Authorization", algo, "Unsupported Authorization Type")
}
