package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
	// ChecksumAlgorithm and ChecksumType name the stored checksum, if any.
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listResult is ListObjects v1 and v2 in one struct (each omits the
// other's elements).
type listResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	MaxKeys               int            `xml:"MaxKeys"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// listParams are the query parameters common to the listings.
type listParams struct {
	prefix, delimiter string
	maxKeys           int
	encode            func(string) string
}

func parseListParams(q url.Values, maxName string) (listParams, error) {
	p := listParams{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: 1000, encode: identity}
	if v, ok := q[maxName]; ok {
		// AWS's two answers (an int32 below 0, not an int32), both
		// naming the argument as maxKeys.
		n, err := strconv.ParseInt(v[0], 10, 32)
		switch {
		case err != nil:
			return p, errArg("maxKeys", v[0], "Provided max-keys not an integer or within integer range")
		case n < 0:
			return p, errArg("maxKeys", v[0], "Argument maxKeys must be an integer between 0 and 2147483647")
		}
		p.maxKeys = min(int(n), 1000)
	}
	switch q.Get("encoding-type") {
	case "":
	case "url":
		p.encode = s3URLEncode
	default:
		return p, errMsg("InvalidArgument", "Invalid Encoding Method specified in Request")
	}
	return p, nil
}

func identity(s string) string { return s }

// s3URLEncode encodes as S3 does for encoding-type=url: form encoding
// (space as '+', '+' as %2B, UTF-8 as %XX) with '/' kept.
func s3URLEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

// listObjects serves ListObjects v1 and v2.
func (s *server) listObjects(rc *reqCtx, q url.Values, v2 bool) error {
	p, err := parseListParams(q, "max-keys")
	if err != nil {
		return err
	}
	marker, snapshot, res := q.Get("marker"), "", &listResult{Xmlns: s3ns, Name: rc.bucket, MaxKeys: p.maxKeys}
	if v2 {
		if marker, snapshot, err = v2Marker(q, res); err != nil {
			return err
		}
	}
	page, err := rc.listPage(p, marker, snapshot)
	if err != nil {
		return err
	}
	res.Prefix, res.Delimiter, res.IsTruncated = p.encode(p.prefix), p.encode(p.delimiter), page.IsTruncated
	if p.encode(" ") != " " {
		res.EncodingType = "url"
	}
	var o *owner
	if !v2 || q.Get("fetch-owner") == "true" {
		ow := ownerOf(rc.user.Name)
		o = &ow
	}
	for _, obj := range page.Objects {
		e := listEntry{Key: p.encode(obj.Key), LastModified: xmlTime(obj.LastModified),
			ETag: quoteETag(obj.ETag), Size: obj.Size, Owner: o, StorageClass: "STANDARD"}
		if len(obj.Checksum.Value) > 0 && algName(obj.Checksum.Algorithm) != "" {
			e.ChecksumAlgorithm, e.ChecksumType = algName(obj.Checksum.Algorithm), modeName(obj.Checksum.Composite)
		}
		res.Contents = append(res.Contents, e)
	}
	for _, cp := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{p.encode(cp)})
	}
	if v2 {
		n := len(res.Contents) + len(res.CommonPrefixes)
		res.KeyCount = &n
		res.StartAfter = p.encode(res.StartAfter)
		if page.IsTruncated {
			res.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.Snapshot + "\x00" + page.NextMarker))
		}
	} else {
		m := p.encode(marker)
		res.Marker = &m
		if page.IsTruncated {
			res.NextMarker = p.encode(page.NextMarker)
		}
	}
	return writeXML(rc, http.StatusOK, res)
}

// v2Marker returns the listing marker of a v2 request and the gateway's
// listing snapshot: the continuation token (base64 of snapshot, NUL,
// marker; or of the marker alone, as tokens were before snapshots) or else
// start-after, which starts a fresh listing.
func v2Marker(q url.Values, res *listResult) (marker, snapshot string, err error) {
	res.StartAfter = q.Get("start-after")
	tok, ok := q["continuation-token"]
	if !ok {
		return res.StartAfter, "", nil
	}
	m, err := base64.RawURLEncoding.DecodeString(tok[0])
	if err != nil || tok[0] == "" {
		return "", "", errMsg("InvalidArgument", "The continuation token provided is incorrect")
	}
	res.ContinuationToken = tok[0]
	if snap, marker, ok := strings.Cut(string(m), "\x00"); ok {
		return marker, snap, nil
	}
	return string(m), "", nil
}

// listPage asks the gateway for one page; max-keys=0 answers an empty page.
func (rc *reqCtx) listPage(p listParams, marker, snapshot string) (gateway.ListResult, error) {
	if p.maxKeys == 0 {
		_, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket)
		return gateway.ListResult{}, err
	}
	return rc.user.NS.ListObjects(rc.r.Context(), rc.bucket, gateway.ListQuery{
		Prefix: p.prefix, Delimiter: p.delimiter, Marker: marker, MaxKeys: p.maxKeys, Snapshot: snapshot,
	})
}
