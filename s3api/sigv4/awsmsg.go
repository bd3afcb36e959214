package sigv4

import (
	"errors"
	"fmt"
)

// awsError is an error of this package that also carries the message AWS
// answers the same fault with (clients show it, and S3 test suites compare
// it); Message returns it.
type awsError struct {
	sentinel error
	msg      string
	detail   string // for the log, when msg is AWS's generic wording
}

func (e *awsError) Error() string {
	if e.detail != "" {
		return e.sentinel.Error() + ": " + e.detail
	}
	return e.sentinel.Error() + ": " + e.msg
}
func (e *awsError) Unwrap() error { return e.sentinel }

// awsErrorf wraps sentinel with AWS's message for the fault.
func awsErrorf(sentinel error, format string, args ...any) error {
	return &awsError{sentinel: sentinel, msg: fmt.Sprintf(format, args...)}
}

// bodyTerminated is AWS's message for an aws-chunked body that is cut
// short or badly framed.
const bodyTerminated = "The request body terminated unexpectedly"

// chunkFault is a fault of an aws-chunked body's framing: AWS's message,
// the detail kept for the log.
func chunkFault(sentinel error, format string, args ...any) error {
	return &awsError{sentinel: sentinel, msg: bodyTerminated, detail: fmt.Sprintf(format, args...)}
}

// Message returns the message AWS answers err with, when this package
// knows it: the door sends it as the Error document's Message.
func Message(err error) (string, bool) {
	var e *awsError
	if errors.As(err, &e) {
		return e.msg, true
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.msg, true
	}
	return "", false
}

// The prefixes of AWS's messages about a malformed credential, in the
// Authorization header and in a presigned URL.
const (
	headerMalformed = "The authorization header is malformed; "
	queryMalformed  = "Error parsing the X-Amz-Credential parameter; "
	credentialForm  = `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	presignRequired = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
		"X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	dateRequired = "AWS authentication requires a valid Date or x-amz-date header."
)

// malformedPrefix is the message prefix of a malformed credential for the
// form whose sentinel is malformed.
func malformedPrefix(malformed error) string {
	if errors.Is(malformed, ErrAuthQueryMalformed) {
		return queryMalformed
	}
	return headerMalformed
}
