package s3api

import (
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// ListBuckets: the user's buckets, as AWS pages them (max-buckets 1 to
// 10000, an opaque continuation-token, prefix); one page without them.

type bucketsResult struct {
	XMLName xml.Name `xml:"ListAllMyBucketsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Buckets []struct {
		Name         string `xml:"Name"`
		CreationDate string `xml:"CreationDate"`
		BucketRegion string `xml:"BucketRegion,omitempty"`
	} `xml:"Buckets>Bucket"`
	ContinuationToken string `xml:"ContinuationToken,omitempty"`
	Prefix            string `xml:"Prefix,omitempty"`
}

// bucketPage is ListBuckets' query: the page size (0: all), the name to
// start after, the prefix.
type bucketPage struct {
	max    int
	after  string
	prefix string
}

func parseBucketPage(q url.Values) (bucketPage, error) {
	p := bucketPage{prefix: q.Get("prefix")}
	if v, ok := q["max-buckets"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > 10000 {
			return p, errArg("max-buckets", v[0], "Argument max-buckets must be an integer between 1 and 10000.")
		}
		p.max = n
	}
	if tok := q.Get("continuation-token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return p, errArg("continuation-token", tok, "The continuation token provided is incorrect")
		}
		p.after = string(b)
	}
	return p, nil
}

// listBuckets answers ListBuckets, with the user as the owner.
func (s *server) listBuckets(rc *reqCtx) error {
	p, err := parseBucketPage(rc.r.URL.Query())
	if err != nil {
		return err
	}
	bs, err := rc.user.NS.ListBuckets(rc.r.Context())
	if err != nil {
		return err
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
	res := bucketsResult{Xmlns: s3ns, Owner: ownerOf(rc.user.Name), Prefix: p.prefix}
	for _, b := range bs {
		if b.Name <= p.after || !strings.HasPrefix(b.Name, p.prefix) {
			continue
		}
		if p.max > 0 && len(res.Buckets) == p.max {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(res.Buckets[p.max-1].Name))
			break
		}
		res.Buckets = append(res.Buckets, struct {
			Name         string `xml:"Name"`
			CreationDate string `xml:"CreationDate"`
			BucketRegion string `xml:"BucketRegion,omitempty"`
		}{b.Name, xmlTime(b.Created), s.region})
	}
	return writeXML(rc, http.StatusOK, res)
}
