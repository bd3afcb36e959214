package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sealgate/sealgate/gateway"
)

// copySource is a parsed x-amz-copy-source.
type copySource struct {
	bucket, key, versionID string
}

// parseCopySource splits x-amz-copy-source ("[/]bucket/key[?versionId=…]",
// URL-encoded) into bucket, key and version id, with AWS's InvalidArgument
// for a bad encoding, a missing key or an invalid bucket name.
func parseCopySource(h string) (copySource, error) {
	bad := errMsg("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	const arg = "x-amz-copy-source"
	var src copySource
	path, query, _ := strings.Cut(h, "?")
	if query != "" {
		q, perr := url.ParseQuery(query)
		if perr != nil {
			return src, bad
		}
		if _, ok := q["versionId"]; ok {
			if src.versionID = q.Get("versionId"); src.versionID == "" {
				return src, errInvalidVersion
			}
		}
	}
	dec, perr := url.PathUnescape(path)
	if perr != nil || !utf8.ValidString(dec) {
		return src, errArg(arg, h, "Invalid copy source encoding")
	}
	src.bucket, src.key, _ = strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	switch {
	case src.bucket == "":
		return src, bad
	case src.key == "":
		return src, errArg(arg, "", "Invalid copy source object key")
	case gateway.CheckBucketName(src.bucket) != nil:
		return src, errArg(arg, h, "Invalid copy source bucket name")
	}
	if len(src.key) > maxKeyLen {
		return src, errCode("KeyTooLongError")
	}
	return src, nil
}

// copySourceConditions reads x-amz-copy-source-if-*.
func copySourceConditions(h http.Header) gateway.GetOptions {
	return conditions(h, "X-Amz-Copy-Source-")
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func (s *server) copyObject(rc *reqCtx) error {
	src, err := parseCopySource(rc.r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return err
	}
	srcBucket, srcKey := src.bucket, src.key
	opts, err := copyOptions(rc.r.Header, s.now())
	if err != nil {
		return err
	}
	opts.Source.VersionID = src.versionID
	if opts.Source.CustomerKey, err = sseC(rc.r.Header, copySourceSSECPrefix); err != nil {
		return err
	}
	if srcBucket == rc.bucket && srcKey == rc.key && src.versionID == "" && !opts.ReplaceMeta && opts.Meta[websiteRedirect] == "" && opts.ChecksumAlgorithm == gateway.ChecksumNone {
		return errMsg("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	info, err := rc.user.NS.CopyObject(rc.r.Context(), srcBucket, srcKey, rc.bucket, rc.key, opts)
	if err != nil {
		return sourceCondErr(err)
	}
	if src.versionID != "" {
		rc.w.Header().Set("x-amz-copy-source-version-id", src.versionID)
	}
	setVersionID(rc.w.Header(), info.VersionID)
	sseCHeaders(rc.w.Header(), info.CustomerKeyMD5)
	res := copyObjectResult{Xmlns: s3ns, ETag: quoteETag(info.ETag), LastModified: xmlTime(info.LastModified)}
	if _, v := checksumHeader(info); v != "" {
		res.set(info.Checksum.Algorithm, v)
		res.ChecksumType = modeName(info.Checksum.Composite)
	}
	return writeXML(rc, http.StatusOK, res)
}

func copyOptions(h http.Header, now time.Time) (gateway.CopyOptions, error) {
	dst, err := putOptions(h, now)
	if err != nil {
		return gateway.CopyOptions{}, err
	}
	opts := gateway.CopyOptions{Source: copySourceConditions(h), IfMatch: dst.IfMatch, IfNoneMatch: dst.IfNoneMatch,
		Fresh: []string{websiteRedirect}, Lock: dst.Lock, CustomerKey: dst.CustomerKey}
	if name := h.Get("X-Amz-Checksum-Algorithm"); name != "" {
		alg, ok := algOfName(name)
		if !ok {
			return opts, errUnsupportedAlgorithm()
		}
		opts.ChecksumAlgorithm = alg
	}
	switch d := strings.ToUpper(h.Get("X-Amz-Tagging-Directive")); d {
	case "", "COPY":
	case "REPLACE":
		opts.ReplaceTags, opts.Tags = true, dst.Tags
	default:
		return opts, errMsg("InvalidArgument", "Unknown tagging directive.")
	}
	switch d := strings.ToUpper(h.Get("X-Amz-Metadata-Directive")); d {
	case "", "COPY":
		if r, ok := dst.Meta[websiteRedirect]; ok {
			opts.Meta = gateway.Meta{websiteRedirect: r}
		}
	case "REPLACE":
		opts.ReplaceMeta, opts.Meta = true, dst.Meta
	default:
		return opts, errMsg("InvalidArgument", "Unknown metadata directive.")
	}
	return opts, nil
}

// sourceCondErr: a failed x-amz-copy-source-if-* is 412 on S3, even where
// the same condition on a GET would be 304.
// copyRangeErr is AWS's answer to an x-amz-copy-source-range running past
// the source: InvalidArgument naming the source's size (read again here,
// on this error path only; err if that read fails).
func copyRangeErr(rc *reqCtx, bucket, key string, cond gateway.GetOptions, err error) error {
	info, herr := rc.user.NS.HeadObject(rc.r.Context(), bucket, key,
		gateway.GetOptions{VersionID: cond.VersionID, CustomerKey: cond.CustomerKey})
	if herr != nil {
		return err
	}
	e := errArg("x-amz-copy-source-range", strconv.FormatInt(info.Size, 10),
		"Range specified is not valid for source object of size: %d", info.Size)
	e.cause = err
	return e
}

// bucketFirst answers NoSuchBucket, as AWS does before any other fault of
// a part upload, when the request's bucket does not exist; else err. It
// looks only on these error paths.
func bucketFirst(rc *reqCtx, err error) error {
	if _, herr := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); errors.Is(herr, gateway.ErrNoSuchBucket) {
		return herr
	}
	return err
}

func sourceCondErr(err error) error {
	if errors.Is(err, gateway.ErrNotModified) {
		return fmt.Errorf("s3api: copy source condition: %w", gateway.ErrPreconditionFailed)
	}
	return err
}
