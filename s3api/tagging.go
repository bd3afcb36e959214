package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sealgate/sealgate/gateway"
)

// Tagging: ?tagging on buckets and objects, the x-amz-tagging header of
// writes, x-amz-tagging-directive of copies and x-amz-tagging-count of
// reads. The gateway keeps the tags sealed (gateway/tags.go).

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// tagSet turns an XML tag set of at most limit tags into Tags, with
// AWS's errors for a repeated key, too many tags, or a key or value too
// long.
func (t tagging) tagSet(limit int) (gateway.Tags, error) {
	if len(t.TagSet) > limit {
		if limit == gateway.MaxBucketTags {
			return nil, errMsg("BadRequest", "Bucket tag count cannot be greater than 50")
		}
		return nil, errMsg("BadRequest", "Object tags cannot be greater than 10")
	}
	out := gateway.Tags{}
	for _, e := range t.TagSet {
		if _, dup := out[e.Key]; dup {
			return nil, errMsg("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		if e.Key == "" || utf8.RuneCountInString(e.Key) > 128 || !tagChars(e.Key) {
			return nil, errInvalidTagKey()
		}
		if utf8.RuneCountInString(e.Value) > 256 || !tagChars(e.Value) {
			return nil, errInvalidTagValue()
		}
		out[e.Key] = e.Value
	}
	return out, nil
}

func errInvalidTagKey() *apiError {
	return errMsg("InvalidTag", "The TagKey you have provided is invalid")
}

func errInvalidTagValue() *apiError {
	return errMsg("InvalidTag", "The TagValue you have provided is invalid")
}

// tagChars reports whether s has only the characters AWS allows in a tag
// key or value: letters, digits, spaces and + - = . _ : / @.
func tagChars(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune("+-=._:/@", r) {
			return false
		}
	}
	return true
}

func taggingOf(t gateway.Tags) tagging {
	out := tagging{Xmlns: s3ns, TagSet: []tag{}}
	for k, v := range t {
		out.TagSet = append(out.TagSet, tag{k, v})
	}
	return out
}

// tagsFromHeader reads x-amz-tagging (URL query form); nil if absent.
func tagsFromHeader(h http.Header) (gateway.Tags, error) {
	raw, ok := h["X-Amz-Tagging"]
	if !ok {
		return nil, nil
	}
	v, err := url.ParseQuery(raw[0])
	if err != nil {
		return nil, errMsg("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	t := gateway.Tags{}
	for k, vals := range v {
		if len(vals) > 1 {
			return nil, errMsg("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		t[k] = vals[0]
	}
	for k, v := range t {
		if !tagChars(k) {
			return nil, errInvalidTagKey()
		}
		if !tagChars(v) {
			return nil, errInvalidTagValue()
		}
	}
	if err := gateway.CheckTags(t, gateway.MaxObjectTags); err != nil {
		return nil, errMsg("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	return t, nil
}

// objectTagging serves GET, PUT and DELETE /bucket/key?tagging.
func (s *server) objectTagging(rc *reqCtx) error {
	vid, err := versionParam(rc.r.URL.Query())
	if err != nil {
		return err
	}
	ctx, ns := rc.r.Context(), rc.user.NS
	var got string
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetObjectTagging"
		t, v, err := ns.GetObjectTagging(ctx, rc.bucket, rc.key, vid)
		if err != nil {
			return err
		}
		setVersionID(rc.w.Header(), v)
		return writeXML(rc, http.StatusOK, taggingOf(t))
	case http.MethodPut:
		rc.op = "PutObjectTagging"
		var in tagging
		if err := readXML(rc, &in); err != nil {
			return err
		}
		t, err := in.tagSet(gateway.MaxObjectTags)
		if err != nil {
			return err
		}
		if got, err = ns.PutObjectTagging(ctx, rc.bucket, rc.key, vid, t); err != nil {
			return err
		}
		setVersionID(rc.w.Header(), got)
		rc.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodDelete:
		rc.op = "DeleteObjectTagging"
		if got, err = ns.DeleteObjectTagging(ctx, rc.bucket, rc.key, vid); err != nil {
			return err
		}
		setVersionID(rc.w.Header(), got)
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errCode("MethodNotAllowed")
}

// bucketTagging serves GET, PUT and DELETE /bucket?tagging.
func (s *server) bucketTagging(rc *reqCtx) error {
	ctx, ns := rc.r.Context(), rc.user.NS
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetBucketTagging"
		t, err := ns.GetBucketTagging(ctx, rc.bucket)
		if err != nil {
			return err
		}
		return writeXML(rc, http.StatusOK, taggingOf(t))
	case http.MethodPut:
		rc.op = "PutBucketTagging"
		var in tagging
		if err := readXML(rc, &in); err != nil {
			return err
		}
		t, err := in.tagSet(gateway.MaxBucketTags)
		if err != nil {
			return err
		}
		if err := ns.PutBucketTagging(ctx, rc.bucket, t); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent) // as AWS
		return nil
	case http.MethodDelete:
		rc.op = "DeleteBucketTagging"
		if err := ns.PutBucketTagging(ctx, rc.bucket, gateway.Tags{}); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errCode("MethodNotAllowed")
}

// setTagCount adds x-amz-tagging-count to a GET or HEAD answer.
func setTagCount(h http.Header, info gateway.ObjectInfo) {
	if info.TagCount > 0 {
		h.Set("x-amz-tagging-count", strconv.Itoa(info.TagCount))
	}
}
