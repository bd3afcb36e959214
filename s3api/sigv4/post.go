package sigv4

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// POST policy authentication: S3's "POST Object" (browser-based uploads)
// signs no request. Its form carries a base64 policy document and the
// SigV4 signature of that string, made with the signing key of a request
// (secret, credential date, region, service): VerifyPostPolicy checks it,
// and PostFile verifies the form's file against a checksum field.

// PostForm is the authentication part of a POST form, each value as sent.
type PostForm struct {
	Algorithm  string // x-amz-algorithm
	Credential string // x-amz-credential
	Date       string // x-amz-date
	Signature  string // x-amz-signature
	Policy     string // policy: the base64 document, which is the string signed
}

// ErrPostField is the error for an invalid authentication field of a POST
// form; the error is a *FieldError naming it.
var ErrPostField = errors.New("sigv4: POST form field is invalid")

// FieldError is an invalid POST form field (wrapping ErrPostField): its
// name as AWS names it, its value, and AWS's message (Message).
type FieldError struct {
	Field, Value string
	msg          string
}

func (e *FieldError) Error() string { return ErrPostField.Error() + ": " + e.Field + ": " + e.msg }

// Unwrap makes errors.Is(err, ErrPostField) hold.
func (e *FieldError) Unwrap() error { return ErrPostField }

// V4Post is the Method of a request authenticated by a POST policy.
const V4Post Method = V2Query + 1

// VerifyPostPolicy checks a POST form's algorithm, date, credential scope
// and access key, and its policy signature (constant-time). It does not
// read the policy: its expiration and conditions are the caller's. The
// date is not checked against the clock: the policy's expiration bounds
// the form's life, as on S3. Errors wrap ErrPostField (a *FieldError),
// ErrInvalidAccessKeyID or ErrSignatureDoesNotMatch (a *SignatureError
// whose StringToSign is the policy).
func (v *Verifier) VerifyPostPolicy(f PostForm) (*Auth, error) {
	if f.Algorithm != algoV4 {
		return nil, &FieldError{Field: "X-Amz-Algorithm", Value: f.Algorithm, msg: "Only AWS4-HMAC-SHA256 is supported"}
	}
	t, err := time.Parse(amzDateLayout, f.Date)
	if err != nil {
		return nil, &FieldError{Field: "X-Amz-Date", Value: f.Date, msg: "X-Amz-Date must be formated via ISO8601 Long format"}
	}
	credErr := func(format string, args ...any) error {
		return &FieldError{Field: "x-amz-credential", Value: f.Credential, msg: fmt.Sprintf(format, args...)}
	}
	p := &v4Params{}
	if err := p.parseCredential(f.Credential, ""); err != nil {
		return nil, credErr("%s", err.Error())
	}
	switch {
	case p.region != v.region():
		return nil, credErr("the region %q is wrong; expecting %q", p.region, v.region())
	case p.service != v.service():
		return nil, credErr("incorrect service %q. This endpoint belongs to %q.", p.service, v.service())
	case p.date != f.Date[:8]:
		return nil, credErr("Invalid credential date %q. This date is not the same as X-Amz-Date: %q.", p.date, f.Date[:8])
	}
	secret, err := v.lookup(p.accessKey)
	if err != nil {
		return nil, err
	}
	if !signatureMatches(signingKey(secret, p.date, p.region, p.service), f.Policy, f.Signature) {
		return nil, &SignatureError{What: "policy", StringToSign: f.Policy}
	}
	return &Auth{AccessKeyID: p.accessKey, Method: V4Post, Region: p.region, SignedAt: t}, nil
}

// PostFile returns the form's file as a reader that verifies it, at its
// end, against the form's x-amz-checksum-* fields (lower-case name to
// value; at most one, of an algorithm S3 defines). After a clean EOF the
// verified value is a.Checksum(). Errors wrap ErrInvalidChecksum, with
// AWS's message; a file that does not match fails its read with
// ErrBadChecksum, and the consumer must then discard what it read.
func (a *Auth) PostFile(file io.Reader, checksums map[string]string) (io.Reader, error) {
	var spec *checksumSpec
	n := 0
	for name := range checksums {
		if !checksumNonValue[name] {
			n++
		}
	}
	if n > 1 {
		return nil, awsErrorf(ErrInvalidChecksum, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	for name, value := range checksums {
		if checksumNonValue[name] {
			continue
		}
		alg, ok := checksumAlgOf(name)
		if !ok {
			return nil, awsErrorf(ErrInvalidChecksum, "The algorithm type you specified in x-amz-checksum- header is invalid.")
		}
		if !validChecksumValue(alg, value) {
			return nil, awsErrorf(ErrInvalidChecksum, "Value for %s header is invalid.", name)
		}
		spec = &checksumSpec{alg: alg, header: name, want: value}
	}
	st := &bodyState{src: file, want: -1, ck: spec, closer: io.NopCloser(nil)}
	a.body = st
	return st, nil
}
