package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// versionEntry is a Version or a DeleteMarker. Like versitygw, no Owner:
// every version of a user's bucket is the user's.
type versionEntry struct {
	XMLName           xml.Name
	Key               string `xml:"Key"`
	VersionID         string `xml:"VersionId"`
	IsLatest          bool   `xml:"IsLatest"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag,omitempty"`
	Size              *int64 `xml:"Size,omitempty"`
	StorageClass      string `xml:"StorageClass,omitempty"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type versionsResult struct {
	XMLName             xml.Name       `xml:"ListVersionsResult"`
	Xmlns               string         `xml:"xmlns,attr"`
	Name                string         `xml:"Name"`
	Prefix              string         `xml:"Prefix"`
	KeyMarker           string         `xml:"KeyMarker"`
	VersionIDMarker     string         `xml:"VersionIdMarker"`
	NextKeyMarker       string         `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string         `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int            `xml:"MaxKeys"`
	Delimiter           string         `xml:"Delimiter,omitempty"`
	EncodingType        string         `xml:"EncodingType,omitempty"`
	IsTruncated         bool           `xml:"IsTruncated"`
	Entries             []versionEntry // Version and DeleteMarker elements, in order
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// listVersions serves ListObjectVersions: versions and delete markers in
// the gateway's order (S3's), each element named by its kind.
func (s *server) listVersions(rc *reqCtx, q url.Values) error {
	// AWS words a negative max-keys differently here than in ListObjects.
	if mk := q.Get("max-keys"); strings.HasPrefix(mk, "-") {
		if _, err := strconv.ParseInt(mk, 10, 32); err == nil {
			return errArg("maxKeys", mk, "max-keys cannot be negative")
		}
	}
	p, err := parseListParams(q, "max-keys")
	if err != nil {
		return err
	}
	keyMarker, vidMarker := q.Get("key-marker"), q.Get("version-id-marker")
	if vidMarker != "" && keyMarker == "" {
		return errMsg("InvalidArgument", "A version-id marker cannot be specified without a key marker.")
	}
	res := &versionsResult{Xmlns: s3ns, Name: rc.bucket, Prefix: p.encode(p.prefix), KeyMarker: p.encode(keyMarker),
		VersionIDMarker: vidMarker, MaxKeys: p.maxKeys, Delimiter: p.encode(p.delimiter)}
	if p.encode(" ") != " " {
		res.EncodingType = "url"
	}
	if p.maxKeys == 0 {
		_, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket)
		if err != nil {
			return err
		}
		return writeXML(rc, http.StatusOK, res)
	}
	page, err := rc.user.NS.ListObjectVersions(rc.r.Context(), rc.bucket, gateway.VersionQuery{Prefix: p.prefix,
		Delimiter: p.delimiter, KeyMarker: keyMarker, VersionIDMarker: vidMarker, MaxKeys: p.maxKeys})
	if err != nil {
		return err
	}
	for _, v := range page.Versions {
		e := versionEntry{XMLName: xml.Name{Local: "Version"}, Key: p.encode(v.Key), VersionID: v.VersionID, IsLatest: v.IsLatest,
			LastModified: xmlTime(v.LastModified)}
		if v.DeleteMarker {
			e.XMLName.Local = "DeleteMarker"
		} else {
			e.ETag, e.Size, e.StorageClass = quoteETag(v.ETag), &v.Size, "STANDARD"
			if h := checksumHeaders[v.Checksum.Algorithm]; h != "" && len(v.Checksum.Value) > 0 {
				e.ChecksumAlgorithm = strings.ToUpper(strings.TrimPrefix(h, checksumPrefix))
				e.ChecksumType = modeName(v.Checksum.Composite)
			}
		}
		res.Entries = append(res.Entries, e)
	}
	for _, cp := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{p.encode(cp)})
	}
	res.IsTruncated = page.IsTruncated
	res.NextKeyMarker, res.NextVersionIDMarker = p.encode(page.NextKeyMarker), page.NextVersionIDMarker
	return writeXML(rc, http.StatusOK, res)
}
