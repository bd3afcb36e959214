package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// putOptions reads metadata and write conditions of a PUT (or a
// CreateMultipartUpload).
func putOptions(h http.Header, now time.Time) (gateway.PutOptions, error) {
	meta, err := metaFromHeader(h)
	if err != nil {
		return gateway.PutOptions{}, err
	}
	opts := gateway.PutOptions{Meta: meta}
	if err := writeConditions(h, &opts); err != nil {
		return opts, err
	}
	if opts.Lock, err = lockFromHeader(h, now); err != nil {
		return opts, err
	}
	if opts.Tags, err = tagsFromHeader(h); err != nil {
		return opts, err
	}
	if opts.CustomerKey, err = sseC(h, sseCPrefix); err != nil {
		return opts, err
	}
	return opts, nil
}

// writeConditions reads the conditions of a write (PutObject,
// CompleteMultipartUpload): If-Match, and If-None-Match, of which only
// "*" is defined for writes (any other value is AWS's NotImplemented).
func writeConditions(h http.Header, opts *gateway.PutOptions) error {
	opts.IfMatch = unquoteETag(h.Get("If-Match"))
	if inm := h.Get("If-None-Match"); inm != "" {
		if strings.TrimSpace(inm) != "*" {
			return errCode("NotImplemented")
		}
		opts.IfNoneMatch = "*"
	}
	return nil
}

// bodySize is the length of the (decoded) request body; S3 requires it.
func (rc *reqCtx) bodySize() (int64, error) {
	if rc.r.ContentLength < 0 {
		return 0, errCode("MissingContentLength")
	}
	return rc.r.ContentLength, nil
}

// putObject streams the body into the gateway. The verifying reader fails
// the read on a bad signature, digest or length, and the gateway then
// keeps the previous version.
func (s *server) putObject(rc *reqCtx) error {
	opts, err := putOptions(rc.r.Header, s.now())
	if err != nil {
		return err
	}
	size, err := rc.bodySize()
	if err != nil {
		return err
	}
	body, err := withChecksumFunc(&opts, rc.auth, rc.body())
	if err != nil {
		return err
	}
	info, err := rc.user.NS.PutObject(rc.r.Context(), rc.bucket, rc.key, body, size, opts)
	if err != nil {
		return err
	}
	h := rc.w.Header()
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("x-amz-object-size", strconv.FormatInt(info.Size, 10)) // PutObjectOutput.Size
	if info.VersionID != gateway.NullVersion {                   // as versitygw: a suspended bucket's PUT names no version
		setVersionID(h, info.VersionID)
	}
	setObjectChecksum(h, info)
	sseCHeaders(h, info.CustomerKeyMD5)
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

// body is the verified request body (never nil).
func (rc *reqCtx) body() io.Reader {
	if rc.r.Body == nil {
		return http.NoBody
	}
	return rc.r.Body
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *server) createUpload(rc *reqCtx) error {
	opts, err := putOptions(rc.r.Header, s.now())
	if err != nil {
		return err
	}
	if opts.Checksum, err = parseUploadChecksum(rc.r.Header); err != nil {
		return err
	}
	id, err := rc.user.NS.CreateMultipartUpload(rc.r.Context(), rc.bucket, rc.key, opts)
	if err != nil {
		return err
	}
	setUploadChecksumHeaders(rc.w.Header(), gateway.UploadChecksum{Algorithm: opts.Checksum.Algorithm, Composite: opts.Checksum.Composite})
	if opts.CustomerKey != nil {
		sseCHeaders(rc.w.Header(), rc.r.Header.Get(sseCPrefix+"Key-Md5"))
	}
	return writeXML(rc, http.StatusOK, initiateResult{Xmlns: s3ns, Bucket: rc.bucket, Key: rc.key, UploadID: id})
}

// partNumber parses ?partNumber (1..10000).
func partNumber(q url.Values) (int, error) {
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return 0, errMsg("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	return n, nil
}

// uploadPart streams a part (q is the parsed query) into the gateway.
func (s *server) uploadPart(rc *reqCtx, q url.Values) error {
	part, err := partNumber(q)
	if err != nil {
		return err
	}
	size, err := rc.bodySize()
	if err != nil {
		return err
	}
	id := q.Get("uploadId")
	popts := gateway.PartOptions{Algorithm: announcedChecksum(rc.auth), Strict: true}
	if popts.CustomerKey, err = sseC(rc.r.Header, sseCPrefix); err != nil {
		return err
	}
	p, err := rc.user.NS.UploadPartChecked(rc.r.Context(), rc.bucket, rc.key, id, part, rc.body(), size, popts)
	if errors.Is(err, gateway.ErrNoSuchUpload) {
		return bucketFirst(rc, err)
	}
	if err != nil {
		return err
	}
	h := rc.w.Header()
	h.Set("ETag", quoteETag(p.ETag))
	setAuthChecksum(h, rc.auth)
	if name := checksumHeaders[p.Checksum.Algorithm]; name != "" {
		h.Set(name, base64.StdEncoding.EncodeToString(p.Checksum.Value))
	}
	if popts.CustomerKey != nil {
		sseCHeaders(h, rc.r.Header.Get(sseCPrefix+"Key-Md5"))
	}
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
}

// uploadPartCopy copies (a range of) an object into a part; q is the parsed
// query.
func (s *server) uploadPartCopy(rc *reqCtx, q url.Values) error {
	part, err := partNumber(q)
	if err != nil {
		return err
	}
	src, err := parseCopySource(rc.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return bucketFirst(rc, err)
	}
	srcBucket, srcKey := src.bucket, src.key
	cond := copySourceConditions(rc.r.Header)
	cond.VersionID = src.versionID
	if cond.CustomerKey, err = sseC(rc.r.Header, copySourceSSECPrefix); err != nil {
		return err
	}
	dstKey, err := sseC(rc.r.Header, sseCPrefix) // the upload's, if it has one
	if err != nil {
		return err
	}
	if rh := rc.r.Header.Get("X-Amz-Copy-Source-Range"); rh != "" {
		// Only the syntax here: the namespace checks the range against the
		// source it reads (one read, no window for an overwrite to turn into
		// a 412 the client never asked for) and answers ErrInvalidRange for
		// a range running past the end (copyRangeErr: AWS's InvalidArgument).
		if cond.Range, err = parseCopyRange(rh, math.MaxInt64); err != nil {
			return err
		}
	}
	id := q.Get("uploadId")
	p, err := rc.user.NS.UploadPartCopy(rc.r.Context(), rc.bucket, rc.key, id, part, srcBucket, srcKey, cond, dstKey)
	if err != nil && cond.Range != nil && errors.Is(err, gateway.ErrInvalidRange) {
		return copyRangeErr(rc, srcBucket, srcKey, cond, err)
	}
	if errors.Is(err, gateway.ErrNoSuchUpload) {
		return bucketFirst(rc, err)
	}
	if err != nil {
		return sourceCondErr(err)
	}
	if src.versionID != "" {
		rc.w.Header().Set("x-amz-copy-source-version-id", src.versionID)
	}
	if dstKey != nil {
		sseCHeaders(rc.w.Header(), rc.r.Header.Get(sseCPrefix+"Key-Md5"))
	}
	res := copyPartResult{Xmlns: s3ns, ETag: quoteETag(p.ETag), LastModified: xmlTime(p.LastModified)}
	if len(p.Checksum.Value) > 0 {
		res.set(p.Checksum.Algorithm, base64.StdEncoding.EncodeToString(p.Checksum.Value))
	}
	return writeXML(rc, http.StatusOK, res)
}
