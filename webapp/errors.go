package webapp

import (
	"errors"
	"io"
	"net/http"

	"github.com/sealgate/sealgate/gateway"
)

// Errors of the web app door itself.
var (
	// errNoSession: no valid session (401; the cookie is cleared).
	errNoSession = errors.New("not signed in")
	// errWrongLogin: a sign-in with a wrong name or password (401).
	errWrongLogin = errors.New("wrong account name or password")
	// errCrossSite: a state-changing request from another site (403).
	errCrossSite = errors.New("cross-site request refused")
	// errBadCSRF: a state-changing request without its session's CSRF
	// token (403).
	errBadCSRF = errors.New("missing or wrong CSRF token")
	// errLengthRequired: an upload without Content-Length (411).
	errLengthRequired = errors.New("an upload needs a Content-Length")
	// errExists: the target of a new folder or a rename exists (409).
	errExists = errors.New("a file or folder of that name exists")
	// errKeepsVersions: a bucket to delete keeps versions of its files
	// (409).
	errKeepsVersions = errors.New("the bucket keeps versions of its files")
	// errNotFound: no such page or asset (404).
	errNotFound = errors.New("not found")
	// errBadRequest: a request with bad parameters (400, its message shown).
	errBadRequest = errors.New("bad request")
)

// badRequest is errBadRequest with a message for the user.
func badRequest(msg string) error { return &requestError{msg} }

type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return errBadRequest }

// errStatus is one row of the error table.
type errStatus struct {
	err    error
	status int
	// msg is what the page shows; "" shows the error's own message (rows
	// whose errors carry no secret and no upstream detail).
	msg string
}

// errTable maps gateway and web app errors to HTTP statuses and messages,
// first match wins. Anything else is 500 without details.
var errTable = []errStatus{
	{errNoSession, http.StatusUnauthorized, "not signed in"},
	{errLocked, http.StatusUnauthorized, "this link needs its password"},
	{errWrongLogin, http.StatusUnauthorized, "wrong account name or password"},
	{errCrossSite, http.StatusForbidden, "cross-site request refused"},
	{errBadCSRF, http.StatusForbidden, "missing or wrong CSRF token: reload the page"},
	{errLengthRequired, http.StatusLengthRequired, "an upload needs a Content-Length"},
	{errPartTooLarge, http.StatusRequestEntityTooLarge, "an upload part is at most 64 MiB"},
	{errNoPreview, http.StatusUnsupportedMediaType, "no preview for this kind of file: download it"},
	{errExists, http.StatusConflict, "a file or folder of that name exists"},
	{errKeepsVersions, http.StatusConflict, "the bucket keeps versions of its files (versioning or Object Lock): delete them with an S3 client, or let a lifecycle rule expire them, then delete the bucket"},
	{errNotFound, http.StatusNotFound, "not found"},
	{errBadRequest, http.StatusBadRequest, ""},
	{ErrWrongCode, http.StatusForbidden, "wrong or already used code"},
	{gateway.ErrNoSuchKey, http.StatusNotFound, "no such file or folder"},
	{gateway.ErrNoSuchBucket, http.StatusNotFound, "no such bucket"},
	{gateway.ErrNoSuchUpload, http.StatusNotFound, "no such upload"},
	{gateway.ErrNoSuchUser, http.StatusForbidden, "no such account"},
	{gateway.ErrUserExists, http.StatusConflict, "the account exists"},
	{gateway.ErrAccessDenied, http.StatusForbidden, "access denied"},
	{gateway.ErrBucketExists, http.StatusConflict, "you already have a bucket of that name"},
	{gateway.ErrBucketNotEmpty, http.StatusConflict, "the bucket is not empty"},
	{gateway.ErrInvalidBucketName, http.StatusBadRequest, "not a valid bucket name: 3 to 63 lower-case letters, digits, dots and hyphens"},
	{gateway.ErrInvalidKey, http.StatusBadRequest, "not a valid file name"},
	{gateway.ErrKeyTooLong, http.StatusBadRequest, "the name is too long"},
	{gateway.ErrPreconditionFailed, http.StatusPreconditionFailed, "a file of that name exists, or the file changed"},
	{gateway.ErrNotModified, http.StatusNotModified, "not modified"},
	{gateway.ErrInvalidRange, http.StatusRequestedRangeNotSatisfiable, "the range is outside the file"},
	{gateway.ErrMetadataTooLarge, http.StatusBadRequest, "the file's metadata is too large"},
	{gateway.ErrIncompleteBody, http.StatusBadRequest, "the upload ended early or ran long"},
	{gateway.ErrInvalidPart, http.StatusBadRequest, "invalid upload part"},
	{gateway.ErrInvalidPartOrder, http.StatusBadRequest, "upload parts out of order"},
	{gateway.ErrEntityTooSmall, http.StatusBadRequest, "upload part too small"},
	{gateway.ErrEntityTooLarge, http.StatusRequestEntityTooLarge, "the file is too large"},
	{gateway.ErrInvalidArgument, http.StatusBadRequest, "invalid argument"},
	{gateway.ErrSlowDown, http.StatusServiceUnavailable, "too busy: retry in a moment"},
	{gateway.ErrUnavailable, http.StatusServiceUnavailable, "the storage is unavailable: retry later"},
	{gateway.ErrInsufficientStorage, http.StatusInsufficientStorage, "the storage is full"},
	{gateway.ErrPropsTooLarge, http.StatusInsufficientStorage, "the file's properties are too large"},
	{gateway.ErrQuotaExceeded, http.StatusInsufficientStorage, "your quota (storage or number of files) is full: delete files to make room"},
	{gateway.ErrIntegrity, http.StatusInternalServerError, "stored data failed authentication"},
	{gateway.ErrNoSuchVersion, http.StatusNotFound, "no such version"},
	{gateway.ErrMethodNotAllowed, http.StatusNotFound, "the file was deleted"},
	{gateway.ErrConflict, http.StatusConflict, "another upload of the same file won: retry"},
	{gateway.ErrInvalidVersionID, http.StatusBadRequest, "not a valid version id"},
	{gateway.ErrObjectLocked, http.StatusForbidden, "the file is locked (Object Lock)"},
	{gateway.ErrNoLockConfig, http.StatusBadRequest, "the bucket has no Object Lock"},
	{gateway.ErrInvalidBucketState, http.StatusConflict, "not possible in the bucket's state"},
	{gateway.ErrInvalidTag, http.StatusBadRequest, "invalid tag"},
	{gateway.ErrNoSuchTagSet, http.StatusNotFound, "no tags"},
	{gateway.ErrNoSuchLifecycle, http.StatusNotFound, "no lifecycle rules"},
	{gateway.ErrCustomerKeyRequired, http.StatusForbidden, "the file is encrypted with a customer key the web app cannot send"},
	{gateway.ErrCustomerKeyMismatch, http.StatusForbidden, "wrong customer key"},
	{gateway.ErrCustomerKeyNotApplicable, http.StatusBadRequest, "the file has no customer key"},
	{gateway.ErrNotImplemented, http.StatusNotImplemented, "not implemented"},
	{gateway.ErrInvalidPartNumber, http.StatusRequestedRangeNotSatisfiable, "no such part"},
	{gateway.ErrNoSuchCORS, http.StatusNotFound, "no CORS configuration"},
	{gateway.ErrNoSuchShare, http.StatusNotFound, "not found"},
}

// statusOf maps err to a status and the message to send.
func statusOf(err error) (int, string) {
	for _, row := range errTable {
		if errors.Is(err, row.err) {
			if row.msg == "" {
				return row.status, err.Error()
			}
			return row.status, row.msg
		}
	}
	return http.StatusInternalServerError, "internal error"
}

// maxDrain bounds what is read of a failed upload's body to deliver its
// answer (net/http resets a connection with much body unread, and the
// browser, still sending, would see a network error instead of the
// message).
const maxDrain = 32 << 20

func drainBody(r *http.Request) {
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		_, _ = io.CopyN(io.Discard, r.Body, maxDrain)
	}
}
