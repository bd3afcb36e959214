package s3

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/backends"
)

// opError is an upstream failure: the operation, the key, the backends
// sentinel it maps to (nil if none) and the original error, which stays
// reachable with errors.As.
type opError struct {
	op, key string
	kind    error // a backends sentinel, context.Canceled/DeadlineExceeded, or nil
	err     error
}

func (e *opError) Error() string {
	var b strings.Builder
	b.WriteString("s3: ")
	b.WriteString(e.op)
	if e.key != "" {
		b.WriteString(" " + strconv.Quote(e.key))
	}
	if e.kind != nil {
		b.WriteString(": " + e.kind.Error())
	}
	b.WriteString(": " + e.err.Error())
	return b.String()
}

func (e *opError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// mapErr wraps err from an upstream call of op on key with the sentinel it
// means. The SDK's messages hold no credentials (signatures and keys are
// never part of them), so they are kept.
func mapErr(ctx context.Context, op, key string, err error) error {
	if err == nil {
		return nil
	}
	var oe *opError
	if errors.As(err, &oe) {
		return err // already mapped
	}
	kind := classify(err)
	if cerr := ctx.Err(); cerr != nil && (kind == nil || kind == backends.ErrUnavailable) {
		kind = cerr // our caller gave up; the upstream is not to blame
	}
	return &opError{op: op, key: key, kind: kind, err: err}
}

// codeKinds maps S3 error codes to sentinels.
var codeKinds = map[string]error{
	"NoSuchKey":                  backends.ErrNotExist,
	"NotFound":                   backends.ErrNotExist, // HEAD answers have no body
	"PreconditionFailed":         backends.ErrPreconditionFailed,
	"ConditionalRequestConflict": backends.ErrPreconditionFailed,
	"InvalidRange":               backends.ErrInvalidRange,
	"SlowDown":                   backends.ErrUnavailable,
	"ServiceUnavailable":         backends.ErrUnavailable,
	"InternalError":              backends.ErrUnavailable,
	"RequestTimeout":             backends.ErrUnavailable,
	"ExistingObjectIsDirectory":  backends.ErrInvalidKey, // file-tree upstreams: "a" vs "a/b"
	"ObjectParentIsFile":         backends.ErrInvalidKey,
	"KeyTooLongError":            backends.ErrInvalidKey, // also file-tree upstreams: segment > 255 bytes
	"XMinioInvalidObjectName":    backends.ErrInvalidKey, // MinIO: segment > 255 bytes
	"NoSuchBucket":               nil,                    // a configuration problem, not a missing object
	// Out of space or quota (see the package documentation):
	"XMinioStorageFull":              backends.ErrNoSpace, // MinIO, 507: drives past their free-space threshold
	"XMinioAdminBucketQuotaExceeded": backends.ErrNoSpace, // MinIO, 400: bucket quota
	"InsufficientStorage":            backends.ErrNoSpace, // versitygw, 507: ENOSPC
	"QuotaExceeded":                  backends.ErrNoSpace, // Ceph RGW and versitygw, 403: user or bucket quota
}

// statusKinds maps HTTP statuses to sentinels when the code is unknown.
var statusKinds = map[int]error{
	http.StatusNotFound:                     backends.ErrNotExist,
	http.StatusPreconditionFailed:           backends.ErrPreconditionFailed,
	http.StatusRequestedRangeNotSatisfiable: backends.ErrInvalidRange,
	http.StatusInsufficientStorage:          backends.ErrNoSpace,
}

// classify returns the sentinel err means, or nil.
func classify(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if kind, ok := codeKinds[apiErr.ErrorCode()]; ok {
			return kind
		}
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && respErr.HTTPStatusCode() != 0 { // 0: no answer
		status := respErr.HTTPStatusCode()
		if kind, ok := statusKinds[status]; ok || status < 500 {
			return kind
		}
		return backends.ErrUnavailable
	}
	if isNetwork(err) {
		return backends.ErrUnavailable
	}
	return nil
}

// isNetwork reports whether err is a failure to reach the upstream or a
// connection that broke.
func isNetwork(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	var attempts *retry.MaxAttemptsError
	return errors.As(err, &sendErr) || errors.As(err, &netErr) ||
		errors.As(err, &attempts) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}

// isBadRequest reports whether err is an HTTP 400 without a specific code,
// as HEAD answers are.
func isBadRequest(err error) bool {
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != http.StatusBadRequest {
		return false
	}
	var apiErr smithy.APIError
	return !errors.As(err, &apiErr) || apiErr.ErrorCode() == "BadRequest" || apiErr.ErrorCode() == ""
}
