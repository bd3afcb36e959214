package sigv4

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them (test with errors.Is); LookupCode maps each to the S3 error code the
// door answers with. Messages never contain secrets, signatures or the
// string-to-sign.
var (
	ErrMissingAuth            = errors.New("sigv4: request is not signed")
	ErrAuthorizationMalformed = errors.New("sigv4: authorization header is malformed")
	ErrAuthQueryMalformed     = errors.New("sigv4: authorization query parameters are malformed")
	ErrUnsupportedAlgorithm   = errors.New("sigv4: unsupported signing algorithm")
	ErrRegionMismatch         = errors.New("sigv4: credential scope names the wrong region")
	ErrInvalidAccessKeyID     = errors.New("sigv4: access key ID does not exist")
	ErrSignatureDoesNotMatch  = errors.New("sigv4: signature does not match")
	ErrRequestTimeTooSkewed   = errors.New("sigv4: request time too skewed")
	ErrExpiredPresign         = errors.New("sigv4: presigned request has expired")
	ErrMissingDate            = errors.New("sigv4: request has no valid date")
	ErrHeadersNotSigned       = errors.New("sigv4: x-amz-* headers present that are not signed")
	ErrInvalidContentSHA256   = errors.New("sigv4: x-amz-content-sha256 is missing or invalid")
	ErrContentSHA256Mismatch  = errors.New("sigv4: body does not match x-amz-content-sha256")
	ErrInvalidDigest          = errors.New("sigv4: Content-MD5 is not a valid MD5 digest")
	ErrBadDigest              = errors.New("sigv4: body does not match Content-MD5")
	ErrInvalidChecksum        = errors.New("sigv4: checksum header or trailer is invalid")
	ErrBadChecksum            = errors.New("sigv4: body does not match its checksum")
	ErrMissingContentLength   = errors.New("sigv4: x-amz-decoded-content-length is missing or invalid")
	ErrIncompleteBody         = errors.New("sigv4: body length differs from the declared length")
	ErrMalformedChunk         = errors.New("sigv4: aws-chunked body is malformed")
	// ErrInvalidChunkSize: a chunk other than the last one holds less than
	// minChunkSize bytes (AWS's InvalidChunkSizeError).
	ErrInvalidChunkSize = errors.New("sigv4: aws-chunked chunk too small")
	// ErrMalformedTrailer: the trailer section of an aws-chunked body is
	// malformed, or is not the one x-amz-trailer announced.
	ErrMalformedTrailer = errors.New("sigv4: aws-chunked trailer is malformed")
	// ErrInvalidToken: a presigned URL carries X-Amz-Security-Token; no
	// temporary credentials are issued here, so no token is valid.
	ErrInvalidToken = errors.New("sigv4: security token is not valid here")
)

var codes = map[error]string{
	ErrMissingAuth:            "AccessDenied",
	ErrAuthorizationMalformed: "AuthorizationHeaderMalformed",
	ErrAuthQueryMalformed:     "AuthorizationQueryParametersError",
	ErrUnsupportedAlgorithm:   "InvalidArgument",
	ErrRegionMismatch:         "AuthorizationHeaderMalformed",
	ErrInvalidAccessKeyID:     "InvalidAccessKeyId",
	ErrSignatureDoesNotMatch:  "SignatureDoesNotMatch",
	ErrRequestTimeTooSkewed:   "RequestTimeTooSkewed",
	ErrExpiredPresign:         "AccessDenied",
	ErrMissingDate:            "AccessDenied",
	ErrHeadersNotSigned:       "AccessDenied",
	ErrInvalidContentSHA256:   "InvalidArgument",
	ErrContentSHA256Mismatch:  "XAmzContentSHA256Mismatch",
	ErrInvalidDigest:          "InvalidDigest",
	ErrBadDigest:              "BadDigest",
	ErrInvalidChecksum:        "InvalidRequest",
	ErrBadChecksum:            "BadDigest",
	ErrMissingContentLength:   "MissingContentLength",
	ErrIncompleteBody:         "IncompleteBody",
	ErrMalformedChunk:         "IncompleteBody",
	ErrInvalidChunkSize:       "InvalidChunkSizeError",
	ErrPostField:              "InvalidArgument",
	ErrInvalidToken:           "InvalidToken",
	ErrMalformedTrailer:       "MalformedTrailerError",
}

// LookupCode returns the S3 error code for an error of this package and
// true, or "" and false when err wraps none of its sentinels. Callers that
// map errors of several packages use it to tell this package's errors apart.
func LookupCode(err error) (code string, ok bool) {
	for sentinel, code := range codes {
		if errors.Is(err, sentinel) {
			return code, true
		}
	}
	return "", false
}

// SignatureError is returned (wrapping ErrSignatureDoesNotMatch) when a
// request or chunk signature is wrong. StringToSign and CanonicalRequest are
// what the server computed; AWS returns them in SignatureDoesNotMatch bodies to
// help debugging. They never contain the secret; the door decides whether to
// return them. Error() does not include them.
type SignatureError struct {
	What             string // "request", "chunk", "trailer"
	StringToSign     string
	CanonicalRequest string
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("%v (%s)", ErrSignatureDoesNotMatch, e.What)
}

// Unwrap makes errors.Is(err, ErrSignatureDoesNotMatch) hold.
func (e *SignatureError) Unwrap() error { return ErrSignatureDoesNotMatch }

// errorf wraps sentinel with a detail message.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}
