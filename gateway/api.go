package gateway

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Errors of the gateway. The doors map each to their protocol's error (S3
// code, WebDAV status) in one table; anything else is an internal error.
var (
	ErrAccessDenied       = errors.New("gateway: access denied")
	ErrNoSuchUser         = errors.New("gateway: no such user")
	ErrUserExists         = errors.New("gateway: user exists")
	ErrInvalidBucketName  = errors.New("gateway: invalid bucket name")
	ErrNoSuchBucket       = errors.New("gateway: no such bucket")
	ErrBucketExists       = errors.New("gateway: bucket already owned by you")
	ErrBucketNotEmpty     = errors.New("gateway: bucket not empty")
	ErrInvalidKey         = errors.New("gateway: invalid object key")
	ErrKeyTooLong         = errors.New("gateway: object key too long")
	ErrNoSuchKey          = errors.New("gateway: no such key")
	ErrPreconditionFailed = errors.New("gateway: precondition failed")
	ErrInvalidRange       = errors.New("gateway: invalid range")
	ErrMetadataTooLarge   = errors.New("gateway: metadata too large")
	ErrIncompleteBody     = errors.New("gateway: body shorter or longer than announced")
	ErrNoSuchUpload       = errors.New("gateway: no such upload")
	ErrInvalidPart        = errors.New("gateway: invalid part")
	ErrInvalidPartOrder   = errors.New("gateway: parts not in ascending order")
	ErrEntityTooSmall     = errors.New("gateway: part too small")
	ErrEntityTooLarge     = errors.New("gateway: object too large")
	ErrInvalidArgument    = errors.New("gateway: invalid argument")
	// ErrIntegrity: the upstream returned data that failed authentication
	// (tampering, truncation, a swapped object). Doors answer 500 and never
	// serve the data.
	ErrIntegrity = errors.New("gateway: upstream data failed authentication")
	// ErrUnavailable: the upstream cannot be reached, or failed (a server
	// error, a connection broken mid-body). Retrying later may succeed.
	ErrUnavailable = errors.New("gateway: upstream unavailable")
	// ErrInsufficientStorage: the upstream refused a write for lack of space
	// or quota. Nothing was stored; retrying will not help until space is
	// freed upstream.
	ErrInsufficientStorage = errors.New("gateway: upstream out of space")
	// ErrNoSuchVersion: the version id names no version of the key.
	ErrNoSuchVersion = errors.New("gateway: no such version")
	// ErrInvalidVersionID: a version id that is not well formed.
	ErrInvalidVersionID = errors.New("gateway: invalid version id")
	// ErrMethodNotAllowed: the version asked for is a delete marker, which
	// has no data (S3 answers 405). See DeleteMarkerError.
	ErrMethodNotAllowed = errors.New("gateway: the version is a delete marker")
	// ErrConflict: a concurrent write of the same key in a versioned bucket
	// won; nothing was stored. Retrying succeeds.
	ErrConflict = errors.New("gateway: concurrent write of the same key")
)

// Versioning is a bucket's versioning state, as S3 names it.
type Versioning string

// The versioning states. A bucket starts with VersioningOff and cannot
// return to it once versioning was enabled.
const (
	VersioningOff       Versioning = ""
	VersioningEnabled   Versioning = "Enabled"
	VersioningSuspended Versioning = "Suspended"
)

// NullVersion is the version id of an object written while the bucket's
// versioning was off or suspended.
const NullVersion = "null"

// Meta is an object's metadata as the doors see it, keyed by lower-case
// HTTP header name: "content-type", "content-encoding",
// "content-disposition", "content-language", "cache-control", "expires",
// "x-amz-website-redirect-location", and "x-amz-meta-<name>" for user
// metadata. It is sealed with the object.
type Meta map[string]string

// ObjectInfo describes one object version.
type ObjectInfo struct {
	Key          string
	Size         int64  // plaintext bytes
	ETag         string // S3 ETag without quotes: hex MD5, or hex-N for multipart
	LastModified time.Time
	Meta         Meta                 // in listings: only "content-type", if any (never nil)
	Checksum     cryptolayer.Checksum // the client checksum stored at upload, if any
	// VersionID is the version's id: NullVersion for an object written
	// while versioning was off or suspended, "" when the bucket never had
	// versioning (S3 then names no version).
	VersionID string
	// DeleteMarker and IsLatest are set in version listings.
	DeleteMarker bool
	IsLatest     bool
	// Lock is the version's Object Lock, on GetObject and HeadObject of a
	// version written in a bucket with Object Lock (nil otherwise).
	Lock *ObjectLock
	// lockable: written in a bucket with Object Lock (its sealed metadata
	// says so), so reads look for its lock.
	lockable bool
	// TagCount is the number of tags the version was written with (tags
	// set later with PutObjectTagging are not counted).
	TagCount int
	// CustomerKeyMD5 is base64(MD5(customer key)) of an SSE-C object, "" for
	// others.
	CustomerKeyMD5 string
	// PartsCount is the number of parts of an object a multipart upload
	// made (0 for a single PUT).
	PartsCount int
	// partMeta is the part layout recorded in the sealed metadata.
	partMeta map[string]string
}

// BucketInfo describes one bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
}

// PutOptions are the conditions and metadata of a write.
type PutOptions struct {
	Meta Meta
	// IfNoneMatch "*" writes only if no object exists; IfMatch writes only if
	// the current object's ETag equals it (S3 conditional writes).
	IfNoneMatch string
	IfMatch     string
	// Checksum, if set, is the client checksum the door verified (or will
	// verify by the end of the body); it is sealed with the object. On
	// CreateMultipartUpload, its Algorithm and Composite (no Value) declare
	// the upload's checksum; on CompleteMultipartUpload, it is the whole
	// object's checksum the client expects (checked, not trusted).
	Checksum cryptolayer.Checksum
	// ChecksumMode, on CompleteMultipartUpload, is the checksum type the
	// client names: it must be the upload's (ChecksumModeUnset: any).
	ChecksumMode ChecksumMode
	// ObjectSize, on CompleteMultipartUpload, if set, is the object size
	// the client expects (S3's x-amz-mp-object-size).
	ObjectSize *int64
	// ChecksumFunc, if set, is called after the body reached EOF and returns
	// the verified checksum (for trailer checksums known only at the end).
	ChecksumFunc func() cryptolayer.Checksum
	// Lock, if set, is the new version's Object Lock (else the bucket's
	// default retention applies). ErrNoLockConfig in a bucket without it.
	Lock *ObjectLock
	// Tags are the new version's tags (x-amz-tagging), if any.
	Tags Tags
	// CustomerKey, if set (32 bytes), seals the content under a key mixed
	// with it (S3's SSE-C): reads then need the same key. Not for
	// multipart uploads.
	CustomerKey *[32]byte
}

// DeleteOptions control the deletion of a version.
type DeleteOptions struct {
	// BypassGovernance lets a deletion pass GOVERNANCE retention.
	BypassGovernance bool
	// Conditions, if any, must hold for the version deleted.
	Conditions DeleteConditions
}

// Range is a byte range of a GET, as in HTTP, resolved by the gateway
// against the object's size: Start and End inclusive; End < 0 means to the
// end; Start < 0 is a suffix range of the last -Start bytes. A range that
// starts at or beyond the end is ErrInvalidRange. ObjectReader.Range holds
// the resolved range.
type Range struct {
	Start, End int64
}

// GetOptions are the conditions of a read (RFC 7232 semantics, evaluated
// against the current object before any byte is read).
type GetOptions struct {
	// VersionID reads that version ("": the current one).
	VersionID string
	// PartNumber, if set, reads that part of a multipart object (its
	// range; not with Range): ErrInvalidPartNumber beyond its parts.
	PartNumber int
	// CustomerKey is the key of an object written with one (SSE-C):
	// without it ErrCustomerKeyRequired, with another ErrCustomerKeyMismatch;
	// given for an object without one, ErrCustomerKeyNotApplicable.
	CustomerKey       *[32]byte
	Range             *Range // nil: the whole object
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   time.Time
	IfUnmodifiedSince time.Time
}

// ErrNotModified is returned by GetObject and HeadObject when IfNoneMatch
// or IfModifiedSince says the client's copy is current (HTTP 304).
var ErrNotModified = errors.New("gateway: not modified")

// ObjectReader is an open object: its info and the requested bytes. Read
// errors after the first byte mean the data failed authentication or the
// upstream failed: the door must abort the response, not complete it.
type ObjectReader struct {
	Info  ObjectInfo
	Range *Range // the range served, nil for the whole object
	Body  io.ReadCloser
}

// CopyOptions control CopyObject.
type CopyOptions struct {
	// ReplaceMeta: use Meta instead of the source's metadata
	// (x-amz-metadata-directive: REPLACE).
	ReplaceMeta bool
	Meta        Meta
	// Fresh are metadata keys never copied from the source: without
	// ReplaceMeta their values come from Meta, if there (S3's website
	// redirect location). A copy onto itself that sets one of them changes
	// the object, as ReplaceMeta does.
	Fresh []string
	// Conditions on the source (x-amz-copy-source-if-*), and the version
	// copied (Source.VersionID).
	Source GetOptions
	// Conditions on the destination, as for PutObject.
	IfNoneMatch, IfMatch string
	// Lock is the copy's Object Lock, as PutOptions.Lock.
	Lock *ObjectLock
	// CustomerKey seals the copy with a customer key, as PutOptions'
	// (the source's is Source.CustomerKey).
	CustomerKey *[32]byte
	// ReplaceTags gives the copy Tags instead of the source's tags
	// (x-amz-tagging-directive: REPLACE).
	ReplaceTags bool
	Tags        Tags
	// ChecksumAlgorithm, if set, gives the copy a new checksum of that
	// algorithm, computed as the content is copied (S3's
	// x-amz-checksum-algorithm); else the copy keeps the source's, or gets
	// a CRC64NVME if the source has none. The algorithms END cannot hold
	// (SHA512, MD5, XXHASH*) are ErrNotImplemented.
	ChecksumAlgorithm ChecksumAlgorithm
}

// Namespace is one user's view of sealgate: what both doors call. Every
// method acts only inside that user's namespace; another user's buckets and
// objects cannot be named, read, listed or overwritten, and their existence
// is not revealed (a bucket of another user is ErrNoSuchBucket).
type Namespace interface {
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	CreateBucket(ctx context.Context, bucket string) error
	DeleteBucket(ctx context.Context, bucket string) error
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)

	// PutObject streams body (size bytes, or -1 if unknown) into a new
	// version of key. The object becomes visible only if the body ended
	// cleanly with exactly size bytes; any read error (a door's verifying
	// reader reporting a bad signature or digest) aborts the write and leaves
	// the previous version intact.
	PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (ObjectInfo, error)
	// GetObject checks opts' conditions, then its range, and returns the
	// body. With ErrNotModified, ErrPreconditionFailed or ErrInvalidRange it
	// also returns a reader with the object's Info and no Body (for the
	// validators of a 304 and the size of a 416); with other errors, nil.
	GetObject(ctx context.Context, bucket, key string, opts GetOptions) (*ObjectReader, error)
	// HeadObject is GetObject without the body; with the same three errors
	// it returns the object's info too.
	HeadObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error)
	// DeleteObject removes key; an absent key is not an error (S3). In a
	// versioned bucket it leaves a delete marker (DeleteVersion).
	DeleteObject(ctx context.Context, bucket, key string) error
	// DeleteVersion deletes one version of key for good, or, with
	// versionID "", deletes key as S3 does: in a bucket with versioning
	// enabled or suspended, a delete marker becomes the current version.
	// A version under Object Lock is not deleted (ErrObjectLocked).
	DeleteVersion(ctx context.Context, bucket, key, versionID string, o DeleteOptions) (DeleteResult, error)
	DeleteObjects(ctx context.Context, bucket string, objs []ObjectVersion, o DeleteOptions) []DeleteResult
	CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (ObjectInfo, error)
	ListObjects(ctx context.Context, bucket string, q ListQuery) (ListResult, error)
	// ListObjectVersions lists every version and delete marker.
	ListObjectVersions(ctx context.Context, bucket string, q VersionQuery) (VersionList, error)

	// GetBucketVersioning and PutBucketVersioning read and set the
	// bucket's versioning state (VersioningOff cannot be set).
	GetBucketVersioning(ctx context.Context, bucket string) (Versioning, error)
	PutBucketVersioning(ctx context.Context, bucket string, v Versioning) error

	// CreateLockedBucket creates a bucket with versioning and Object Lock
	// enabled (S3's x-amz-bucket-object-lock-enabled).
	CreateLockedBucket(ctx context.Context, bucket string) error
	// GetObjectLockConfiguration is ErrNoLockConfig for a bucket without
	// Object Lock; PutObjectLockConfiguration enables it (versioning must
	// be enabled) or changes the default retention.
	GetObjectLockConfiguration(ctx context.Context, bucket string) (LockConfig, error)
	PutObjectLockConfiguration(ctx context.Context, bucket string, c LockConfig) error
	// GetObjectLock returns a version's lock ("": the current version's).
	GetObjectLock(ctx context.Context, bucket, key, versionID string) (ObjectLock, error)
	// PutObjectRetention sets a version's retention (RetentionNone removes
	// it): COMPLIANCE can only be extended, GOVERNANCE changed only with
	// bypass (ErrObjectLocked).
	PutObjectRetention(ctx context.Context, bucket, key, versionID string, mode RetentionMode, until time.Time, bypass bool) error
	// PutObjectLegalHold sets or clears a version's legal hold.
	PutObjectLegalHold(ctx context.Context, bucket, key, versionID string, on bool) error

	// GetObjectTagging, PutObjectTagging and DeleteObjectTagging read and
	// change a version's tags ("": the current version's); each returns
	// the version's id. A delete marker has none (ErrMethodNotAllowed).
	GetObjectTagging(ctx context.Context, bucket, key, versionID string) (Tags, string, error)
	PutObjectTagging(ctx context.Context, bucket, key, versionID string, t Tags) (string, error)
	DeleteObjectTagging(ctx context.Context, bucket, key, versionID string) (string, error)
	// GetBucketTagging is ErrNoSuchTagSet for a bucket without tags;
	// PutBucketTagging with an empty set removes them.
	GetBucketTagging(ctx context.Context, bucket string) (Tags, error)
	PutBucketTagging(ctx context.Context, bucket string, t Tags) error

	// GetBucketLifecycle is ErrNoSuchLifecycle for a bucket without rules;
	// PutBucketLifecycle with no rules removes them. The gateways apply
	// them in the background (Service.ApplyLifecycle).
	GetBucketLifecycle(ctx context.Context, bucket string) ([]LifecycleRule, error)
	PutBucketLifecycle(ctx context.Context, bucket string, rules []LifecycleRule) error

	// GetBucketCORS is ErrNoSuchCORS for a bucket without a CORS
	// configuration; it always reads the upstream. PutBucketCORS with no
	// rules removes the configuration (CheckCORS validates them).
	// CORSRules are the rules requests are evaluated against: as of at most
	// CORSCacheTTL ago, nil when the bucket has none or does not exist.
	GetBucketCORS(ctx context.Context, bucket string) ([]CORSRule, error)
	PutBucketCORS(ctx context.Context, bucket string, rules []CORSRule) error
	CORSRules(ctx context.Context, bucket string) ([]CORSRule, error)

	CreateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (uploadID string, err error)
	// UploadPart streams one part, as PutObject streams an object, and
	// returns its ETag (hex MD5 of the part).
	UploadPart(ctx context.Context, bucket, key, uploadID string, part int, body io.Reader, size int64) (etag string, err error)
	// UploadPartChecked is UploadPart with the part's checksum: the part's
	// checksum of the upload's algorithm is computed as it streams, stored
	// with the part and returned. A part announcing another algorithm than
	// the upload's, or none for a COMPOSITE upload, is refused before its
	// body is read (a *ChecksumAlgorithmError).
	UploadPartChecked(ctx context.Context, bucket, key, uploadID string, part int, body io.Reader, size int64, opts PartOptions) (PartInfo, error)
	// UploadPartCopy stores a range of an object (src's conditions and
	// customer key apply to it) as a part; dstKey is the upload's customer
	// key, if it has one (SSE-C). The range is not cut at the end, unlike a
	// GET's: one ending at or past the source's size is ErrInvalidRange.
	UploadPartCopy(ctx context.Context, bucket, key, uploadID string, part int, srcBucket, srcKey string, src GetOptions, dstKey *[32]byte) (PartInfo, error)
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletedPart, opts PutOptions) (ObjectInfo, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// AbortMultipartUploadIf aborts the upload only if it began at
	// initiated (second precision), else ErrPreconditionFailed (S3's
	// x-amz-if-match-initiated-time); an upload that does not exist is
	// ErrNoSuchUpload, as for AbortMultipartUpload.
	AbortMultipartUploadIf(ctx context.Context, bucket, key, uploadID string, initiated time.Time) error
	// ListParts returns the upload (its checksum included) and a page of
	// its parts.
	ListParts(ctx context.Context, bucket, key, uploadID string, marker, limit int) (PartsPage, error)
	ListMultipartUploads(ctx context.Context, bucket, prefix, keyMarker, uploadIDMarker string, limit int) (uploads []UploadInfo, truncated bool, err error)

	// HeadFolder reports whether a folder (prefix ending in "/") exists: a
	// marker object or any object under it; ErrNoSuchKey if not. O(1).
	HeadFolder(ctx context.Context, bucket, prefix string) (FolderInfo, error)

	// GetProps returns the properties (WebDAV dead properties, an opaque
	// document) of a key, a folder marker ("dir/") or the bucket (key ""),
	// nil if none. They live outside the S3 namespace and go with
	// DeleteObject and DeleteBucket.
	GetProps(ctx context.Context, bucket, key string) ([]byte, error)
	// SetProps replaces them; empty data removes them. At most MaxPropsBytes.
	SetProps(ctx context.Context, bucket, key string, data []byte) error

	// GetShared returns the user's shared record name (a small document
	// that all gateways over the upstream share, such as the WebDAV lock
	// table) and its version, an opaque upstream ETag. An absent record is
	// nil, "" and no error; a cleared one is nil data with its version. A
	// record that fails authentication is ErrIntegrity, never served.
	GetShared(ctx context.Context, name string) (data []byte, version string, err error)
	// PutShared writes the record only if it is still at ifVersion ("":
	// only if absent), else ErrPreconditionFailed; it returns the new
	// version. Empty data clears the record, under the same condition. At
	// most MaxSharedBytes of data and MaxSharedName bytes of name
	// (ErrInvalidArgument). See shared.go for what an untrusted upstream
	// can still do to these records.
	// The record "quota" is the gateway's own (quota.go): PutShared
	// refuses it with ErrInvalidArgument.
	PutShared(ctx context.Context, name string, data []byte, ifVersion string) (version string, err error)

	// Usage returns the account's storage quota and usage (quota.go).
	Usage(ctx context.Context) (Usage, error)
}
