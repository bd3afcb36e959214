package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"

	"github.com/sealgate/sealgate/gateway"
)

// S3's page limits for ListMultipartUploads and ListParts.
const (
	maxUploadsPage = 1000
	maxPartsPage   = 1000
)

// pageArg parses an optional non-negative integer query argument (a
// max-* or *-marker), AWS's InvalidArgument if it is not one (its two
// messages: not an int32 at all, or a negative one); absent is def.
func pageArg(q url.Values, name string, def int) (int, error) {
	v, ok := q[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v[0], 10, 32)
	switch {
	case err != nil:
		return 0, errArg(name, v[0], "Provided %s not an integer or within integer range", name)
	case n < 0:
		return 0, errArg(name, v[0], "Argument %s must be an integer between 0 and 2147483647", name)
	}
	return int(n), nil
}

// pageSize is a max-* argument capped at limit; 0 (or absent) is limit.
func pageSize(q url.Values, name string, limit int) (int, error) {
	n, err := pageArg(q, name, limit)
	if err != nil || n == 0 || n > limit {
		return limit, err
	}
	return n, nil
}

// uploadErr names the missing resource of an upload operation: an upload
// of a bucket that does not exist is NoSuchBucket, as AWS answers, found
// out only on the error path (one HeadBucket).
func (rc *reqCtx) uploadErr(err error) error {
	if !errors.Is(err, gateway.ErrNoSuchUpload) {
		return err
	}
	if _, berr := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); errors.Is(berr, gateway.ErrNoSuchBucket) {
		return berr
	}
	return err
}

// abortUpload serves DELETE /bucket/key?uploadId: 204. With
// x-amz-if-match-initiated-time, only an upload begun then is aborted
// (else 412), and an upload that does not exist is a 204, as S3 documents.
func (s *server) abortUpload(rc *reqCtx, q url.Values) error {
	ctx, id := rc.r.Context(), q.Get("uploadId")
	var err error
	if v := rc.r.Header.Get("X-Amz-If-Match-Initiated-Time"); v != "" {
		t, perr := http.ParseTime(v)
		if perr != nil {
			return errArg("x-amz-if-match-initiated-time", v, "Invalid argument for x-amz-if-match-initiated-time")
		}
		if err = rc.uploadErr(rc.user.NS.AbortMultipartUploadIf(ctx, rc.bucket, rc.key, id, t)); errors.Is(err, gateway.ErrNoSuchUpload) {
			err = nil
		}
	} else {
		err = rc.uploadErr(rc.user.NS.AbortMultipartUpload(ctx, rc.bucket, rc.key, id))
	}
	if err != nil {
		return err
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

// listParts serves GET /bucket/key?uploadId.
func (s *server) listParts(rc *reqCtx, q url.Values) error {
	marker, err := pageArg(q, "part-number-marker", 0)
	if err != nil {
		return err
	}
	limit, err := pageSize(q, "max-parts", maxPartsPage)
	if err != nil {
		return err
	}
	id := q.Get("uploadId")
	page, err := rc.user.NS.ListParts(rc.r.Context(), rc.bucket, rc.key, id, marker, limit)
	if err != nil {
		return rc.uploadErr(err)
	}
	parts, truncated, up := page.Parts, page.Truncated, page.Upload
	ui := rc.userInfo()
	out := &listPartsResult{
		Bucket: rc.bucket, Key: rc.key, UploadID: id, StorageClass: "STANDARD",
		Initiator: ui, Owner: ui, PartNumberMarker: marker, MaxParts: limit, IsTruncated: truncated,
	}
	if c := up.Checksum; c.Algorithm != gateway.ChecksumNone {
		out.ChecksumAlgorithm, out.ChecksumType = algName(c.Algorithm), modeName(c.Composite)
	}
	for _, p := range parts {
		item := listPartItem{PartNumber: p.Number, LastModified: gofakes3.NewContentTime(p.LastModified), ETag: quoteETag(p.ETag), Size: p.Size}
		if len(p.Checksum.Value) > 0 {
			item.set(p.Checksum.Algorithm, base64.StdEncoding.EncodeToString(p.Checksum.Value))
		}
		out.Parts = append(out.Parts, item)
	}
	if len(parts) > 0 {
		out.NextPartNumberMarker = parts[len(parts)-1].Number
	}
	return writeXML(rc, http.StatusOK, out)
}

// listPartsResult is ListParts' answer.
type listPartsResult struct {
	XMLName              xml.Name           `xml:"ListPartsResult"`
	Bucket               string             `xml:"Bucket"`
	Key                  string             `xml:"Key"`
	UploadID             string             `xml:"UploadId"`
	StorageClass         string             `xml:"StorageClass,omitempty"`
	Initiator            *gofakes3.UserInfo `xml:"Initiator,omitempty"`
	Owner                *gofakes3.UserInfo `xml:"Owner,omitempty"`
	PartNumberMarker     int                `xml:"PartNumberMarker"`
	NextPartNumberMarker int                `xml:"NextPartNumberMarker"`
	MaxParts             int                `xml:"MaxParts"`
	IsTruncated          bool               `xml:"IsTruncated"`
	ChecksumAlgorithm    string             `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string             `xml:"ChecksumType,omitempty"`
	Parts                []listPartItem     `xml:"Part"`
}

type listPartItem struct {
	PartNumber   int                  `xml:"PartNumber"`
	LastModified gofakes3.ContentTime `xml:"LastModified,omitempty"`
	ETag         string               `xml:"ETag,omitempty"`
	Size         int64                `xml:"Size"`
	checksumFields
}

// listUploads serves GET /bucket?uploads. With a delimiter, the keys that
// hold it after the prefix fold into common prefixes, each counting as one
// entry of the page, as in ListObjects.
func (s *server) listUploads(rc *reqCtx, q url.Values) error {
	limit, err := pageSize(q, "max-uploads", maxUploadsPage)
	if err != nil {
		return err
	}
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	if keyMarker == "" {
		idMarker = "" // AWS ignores upload-id-marker without key-marker
	}
	out := &listUploadsResult{
		Bucket: rc.bucket, KeyMarker: keyMarker, UploadIDMarker: gofakes3.UploadID(idMarker),
		MaxUploads: int64(limit), Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
	}
	if err := foldUploads(rc, out, limit); err != nil {
		if idMarker != "" && errors.Is(err, gateway.ErrInvalidArgument) {
			return errArg("upload-id-marker", idMarker, "Invalid uploadId marker")
		}
		return err
	}
	return writeXML(rc, http.StatusOK, out)
}

// listUploadsResult is ListMultipartUploads' answer: gofakes3's, with
// each upload's checksum.
type listUploadsResult struct {
	XMLName            xml.Name                `xml:"ListMultipartUploadsResult"`
	Bucket             string                  `xml:"Bucket"`
	KeyMarker          string                  `xml:"KeyMarker,omitempty"`
	UploadIDMarker     gofakes3.UploadID       `xml:"UploadIdMarker,omitempty"`
	NextKeyMarker      string                  `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker gofakes3.UploadID       `xml:"NextUploadIdMarker,omitempty"`
	MaxUploads         int64                   `xml:"MaxUploads,omitempty"`
	Delimiter          string                  `xml:"Delimiter,omitempty"`
	Prefix             string                  `xml:"Prefix,omitempty"`
	CommonPrefixes     []gofakes3.CommonPrefix `xml:"CommonPrefixes,omitempty"`
	IsTruncated        bool                    `xml:"IsTruncated"`
	Uploads            []listUploadItem        `xml:"Upload"`
}

type listUploadItem struct {
	gofakes3.ListMultipartUploadItem
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

// foldUploads fills out's page, at most limit entries, from the gateway's
// flat upload listing after out's markers. A common prefix equal to the key
// marker was the previous page's last entry and is skipped.
func foldUploads(rc *reqCtx, out *listUploadsResult, limit int) error {
	ui := rc.userInfo()
	key, id := out.KeyMarker, string(out.UploadIDMarker)
	lastPrefix := out.KeyMarker
	for entries := 0; ; {
		ups, more, err := rc.user.NS.ListMultipartUploads(rc.r.Context(), rc.bucket, out.Prefix, key, id, limit)
		if err != nil {
			return err
		}
		for _, u := range ups {
			key, id = u.Key, u.UploadID
			cp := foldPrefix(u.Key, out.Prefix, out.Delimiter)
			if cp != "" && cp == lastPrefix {
				continue
			}
			if entries == limit {
				out.IsTruncated = true
				return nil
			}
			entries++
			if cp != "" {
				lastPrefix = cp
				out.CommonPrefixes = append(out.CommonPrefixes, gofakes3.CommonPrefix{Prefix: cp})
				out.NextKeyMarker, out.NextUploadIDMarker = cp, ""
				continue
			}
			item := listUploadItem{ListMultipartUploadItem: gofakes3.ListMultipartUploadItem{
				Key: u.Key, UploadID: gofakes3.UploadID(u.UploadID), Initiator: ui, Owner: ui,
				StorageClass: "STANDARD", Initiated: gofakes3.NewContentTime(u.Initiated),
			}}
			if c := u.Checksum; c.Algorithm != gateway.ChecksumNone {
				item.ChecksumAlgorithm, item.ChecksumType = algName(c.Algorithm), modeName(c.Composite)
			}
			out.Uploads = append(out.Uploads, item)
			out.NextKeyMarker, out.NextUploadIDMarker = u.Key, gofakes3.UploadID(u.UploadID)
		}
		if !more || len(ups) == 0 {
			out.NextKeyMarker, out.NextUploadIDMarker = "", ""
			return nil
		}
	}
}

// foldPrefix is key's prefix up to and including the first delimiter
// after prefix, or "" when there is no delimiter or key holds none.
func foldPrefix(key, prefix, delim string) string {
	if delim == "" || !strings.HasPrefix(key, prefix) {
		return ""
	}
	if i := strings.Index(key[len(prefix):], delim); i >= 0 {
		return key[:len(prefix)+i+len(delim)]
	}
	return ""
}

// userInfo is the request's user as an upload's initiator and owner.
func (rc *reqCtx) userInfo() *gofakes3.UserInfo {
	o := ownerOf(rc.user.Name)
	return &gofakes3.UserInfo{ID: o.ID, DisplayName: o.DisplayName}
}
