package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// objectAttributes are the names x-amz-object-attributes may list.
var objectAttributes = map[string]bool{"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true}

// attributesResult is GetObjectAttributes' answer; only the attributes
// asked for are present.
type attributesResult struct {
	XMLName      xml.Name           `xml:"GetObjectAttributesResponse"`
	Xmlns        string             `xml:"xmlns,attr"`
	ETag         string             `xml:"ETag,omitempty"`
	Checksum     *attributeChecksum `xml:"Checksum,omitempty"`
	ObjectParts  *attributeParts    `xml:"ObjectParts,omitempty"`
	StorageClass string             `xml:"StorageClass,omitempty"`
	ObjectSize   *int64             `xml:"ObjectSize,omitempty"`
}

// attributeChecksum holds the object's stored checksum, under its
// algorithm's element.
type attributeChecksum struct {
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// attributeParts gives the part count of a multipart object.
type attributeParts struct {
	TotalPartsCount int `xml:"TotalPartsCount"`
}

// getAttributes serves GET /bucket/key?attributes: the metadata the
// x-amz-object-attributes header names, from one HeadObject.
func (s *server) getAttributes(rc *reqCtx) error {
	want, err := attributeNames(rc.r.Header)
	if err != nil {
		// a bucket that does not exist is named first (one HeadBucket,
		// on this error path only)
		if _, berr := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); errors.Is(berr, gateway.ErrNoSuchBucket) {
			return berr
		}
		return err
	}
	opts, err := versionedGetOptions(http.Header{}, rc.r.URL.Query())
	if err != nil {
		return err
	}
	if opts.CustomerKey, err = sseC(rc.r.Header, sseCPrefix); err != nil {
		return err
	}
	info, err := rc.user.NS.HeadObject(rc.r.Context(), rc.bucket, rc.key, opts)
	var dm *gateway.DeleteMarkerError
	if errors.As(err, &dm) {
		markerHeaders(rc.w.Header(), err)
		return errCode("NoSuchKey") // a marker has no attributes, named or not
	}
	if err != nil {
		return err
	}
	setVersionID(rc.w.Header(), info.VersionID)
	rc.w.Header().Set("Last-Modified", info.LastModified.UTC().Format(httpTime))
	out := attributesResult{Xmlns: s3ns}
	if want["ETag"] {
		out.ETag = info.ETag
	}
	if want["StorageClass"] {
		out.StorageClass = "STANDARD"
	}
	if want["ObjectSize"] {
		out.ObjectSize = &info.Size
	}
	if _, n, ok := strings.Cut(info.ETag, "-"); ok && want["ObjectParts"] {
		count, _ := strconv.Atoi(n)
		out.ObjectParts = &attributeParts{TotalPartsCount: count}
	}
	if want["Checksum"] {
		out.Checksum = checksumAttribute(info)
	}
	rc.w.Header().Set("Last-Modified", info.LastModified.UTC().Format(httpTime))
	return writeXML(rc, http.StatusOK, out)
}

// attributeNames parses x-amz-object-attributes (one or more headers, each
// a comma-separated list).
func attributeNames(h http.Header) (map[string]bool, error) {
	want := map[string]bool{}
	for _, v := range h.Values("X-Amz-Object-Attributes") {
		for _, name := range strings.Split(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !objectAttributes[name] {
				return nil, errMsg("InvalidArgument", "Invalid attribute name specified.")
			}
			want[name] = true
		}
	}
	if len(want) == 0 {
		return nil, errMsg("InvalidRequest", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	return want, nil
}

// checksumAttribute is the stored checksum as GetObjectAttributes shows
// it, or nil when the object has none.
func checksumAttribute(info gateway.ObjectInfo) *attributeChecksum {
	if len(info.Checksum.Value) == 0 {
		return nil
	}
	v := base64.StdEncoding.EncodeToString(info.Checksum.Value)
	c := &attributeChecksum{ChecksumType: "FULL_OBJECT"}
	if info.Checksum.Composite {
		c.ChecksumType = "COMPOSITE"
	}
	if checksumHeaders[info.Checksum.Algorithm] == "" {
		return nil
	}
	c.set(info.Checksum.Algorithm, v)
	return c
}
