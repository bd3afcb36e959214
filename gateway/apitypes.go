package gateway

import (
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// The types of Namespace's listings, versions, multipart uploads and
// checksums (api.go has the rest, and Namespace itself).

// ListQuery selects a page of ListObjects (v1 and v2 both map onto it).
type ListQuery struct {
	Prefix    string
	Delimiter string // any string; "/" is the fast path
	Marker    string // list keys (and common prefixes) after this one
	MaxKeys   int    // 0 means 1000; capped at 1000
	// Snapshot continues a paging run: the Snapshot of the run's previous
	// page, with its NextMarker as Marker. The page may then be cut from the
	// listing that page was cut from, or a newer one, if this gateway still
	// holds it. Without a Marker it is ignored: a first page always comes
	// from a fresh upstream listing. A Marker without a Snapshot (an S3 v1
	// marker, a start-after) is served from a cached listing only if that
	// listing ended a page at exactly that marker.
	Snapshot string
}

// ListResult is one page. Objects carry Key, Size, ETag and LastModified.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	NextMarker     string // the last key or prefix of this page, when truncated
	// Snapshot names the listing the page was cut from (opaque, URL-safe,
	// no NUL): pass it back in the next page's ListQuery.
	Snapshot string
}

// ObjectVersion names a key, or one version of it (VersionID "": the
// current one).
type ObjectVersion struct {
	Key       string
	VersionID string
}

// DeleteResult reports one deletion (DeleteVersion, DeleteObjects).
type DeleteResult struct {
	Key       string
	VersionID string // the version asked for ("" if none)
	Err       error  // nil: deleted (or absent, which S3 also reports as deleted)
	// DeleteMarker: a delete marker was created (deleting a key of a
	// versioned bucket) or deleted (a version id naming one);
	// DeleteMarkerVersionID is the created marker's version id.
	DeleteMarker          bool
	DeleteMarkerVersionID string
}

// VersionQuery selects a page of ListObjectVersions.
type VersionQuery struct {
	Prefix, Delimiter string
	KeyMarker         string // versions of keys after this one ...
	VersionIDMarker   string // ... or, with KeyMarker, after this version of it
	MaxKeys           int    // 0 means 1000; capped at 1000
}

// VersionList is one page of ListObjectVersions: versions (objects and
// delete markers) in key order, newest first within a key.
type VersionList struct {
	Versions            []ObjectInfo
	CommonPrefixes      []string
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// CompletedPart names a part in CompleteMultipartUpload.
type CompletedPart struct {
	Number int
	ETag   string
	// Checksum is the part checksum the client names (Algorithm
	// ChecksumNone if none): it must be the stored part's.
	Checksum Checksum
}

// PartInfo describes an uploaded part.
type PartInfo struct {
	Number       int
	Size         int64
	ETag         string
	LastModified time.Time
	// Checksum is the part's checksum of the upload's algorithm (none if
	// the upload declared none).
	Checksum Checksum
}

// PartsPage is a page of ListParts.
type PartsPage struct {
	Upload    UploadInfo
	Parts     []PartInfo
	Truncated bool
}

// UploadInfo describes an upload in progress.
type UploadInfo struct {
	Key       string
	UploadID  string
	Initiated time.Time
	// Checksum is the checksum the upload declared at its start.
	Checksum UploadChecksum
}

// Checksum is a client checksum of an object's plaintext (S3's
// x-amz-checksum-*), verified by the door and sealed with the object.
type Checksum = cryptolayer.Checksum

// ChecksumAlgorithm names a checksum algorithm.
type ChecksumAlgorithm = cryptolayer.ChecksumAlgorithm

// The checksum algorithms, as the doors name them.
const (
	ChecksumNone      = cryptolayer.ChecksumNone
	ChecksumCRC32     = cryptolayer.ChecksumCRC32
	ChecksumCRC32C    = cryptolayer.ChecksumCRC32C
	ChecksumSHA1      = cryptolayer.ChecksumSHA1
	ChecksumSHA256    = cryptolayer.ChecksumSHA256
	ChecksumCRC64NVME = cryptolayer.ChecksumCRC64NVME
	ChecksumSHA512    = cryptolayer.ChecksumSHA512
	ChecksumMD5       = cryptolayer.ChecksumMD5
	ChecksumXXHASH64  = cryptolayer.ChecksumXXHASH64
	ChecksumXXHASH3   = cryptolayer.ChecksumXXHASH3
	ChecksumXXHASH128 = cryptolayer.ChecksumXXHASH128
)
