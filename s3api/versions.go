package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
)

type versionEntry struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        owner  `xml:"Owner"`
	StorageClass string `xml:"StorageClass"`
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
	Versions            []versionEntry `xml:"Version"`
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

// listVersions serves ListObjectVersions on an unversioned bucket: every
// current object is its only version, "null", and the latest.
func (s *server) listVersions(rc *reqCtx, q url.Values) error {
	p, err := parseListParams(q, "max-keys")
	if err != nil {
		return err
	}
	marker := q.Get("key-marker")
	page, err := rc.listPage(p, marker, "")
	if err != nil {
		return err
	}
	res := &versionsResult{Xmlns: s3ns, Name: rc.bucket, Prefix: p.encode(p.prefix), KeyMarker: p.encode(marker),
		VersionIDMarker: q.Get("version-id-marker"), MaxKeys: p.maxKeys, Delimiter: p.encode(p.delimiter),
		IsTruncated: page.IsTruncated}
	if p.encode(" ") != " " {
		res.EncodingType = "url"
	}
	o := ownerOf(rc.user.Name)
	for _, obj := range page.Objects {
		res.Versions = append(res.Versions, versionEntry{Key: p.encode(obj.Key), VersionID: "null", IsLatest: true,
			LastModified: xmlTime(obj.LastModified), ETag: quoteETag(obj.ETag), Size: obj.Size, Owner: o, StorageClass: "STANDARD"})
	}
	for _, cp := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{p.encode(cp)})
	}
	if page.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = p.encode(page.NextMarker), "null"
	}
	return writeXML(rc, http.StatusOK, res)
}

type bucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
	} `xml:"Buckets>Bucket"`
}

// listBuckets answers ListBuckets, with the user as the owner.
func (s *server) listBuckets(rc *reqCtx) error {
	bs, err := rc.user.NS.ListBuckets(rc.r.Context())
	if err != nil {
		return err
	}
	res := bucketsResult{Xmlns: s3ns, Owner: ownerOf(rc.user.Name)}
	for _, b := range bs {
		res.Buckets = append(res.Buckets, struct {
			Name         string `xml:"Name"`
			CreationDate string `xml:"CreationDate"`
		}{b.Name, xmlTime(b.Created)})
	}
	return writeXML(rc, http.StatusOK, res)
}
