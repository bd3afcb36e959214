package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// Object ownership. sealgate implements no ACLs: the bucket's owner owns
// every object in it, which is S3's BucketOwnerEnforced (ACLs disabled),
// AWS's setting for every new bucket since April 2023. So every bucket
// answers GetBucketOwnershipControls with it; setting it again (by
// PutBucketOwnershipControls or CreateBucket's x-amz-object-ownership) is
// accepted, and the settings that would enable ACLs (ObjectWriter,
// BucketOwnerPreferred), or removing the setting (which does too), are
// 501 before anything is written.
const ownerEnforced = "BucketOwnerEnforced"

// objectOwnerships are S3's values of ObjectOwnership.
var objectOwnerships = map[string]bool{ownerEnforced: true, "BucketOwnerPreferred": true, "ObjectWriter": true}

func errOwnershipNotImplemented() error {
	return errMsg("NotImplemented", "sealgate does not implement ACLs: every bucket's object ownership is BucketOwnerEnforced")
}

// checkCreateOwnership checks CreateBucket's x-amz-object-ownership before
// its ACL headers: a value that is none is InvalidArgument; with
// BucketOwnerEnforced, any ACL but private is AWS's
// InvalidBucketAclWithObjectOwnership.
func checkCreateOwnership(r *http.Request) error {
	v := r.Header.Get("X-Amz-Object-Ownership")
	switch {
	case v == "":
		return nil
	case !objectOwnerships[v]:
		return errArg("x-amz-object-ownership", "", "Invalid x-amz-object-ownership header: %s", v)
	case v != ownerEnforced:
		return errOwnershipNotImplemented()
	}
	acl := false
	for name, vals := range r.Header {
		l := strings.ToLower(name)
		acl = acl || strings.HasPrefix(l, "x-amz-grant-") || l == "x-amz-acl" && len(vals) > 0 && vals[0] != "private"
	}
	if acl {
		return errMsg("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
	}
	return nil
}

// ownershipControls is the body of Get/PutBucketOwnershipControls.
type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

// ownershipControlsOp serves GET, PUT and DELETE /bucket?ownershipControls.
func (s *server) ownershipControlsOp(rc *reqCtx) error {
	rc.op = map[string]string{http.MethodGet: "GetBucketOwnershipControls", http.MethodPut: "PutBucketOwnershipControls",
		http.MethodDelete: "DeleteBucketOwnershipControls"}[rc.r.Method]
	if rc.op == "" {
		return errCode("MethodNotAllowed")
	}
	if _, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	switch rc.r.Method {
	case http.MethodGet:
		out := ownershipControls{Xmlns: s3ns}
		out.Rules = append(out.Rules, struct {
			ObjectOwnership string `xml:"ObjectOwnership"`
		}{ownerEnforced})
		return writeXML(rc, http.StatusOK, out)
	case http.MethodDelete:
		return errOwnershipNotImplemented()
	}
	body, err := readVerifiedBody(rc)
	if err != nil {
		return err
	}
	var in ownershipControls
	if err := xml.Unmarshal(body, &in); err != nil || len(in.Rules) != 1 || !objectOwnerships[in.Rules[0].ObjectOwnership] {
		return errCode("MalformedXML")
	}
	if in.Rules[0].ObjectOwnership != ownerEnforced {
		return errOwnershipNotImplemented()
	}
	rc.w.WriteHeader(http.StatusOK)
	return nil
}
