package sigv4

import (
	"encoding/hex"
	"errors"
	"sort"
	"strings"
)

// Detail holds the extra fields AWS puts in the Error document of some
// authentication faults (clients and S3 test suites read them); the door
// copies them into its answer. A zero field is not sent.
type Detail struct {
	ArgumentName  string // InvalidArgument: the header or parameter at fault
	ArgumentValue string // … and its value
	// AWSAccessKeyID is the key an InvalidAccessKeyId names.
	AWSAccessKeyID string
	// HeadersNotSigned lists the unsigned x-amz-* headers, sorted, ", "-joined.
	HeadersNotSigned string
	// ClientComputedContentSHA256 and S3ComputedContentSHA256 are the hex
	// digests of an XAmzContentSHA256Mismatch.
	ClientComputedContentSHA256 string
	S3ComputedContentSHA256     string
	// ContentMD5 is the Content-MD5 an InvalidDigest refuses.
	ContentMD5 string
	// CalculatedDigest (base64) and ExpectedDigest (hex, from Content-MD5)
	// are the MD5 digests of a BadDigest.
	CalculatedDigest, ExpectedDigest string
}

// detailError adds a Detail to an error of this package.
type detailError struct {
	err    error
	detail Detail
}

func (e *detailError) Error() string { return e.err.Error() }
func (e *detailError) Unwrap() error { return e.err }

// withDetail attaches d to err (which keeps wrapping its sentinel).
func withDetail(err error, d Detail) error {
	return &detailError{err: err, detail: d}
}

// Details returns the Detail attached to err, or a zero Detail.
func Details(err error) Detail {
	var e *detailError
	if errors.As(err, &e) {
		return e.detail
	}
	return Detail{}
}

// argumentError is an InvalidArgument-coded error naming its argument.
func argumentError(sentinel error, name, value, msg string) error {
	return withDetail(awsErrorf(sentinel, "%s", msg), Detail{ArgumentName: name, ArgumentValue: value})
}

// sha256MismatchError is ErrContentSHA256Mismatch with both digests.
func sha256MismatchError(client, computed []byte, why string) error {
	return withDetail(errorf(ErrContentSHA256Mismatch, "%s", why), Detail{
		ClientComputedContentSHA256: hex.EncodeToString(client),
		S3ComputedContentSHA256:     hex.EncodeToString(computed),
	})
}

// headersNotSignedError names every unsigned header, as AWS does.
func headersNotSignedError(names []string) error {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return withDetail(errorf(ErrHeadersNotSigned, "headers %s are not signed", strings.Join(sorted, ", ")),
		Detail{HeadersNotSigned: strings.Join(sorted, ", ")})
}
