package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/s3api/sigv4"
)

// apiError is an S3 error response. Handlers return it (or any error, which
// toAPIError maps) and writeError renders it; nothing else writes errors.
type apiError struct {
	XMLName  xml.Name `xml:"Error"`
	Code     string   `xml:"Code"`
	Message  string   `xml:"Message"`
	Region   string   `xml:"Region,omitempty"`
	Key      string   `xml:"Key,omitempty"`
	Resource string   `xml:"Resource"`
	// Extra fields AWS adds to some codes.
	RequestTime                string `xml:"RequestTime,omitempty"`
	ServerTime                 string `xml:"ServerTime,omitempty"`
	MaxAllowedSkewMilliseconds string `xml:"MaxAllowedSkewMilliseconds,omitempty"`
	StringToSign               string `xml:"StringToSign,omitempty"`
	StringToSignBytes          string `xml:"StringToSignBytes,omitempty"`
	SignatureProvided          string `xml:"SignatureProvided,omitempty"`
	AWSAccessKeyID             string `xml:"AWSAccessKeyId,omitempty"`
	HeadersNotSigned           string `xml:"HeadersNotSigned,omitempty"`
	ClientComputedSHA256       string `xml:"ClientComputedContentSHA256,omitempty"`
	S3ComputedSHA256           string `xml:"S3ComputedContentSHA256,omitempty"`
	ContentMD5                 string `xml:"Content-MD5,omitempty"`
	CalculatedDigest           string `xml:"CalculatedDigest,omitempty"`
	ExpectedDigest             string `xml:"ExpectedDigest,omitempty"`
	CanonicalRequest           string `xml:"CanonicalRequest,omitempty"`
	ArgumentName               string `xml:"ArgumentName,omitempty"`
	ArgumentValue              string `xml:"ArgumentValue,omitempty"`
	Method                     string `xml:"Method,omitempty"`
	ResourceType               string `xml:"ResourceType,omitempty"`
	Condition                  string `xml:"Condition,omitempty"`
	ProposedSize               int64  `xml:"ProposedSize,omitempty"`
	MinSizeAllowed             int64  `xml:"MinSizeAllowed,omitempty"`
	MaxSizeAllowed             int64  `xml:"MaxSizeAllowed,omitempty"`
	RequestID                  string `xml:"RequestId"`

	status int
	cause  error // for the log only
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func (e *apiError) Unwrap() error { return e.cause }

// errCode builds an apiError for an S3 code with its standard status and
// message.
func errCode(code string) *apiError {
	return &apiError{Code: code, Message: messages[code], status: statusOf(code)}
}

// errMsg is errCode with a specific message.
func errMsg(code, format string, args ...any) *apiError {
	e := errCode(code)
	e.Message = fmt.Sprintf(format, args...)
	return e
}

// errArg is InvalidArgument naming the argument at fault and its value,
// as AWS's answer does.
func errArg(name, value, format string, args ...any) *apiError {
	e := errMsg("InvalidArgument", format, args...)
	e.ArgumentName, e.ArgumentValue = name, value
	return e
}

// gatewayCodes is THE table from gateway errors to S3 codes.
var gatewayCodes = []struct {
	err  error
	code string
	msg  string // the code's standard message if empty
}{
	{err: gateway.ErrAccessDenied, code: "AccessDenied"},
	{err: gateway.ErrNoSuchUser, code: "InvalidAccessKeyId"},
	{err: gateway.ErrInvalidBucketName, code: "InvalidBucketName"},
	{err: gateway.ErrNoSuchBucket, code: "NoSuchBucket"},
	{err: gateway.ErrBucketExists, code: "BucketAlreadyOwnedByYou"},
	{err: gateway.ErrBucketNotEmpty, code: "BucketNotEmpty"},
	{err: gateway.ErrInvalidKey, code: "InvalidArgument"},
	{err: gateway.ErrKeyTooLong, code: "KeyTooLongError"},
	{err: gateway.ErrNoSuchKey, code: "NoSuchKey"},
	{err: gateway.ErrPreconditionFailed, code: "PreconditionFailed"},
	{err: gateway.ErrNotModified, code: "NotModified"},
	{err: gateway.ErrInvalidRange, code: "InvalidRange"},
	{err: gateway.ErrMetadataTooLarge, code: "MetadataTooLarge"},
	{err: gateway.ErrIncompleteBody, code: "IncompleteBody"},
	{err: gateway.ErrNoSuchUpload, code: "NoSuchUpload"},
	{err: gateway.ErrInvalidPart, code: "InvalidPart"},
	{err: gateway.ErrInvalidPartOrder, code: "InvalidPartOrder"},
	{err: gateway.ErrEntityTooSmall, code: "EntityTooSmall"},
	{err: gateway.ErrEntityTooLarge, code: "EntityTooLarge"},
	{err: gateway.ErrInvalidVersionID, code: "InvalidArgument", msg: "Invalid version id specified"},
	{err: gateway.ErrInvalidArgument, code: "InvalidArgument"},
	{err: gateway.ErrIntegrity, code: "InternalError"},
	{err: gateway.ErrUnavailable, code: "ServiceUnavailable"},
	{err: gateway.ErrSlowDown, code: "SlowDown"},
	// S3 has no code for a full store. MinIO answers XMinioStorageFull,
	// versitygw InsufficientStorage, both with 507. InsufficientStorage
	// names the status (RFC 4918 §11.5) without a vendor's prefix, which
	// would send a user of an AWS or a local-disk upstream looking at
	// MinIO. 507 is outside the statuses botocore (legacy and standard
	// modes), the AWS SDKs and minio-go retry, so a client fails at once
	// instead of re-sending the whole body to a full store.
	{err: gateway.ErrInsufficientStorage, code: "InsufficientStorage"},
	// The account's quota (gateway/quota.go). AWS has no such code; MinIO's
	// XMinioAdminBucketQuotaExceeded is a bucket quota's and vendor-named.
	// 403 like MinIO's: no SDK or rclone retries it, and the message says
	// that deleting frees room.
	{err: gateway.ErrQuotaExceeded, code: "QuotaExceeded"},
	{err: gateway.ErrNoSuchVersion, code: "NoSuchVersion"},
	{err: gateway.ErrObjectLocked, code: "AccessDenied", msg: "Access Denied because object protected by object lock."},
	{err: gateway.ErrNoLockConfig, code: "InvalidRequest", msg: "Bucket is missing Object Lock Configuration"},
	{err: gateway.ErrInvalidTag, code: "InvalidTag"},
	{err: gateway.ErrNoSuchTagSet, code: "NoSuchTagSet"},
	{err: gateway.ErrNoSuchLifecycle, code: "NoSuchLifecycleConfiguration"},
	{err: gateway.ErrCustomerKeyRequired, code: "InvalidRequest", msg: "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object."},
	{err: gateway.ErrCustomerKeyMismatch, code: "AccessDenied"},
	{err: gateway.ErrCustomerKeyNotApplicable, code: "InvalidRequest", msg: "The encryption parameters are not applicable to this object."},
	{err: gateway.ErrNotImplemented, code: "NotImplemented"},
	{err: gateway.ErrInvalidPartNumber, code: "InvalidPartNumber", msg: "The requested partnumber is not satisfiable"},
	{err: gateway.ErrNoSuchCORS, code: "NoSuchCORSConfiguration"},
	{err: gateway.ErrNoSuchShare, code: "NoSuchKey"}, // web app share links; never from S3
	{err: gateway.ErrInvalidBucketState, code: "InvalidBucketState", msg: "The request is not valid with the current state of the bucket."},
	{err: gateway.ErrMethodNotAllowed, code: "MethodNotAllowed"},
	// A concurrent write of the same key in a versioned bucket won: nothing
	// was stored, and a retry succeeds. 503 SlowDown is what every SDK and
	// rclone retry by themselves.
	{err: gateway.ErrConflict, code: "SlowDown"},
}

// opMessages are AWS's messages for a gatewayCodes row that differ in some
// operations (AWS words the same fault differently by operation).
var opMessages = []struct {
	op  string
	err error
	msg string
}{
	{"PutObject", gateway.ErrNoLockConfig, "Bucket is missing ObjectLockConfiguration"},
	{"CopyObject", gateway.ErrNoLockConfig, "Bucket is missing ObjectLockConfiguration"},
	{"CreateMultipartUpload", gateway.ErrNoLockConfig, "Bucket is missing ObjectLockConfiguration"},
}

// opMessage returns the message opMessages gives err in op, if any.
func opMessage(op string, err error) (string, bool) {
	for _, m := range opMessages {
		if m.op == op && errors.Is(err, m.err) {
			return m.msg, true
		}
	}
	return "", false
}

// statuses maps S3 codes to HTTP statuses; unknown codes are 500.
var statuses = map[string]int{
	"AccessDenied": 403, "InvalidAccessKeyId": 403, "SignatureDoesNotMatch": 403,
	"RequestTimeTooSkewed": 403, "AuthorizationHeaderMalformed": 400,
	"AuthorizationQueryParametersError": 400, "InvalidArgument": 400,
	"XAmzContentSHA256Mismatch": 400, "InvalidDigest": 400, "BadDigest": 400,
	"InvalidRequest": 400, "InvalidRedirectLocation": 400, "MissingContentLength": 411, "IncompleteBody": 400,
	"MissingSecurityHeader": 400, "ExpiredToken": 400,
	"NoSuchBucket": 404, "BucketAlreadyOwnedByYou": 409, "BucketAlreadyExists": 409,
	"BucketNotEmpty": 409, "NoSuchKey": 404, "PreconditionFailed": 412,
	"NotModified": 304, "InvalidRange": 416, "NoSuchUpload": 404,
	"InvalidPart": 400, "InvalidPartOrder": 400, "EntityTooSmall": 400,
	"EntityTooLarge": 400, "KeyTooLongError": 400, "MetadataTooLarge": 400,
	"InvalidBucketName": 400, "MalformedXML": 400, "InvalidLocationConstraint": 400, "InvalidURI": 400,
	"InvalidToken": 400, "MalformedTrailerError": 400, "InvalidChunkSizeError": 400, "MethodNotAllowed": 405, "NotImplemented": 501,
	"NoSuchVersion": 404, "InvalidBucketState": 409, "MissingRequestBodyError": 400, "BadRequest": 400, "InvalidPartNumber": 416, "InvalidTag": 400, "NoSuchTagSet": 404, "InternalError": 500, "ServiceUnavailable": 503, "SlowDown": 503,
	"InsufficientStorage": 507, "InvalidObjectState": 403, "QuotaExceeded": 403,
	"ObjectLockConfigurationNotFoundError": 404, "NoSuchLifecycleConfiguration": 404,
	"NoSuchCORSConfiguration": 404, "NoSuchBucketPolicy": 404,
	"ServerSideEncryptionConfigurationNotFoundError": 404,
	"NoSuchWebsiteConfiguration":                     404, "ReplicationConfigurationNotFoundError": 404,
	"OwnershipControlsNotFoundError": 404, "NoSuchPublicAccessBlockConfiguration": 404,
	"NoSuchObjectLockConfiguration": 404, "InvalidBucketAclWithObjectOwnership": 400, "RequestHeaderSectionTooLarge": 400,
	"AccessForbidden": 403, "MalformedPOSTRequest": 400, "InvalidPolicyDocument": 400,
	"MaxPostPreDataLengthExceededError": 400, "IncorrectNumberOfFilesInPostRequest": 400,
}

// messages are the standard messages of S3 codes; a code without one has
// an empty Message unless the caller gives one.
var messages = map[string]string{
	"AccessDenied":                         "Access Denied",
	"InvalidAccessKeyId":                   "The AWS Access Key Id you provided does not exist in our records.",
	"SignatureDoesNotMatch":                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
	"RequestTimeTooSkewed":                 "The difference between the request time and the current time is too large.",
	"XAmzContentSHA256Mismatch":            "The provided 'x-amz-content-sha256' header does not match what was computed.",
	"InvalidDigest":                        "The Content-MD5 you specified was invalid.",
	"BadDigest":                            "The Content-MD5 or checksum you specified did not match what we received.",
	"IncompleteBody":                       "You did not provide the number of bytes specified by the Content-Length HTTP header.",
	"MissingContentLength":                 "You must provide the Content-Length HTTP header.",
	"NoSuchBucket":                         "The specified bucket does not exist",
	"BucketAlreadyOwnedByYou":              "Your previous request to create the named bucket succeeded and you already own it.",
	"BucketNotEmpty":                       "The bucket you tried to delete is not empty",
	"NoSuchKey":                            "The specified key does not exist.",
	"PreconditionFailed":                   "At least one of the pre-conditions you specified did not hold",
	"InvalidRange":                         "The requested range is not satisfiable",
	"NoSuchUpload":                         "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
	"InvalidPart":                          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
	"InvalidPartOrder":                     "The list of parts was not in ascending order. Parts must be ordered by part number.",
	"EntityTooSmall":                       "Your proposed upload is smaller than the minimum allowed size",
	"EntityTooLarge":                       "Your proposed upload exceeds the maximum allowed size",
	"KeyTooLongError":                      "Your key is too long",
	"MetadataTooLarge":                     "Your metadata headers exceed the maximum allowed metadata size.",
	"InvalidBucketName":                    "The specified bucket is not valid.",
	"InvalidLocationConstraint":            "The specified location-constraint is not valid",
	"MalformedXML":                         "The XML you provided was not well-formed or did not validate against our published schema",
	"InvalidToken":                         "The provided token is malformed or otherwise invalid.",
	"MalformedTrailerError":                "The request contained trailing data that was not well-formed or did not conform to our published schema.",
	"MethodNotAllowed":                     "The specified method is not allowed against this resource.",
	"NoSuchVersion":                        "The specified version does not exist.",
	"NoSuchTagSet":                         "The TagSet does not exist",
	"InvalidTag":                           "The tag provided was not a valid tag.",
	"NotImplemented":                       "A header you provided implies functionality that is not implemented.",
	"InternalError":                        "We encountered an internal error. Please try again.",
	"ServiceUnavailable":                   "The storage behind this gateway is unavailable. Please try again.",
	"InsufficientStorage":                  "The storage behind this gateway is full or over its quota: nothing was stored. Retry once space has been freed.",
	"QuotaExceeded":                        "The account's storage quota is exceeded: nothing was stored. Delete objects (always allowed) or ask for a larger quota.",
	"SlowDown":                             "Please reduce your request rate.",
	"InvalidArgument":                      "Invalid Argument",
	"ObjectLockConfigurationNotFoundError": "Object Lock configuration does not exist for this bucket",
	"NoSuchLifecycleConfiguration":         "The lifecycle configuration does not exist",
	"NoSuchCORSConfiguration":              "The CORS configuration does not exist",
	"NoSuchBucketPolicy":                   "The bucket policy does not exist",
	"ServerSideEncryptionConfigurationNotFoundError": "The server side encryption configuration was not found",
	"NoSuchWebsiteConfiguration":                     "The specified bucket does not have a website configuration",
	"ReplicationConfigurationNotFoundError":          "The replication configuration was not found",
	"OwnershipControlsNotFoundError":                 "The bucket ownership controls were not found",
	"NoSuchPublicAccessBlockConfiguration":           "The public access block configuration was not found",
	"MalformedPOSTRequest":                           "The body of your POST request is not well-formed multipart/form-data.",
	"MaxPostPreDataLengthExceededError":              "Your POST request fields preceding the upload file were too large.",
	"IncorrectNumberOfFilesInPostRequest":            "POST requires exactly one file upload per request.",
	"RequestHeaderSectionTooLarge":                   "Your request header section exceeds the maximum allowed size.",
}

func statusOf(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// toAPIError maps any error to the S3 error the client sees. Unknown errors
// become InternalError: their detail goes to the log, never to the client.
func toAPIError(err error, region string) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	// sigv4 first: a gateway error may wrap the verifying reader's error.
	if e := sigv4Error(err, region); e != nil {
		return e
	}
	if e := checksumAPIError(err); e != nil {
		return e
	}
	// The gateway's sentinels before a bare short body: an upstream
	// connection dropped mid-upload is ErrUnavailable wrapping
	// io.ErrUnexpectedEOF (backends/s3), the upstream's fault, not the
	// client's.
	for _, m := range gatewayCodes {
		if errors.Is(err, m.err) {
			e := errCode(m.code)
			if m.msg != "" {
				e.Message = m.msg
			}
			e.cause = err
			return e
		}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		e := errCode("IncompleteBody")
		e.cause = err
		return e
	}
	e := errCode("InternalError")
	e.cause = err
	return e
}

// sigv4Error maps errors of the sigv4 package (from Verify or from the
// verifying body reader), or returns nil.
func sigv4Error(err error, region string) *apiError {
	var e *apiError
	switch {
	case errors.Is(err, sigv4.ErrExpiredPresign):
		e = errMsg("AccessDenied", "Request has expired")
	case errors.Is(err, sigv4.ErrRegionMismatch):
		e = errMsg("AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region is wrong; expecting '%s'", region)
		if m, ok := sigv4.Message(err); ok {
			e.Message = m
		}
		e.Region = region
	case errors.Is(err, sigv4.ErrHeadersNotSigned):
		e = errMsg("AccessDenied", "There were headers present in the request which were not signed")
	case errors.Is(err, sigv4.ErrMissingAuth):
		e = errCode("AccessDenied")
	case errors.Is(err, sigv4.ErrBadChecksum):
		e = errMsg("BadDigest", "The checksum you specified did not match the calculated checksum.")
		if m, ok := sigv4.Message(err); ok {
			e.Message = m
		}
	default:
		code, ok := sigv4.LookupCode(err)
		if !ok {
			return nil
		}
		e = errCode(code)
		if m, ok := sigv4.Message(err); ok {
			e.Message = m
		} else if e.Message == "" {
			e.Message = err.Error()
		}
	}
	var se *sigv4.SignatureError
	if errors.As(err, &se) {
		e.StringToSign, e.CanonicalRequest = se.StringToSign, se.CanonicalRequest
	}
	addDetail(e, sigv4.Details(err))
	e.cause = err
	return e
}

// addDetail copies the extra fields AWS sends with an authentication fault.
func addDetail(e *apiError, d sigv4.Detail) {
	if d.ArgumentName != "" {
		e.ArgumentName, e.ArgumentValue = d.ArgumentName, d.ArgumentValue
	}
	e.AWSAccessKeyID = d.AWSAccessKeyID
	e.HeadersNotSigned = d.HeadersNotSigned
	e.ClientComputedSHA256, e.S3ComputedSHA256 = d.ClientComputedContentSHA256, d.S3ComputedContentSHA256
	e.ContentMD5, e.CalculatedDigest, e.ExpectedDigest = d.ContentMD5, d.CalculatedDigest, d.ExpectedDigest
}

// apiError is the Error document of err for the request r.
func (rc *reqCtx) apiError(err error, r *http.Request) *apiError {
	e := toAPIError(err, rc.srv.region)
	if msg, ok := opMessage(rc.op, e.cause); ok && e.cause != nil {
		e.Message = msg
	}
	e.RequestID = rc.id
	if e.Resource == "" {
		e.Resource = r.URL.Path
	}
	return e
}

// writeError renders err as an S3 error response, with Retry-After on a
// 503. It is the only function that writes error responses.
func writeError(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) *apiError {
	e := rc.apiError(err, r)
	h := w.Header()
	if e.status == http.StatusNotModified {
		w.WriteHeader(e.status) // keeps ETag and Last-Modified, as AWS does
		return e
	}
	for _, k := range []string{"ETag", "Last-Modified", "Accept-Ranges", "Content-Encoding", "Content-Disposition"} {
		h.Del(k)
	}
	body, _ := xml.Marshal(e)
	body = append([]byte(xml.Header), body...)
	h.Set("Content-Type", "application/xml")
	if e.status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1") // SlowDown, and an upstream that failed: both pass
	}
	if r.Method == http.MethodHead {
		h.Del("Content-Length")
		w.WriteHeader(e.status)
		return e
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
	return e
}
