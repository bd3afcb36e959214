package davapi

import (
	"errors"
	"net/http"
	"os"

	"github.com/sealgate/sealgate/gateway"
)

// Errors of davapi's file system, mapped like the gateway's.
var (
	// errConflict: a parent collection is missing (409).
	errConflict = errors.New("davapi: parent collection missing")
	// errBucketMove: buckets cannot be moved or renamed over WebDAV.
	errBucketMove = errors.New("davapi: buckets cannot be moved")
	// errIsFolder: a file operation on a collection.
	errIsFolder = errors.New("davapi: is a collection")
	// errNotFile: a data operation on a handle that has none.
	errNotFile = errors.New("davapi: not a file")
	// errIncomplete: the request body did not end cleanly.
	errIncomplete = errors.New("davapi: request body incomplete")
	// errRootReadOnly: the root holds buckets only.
	errRootReadOnly = errors.New("davapi: the root holds buckets only")
)

// errStatus is one row of the error table.
type errStatus struct {
	err    error
	status int
	// detail: the error's own message may be shown to the client.
	detail bool
}

// errTable maps gateway and davapi errors to WebDAV statuses, first match
// wins. Anything else is 500 without details.
var errTable = []errStatus{
	{gateway.ErrNoSuchKey, http.StatusNotFound, false},
	{gateway.ErrNoSuchBucket, http.StatusNotFound, false},
	{gateway.ErrNoSuchUpload, http.StatusNotFound, false},
	{gateway.ErrNoSuchVersion, http.StatusNotFound, false},
	{gateway.ErrInvalidVersionID, http.StatusBadRequest, false},
	{gateway.ErrObjectLocked, http.StatusForbidden, false},
	{gateway.ErrNoLockConfig, http.StatusBadRequest, false},
	{gateway.ErrInvalidBucketState, http.StatusConflict, false},
	{gateway.ErrInvalidTag, http.StatusBadRequest, false},
	{gateway.ErrNoSuchTagSet, http.StatusNotFound, false},
	{gateway.ErrNoSuchLifecycle, http.StatusNotFound, false},
	// WebDAV cannot send a customer key: an SSE-C object is out of its reach.
	{gateway.ErrCustomerKeyRequired, http.StatusForbidden, false},
	{gateway.ErrCustomerKeyMismatch, http.StatusForbidden, false},
	{gateway.ErrCustomerKeyNotApplicable, http.StatusBadRequest, false},
	{gateway.ErrNotImplemented, http.StatusNotImplemented, false},
	{gateway.ErrInvalidPartNumber, http.StatusRequestedRangeNotSatisfiable, false},
	{gateway.ErrNoSuchCORS, http.StatusNotFound, false},
	{gateway.ErrNoSuchShare, http.StatusNotFound, false},      // web app share links; never from WebDAV
	{gateway.ErrMethodNotAllowed, http.StatusNotFound, false}, // a delete marker: the file is gone
	{os.ErrNotExist, http.StatusNotFound, false},
	{gateway.ErrBucketNotEmpty, http.StatusConflict, false},
	{gateway.ErrBucketExists, http.StatusMethodNotAllowed, false},
	{os.ErrExist, http.StatusMethodNotAllowed, false},
	{gateway.ErrInvalidBucketName, http.StatusForbidden, true},
	{gateway.ErrIntegrity, http.StatusInternalServerError, false},
	{gateway.ErrPreconditionFailed, http.StatusPreconditionFailed, false},
	{gateway.ErrNotModified, http.StatusNotModified, false},
	{gateway.ErrAccessDenied, http.StatusForbidden, false},
	{gateway.ErrUnavailable, http.StatusServiceUnavailable, false},
	{gateway.ErrSlowDown, http.StatusServiceUnavailable, false},
	// A concurrent write of the same file in a versioned bucket won; the
	// client may retry (RFC 9110 §15.5.10: the state of the resource changed).
	{gateway.ErrConflict, http.StatusConflict, false},
	// RFC 4918 §11.5: the server is unable to store the representation
	// needed to complete the request.
	{gateway.ErrInsufficientStorage, http.StatusInsufficientStorage, false},
	{gateway.ErrPropsTooLarge, http.StatusInsufficientStorage, false},
	{errTooManyLocks, http.StatusInsufficientStorage, true},
	// The account's quota (gateway/quota.go): the same status, with the
	// gateway's message (bytes in use, quota, bytes asked).
	{gateway.ErrQuotaExceeded, http.StatusInsufficientStorage, true},
	{gateway.ErrNoSuchUser, http.StatusForbidden, false},
	{gateway.ErrKeyTooLong, http.StatusRequestURITooLong, false},
	{gateway.ErrInvalidKey, http.StatusBadRequest, false},
	{gateway.ErrInvalidRange, http.StatusRequestedRangeNotSatisfiable, false},
	{gateway.ErrMetadataTooLarge, http.StatusBadRequest, false},
	{gateway.ErrIncompleteBody, http.StatusBadRequest, false},
	{gateway.ErrEntityTooLarge, http.StatusRequestEntityTooLarge, false},
	{gateway.ErrInvalidArgument, http.StatusBadRequest, false},
	{errConflict, http.StatusConflict, false},
	{errBucketMove, http.StatusForbidden, true},
	{errIsFolder, http.StatusMethodNotAllowed, false},
	{errRootReadOnly, http.StatusForbidden, true},
	{errIncomplete, http.StatusBadRequest, false},
}

// statusOf maps err to a status and the text to send: the error's message
// for rows marked detail, else the status text.
func statusOf(err error) (int, string) {
	for _, row := range errTable {
		if errors.Is(err, row.err) {
			if row.detail {
				return row.status, err.Error()
			}
			return row.status, http.StatusText(row.status)
		}
	}
	return http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
}

// isNotExist reports a missing resource, through %w wrapping (which
// os.IsNotExist does not follow).
func isNotExist(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, gateway.ErrNoSuchKey) ||
		errors.Is(err, gateway.ErrNoSuchBucket)
}

// fsErr turns err into what x/net/webdav expects: a *os.PathError whose Err
// is os.ErrNotExist for missing resources (x/net checks os.IsNotExist), else
// a *os.PathError wrapping err. Other errors are recorded in the request
// state, so that the status x/net picks is replaced by the table's.
func fsErr(st *reqState, op, name string, err error) error {
	if err == nil {
		return nil
	}
	if isNotExist(err) {
		return &os.PathError{Op: op, Path: name, Err: os.ErrNotExist}
	}
	if errors.Is(err, os.ErrExist) || errors.Is(err, gateway.ErrBucketExists) {
		return &os.PathError{Op: op, Path: name, Err: os.ErrExist}
	}
	st.record(err)
	return &os.PathError{Op: op, Path: name, Err: err}
}
