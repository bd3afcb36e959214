package s3api

import (
	"net/http"
	"net/url"
	"strings"
)

// maxKeyLen is S3's key limit in bytes.
const maxKeyLen = 1024

// addressOf returns the bucket and key a request names, virtual-host style
// ("bucket.<domain>") or path style ("/bucket/key").
func (s *server) addressOf(r *http.Request) (bucket, key string, err error) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if b := s.verifier.VirtualHostBucket(r.Host); b != "" {
		bucket, key = b, path
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	if len(key) > maxKeyLen {
		return "", "", errCode("KeyTooLongError")
	}
	return bucket, key, nil
}

// unsupported lists the subresources sealgate does not implement (on
// buckets, or on objects: a bucket's ?cors is routed before, by
// lockHandler). Reads of them get AWS's canned "not configured" answers
// (canned.go); writes 501.
var unsupported = []string{
	"acl", "cors", "policy",
	"location", "encryption", "website", "replication", "logging", "notification",
	"accelerate", "requestPayment", "ownershipControls", "publicAccessBlock",
	"policyStatus", "analytics", "metrics", "inventory", "intelligent-tiering",
	"torrent", "restore", "select", "attributes",
	"website-configuration", "object-lambda", "session", "renameObject",
}

// subresourceOf returns the unsupported subresource a query names, or "".
func subresourceOf(q url.Values) string {
	for _, s := range unsupported {
		if _, ok := q[s]; ok {
			return s
		}
	}
	return ""
}

// streamingAllowed: an aws-chunked body (a STREAMING-* payload) carries
// object data only, PutObject's or UploadPart's; any other request with
// one is AWS's InvalidRequest.
func streamingAllowed(rc *reqCtx, q url.Values) bool {
	if rc.r.Method != http.MethodPut || rc.key == "" {
		return false
	}
	for k := range q {
		if k != "uploadId" && k != "partNumber" && k != "x-id" {
			return false
		}
	}
	return true
}

// route dispatches an authenticated request to its handler.
func (s *server) route(rc *reqCtx) error {
	q := rc.r.URL.Query()
	if err := checkSSE(rc.r); err != nil {
		return err
	}
	if rc.auth != nil && strings.HasPrefix(rc.auth.PayloadMode, "STREAMING-") && !streamingAllowed(rc, q) {
		return errMsg("InvalidRequest", "The value of x-amz-content-sha256 header is invalid.")
	}
	if rc.r.Method == http.MethodPut && rc.bucket != "" && rc.key == "" && len(q) == 0 {
		if err := checkCreateOwnership(rc.r); err != nil { // (before checkACL: AWS's order)
			return err
		}
	}
	if err := checkACL(rc.r); err != nil {
		return err
	}
	if err := checkUnbuilt(rc.r, s.now()); err != nil {
		return err
	}
	if err := checkExpectedOwner(rc); err != nil {
		return err
	}
	if _, ok := q["encryption"]; ok && rc.bucket != "" && rc.r.Method != http.MethodGet && rc.r.Method != http.MethodHead {
		return s.bucketEncryption(rc)
	}
	if _, ok := q["attributes"]; ok && rc.key != "" && rc.r.Method == http.MethodGet {
		rc.op = "GetObjectAttributes"
		return s.getAttributes(rc)
	}
	if _, ok := q["ownershipControls"]; ok && rc.bucket != "" && rc.key == "" {
		return s.ownershipControlsOp(rc)
	}
	if h := s.lockHandler(rc, q); h != nil {
		return h(rc)
	}
	if sub := subresourceOf(q); sub != "" {
		return s.subresource(rc, sub)
	}
	if rc.bucket == "" {
		if rc.r.Method != http.MethodGet {
			return errCode("MethodNotAllowed")
		}
		rc.op = "ListBuckets"
		return s.listBuckets(rc)
	}
	if rc.key == "" {
		return s.routeBucket(rc, q)
	}
	return s.routeObject(rc, q)
}

func (s *server) routeBucket(rc *reqCtx, q url.Values) error {
	_, uploads := q["uploads"]
	switch rc.r.Method {
	case http.MethodGet:
		return s.routeBucketGet(rc, q)
	case http.MethodPut:
		rc.op = "CreateBucket"
		return s.createBucket(rc)
	case http.MethodDelete:
		rc.op = "DeleteBucket"
		return s.deleteBucket(rc)
	case http.MethodHead:
		rc.op = "HeadBucket"
		return s.headBucket(rc)
	case http.MethodPost:
		if _, ok := q["delete"]; ok && !uploads {
			rc.op = "DeleteObjects"
			return s.deleteObjects(rc)
		}
		return errCode("NotImplemented")
	}
	return errCode("MethodNotAllowed")
}

func (s *server) routeBucketGet(rc *reqCtx, q url.Values) error {
	if _, ok := q["uploads"]; ok {
		rc.op = "ListMultipartUploads"
		return s.listUploads(rc, q)
	}
	if _, ok := q["versions"]; ok {
		rc.op = "ListObjectVersions"
		return s.listVersions(rc, q)
	}
	if q.Get("list-type") == "2" {
		rc.op = "ListObjectsV2"
		return s.listObjects(rc, q, true)
	}
	rc.op = "ListObjects"
	return s.listObjects(rc, q, false)
}

func (s *server) routeObject(rc *reqCtx, q url.Values) error {
	if _, ok := q["uploadId"]; ok {
		if q.Get("uploadId") == "" {
			// Not a plain object request (a DELETE must not delete the
			// object): refuse it.
			return errMsg("InvalidArgument", "uploadId must not be empty")
		}
		return s.routeUpload(rc, q)
	}
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetObject"
		return s.getObject(rc, q)
	case http.MethodHead:
		rc.op = "HeadObject"
		return s.headObject(rc, q)
	case http.MethodPut:
		if rc.r.Header.Get("X-Amz-Copy-Source") != "" {
			rc.op = "CopyObject"
			return s.copyObject(rc)
		}
		rc.op = "PutObject"
		return s.putObject(rc)
	case http.MethodDelete:
		rc.op = "DeleteObject"
		return s.deleteObject(rc)
	case http.MethodPost:
		if _, ok := q["uploads"]; ok {
			rc.op = "CreateMultipartUpload"
			return s.createUpload(rc)
		}
		return errCode("NotImplemented")
	}
	return errCode("MethodNotAllowed")
}

func (s *server) routeUpload(rc *reqCtx, q url.Values) error {
	switch rc.r.Method {
	case http.MethodPut:
		if rc.r.Header.Get("X-Amz-Copy-Source") != "" {
			rc.op = "UploadPartCopy"
			return s.uploadPartCopy(rc, q)
		}
		rc.op = "UploadPart"
		return s.uploadPart(rc, q)
	case http.MethodGet:
		rc.op = "ListParts"
		return s.listParts(rc, q)
	case http.MethodDelete:
		rc.op = "AbortMultipartUpload"
		return s.abortUpload(rc, q)
	case http.MethodPost:
		rc.op = "CompleteMultipartUpload"
		return s.completeUpload(rc, q)
	}
	return errCode("MethodNotAllowed")
}

// headBucket answers HEAD on a bucket, with its region as AWS does.
func (s *server) headBucket(rc *reqCtx) error {
	if _, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	rc.w.Header().Set("x-amz-bucket-region", s.region)
	rc.w.WriteHeader(http.StatusOK)
	return nil
}
