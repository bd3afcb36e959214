package s3api

import (
	"net/http"
	"strings"
)

// The canned ACLs accepted on writes: the ones that say what sealgate does
// anyway (the owner, and only the owner, has full control). Backup tools
// send them by default. Any other canned ACL, and every grant header, asks
// for sharing sealgate does not implement: 501 before anything is written.
var acceptedACLs = map[string]bool{"": true, "private": true, "bucket-owner-full-control": true}

// cannedACLs are S3's canned ACL names; any other value is not an ACL.
var cannedACLs = map[string]bool{"public-read": true, "public-read-write": true, "authenticated-read": true,
	"aws-exec-read": true, "bucket-owner-read": true, "log-delivery-write": true}

// checkACL refuses a request whose ACL headers ask for more than private:
// InvalidArgument for a value that is no canned ACL, 501 for one sealgate
// does not implement.
func checkACL(r *http.Request) error {
	acl := r.Header.Get("X-Amz-Acl")
	if !acceptedACLs[acl] && !cannedACLs[acl] {
		return errCode("InvalidArgument")
	}
	if !acceptedACLs[acl] {
		return errMsg("NotImplemented", "sealgate does not implement ACLs: the canned ACL %q is not supported (private and bucket-owner-full-control are)", acl)
	}
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-grant-") {
			return errMsg("NotImplemented", "sealgate does not implement ACLs: grant headers are not supported")
		}
	}
	return nil
}

// unbuiltHeaders are request headers that ask for a feature sealgate does
// not have yet (issue 10): refused with 501 before anything is written, so
// that no client believes an object locked or tagged that is not.
var unbuiltHeaders = []struct{ header, feature string }{
	{"X-Amz-Object-Lock-Mode", "Object Lock"},
	{"X-Amz-Object-Lock-Retain-Until-Date", "Object Lock"},
	{"X-Amz-Object-Lock-Legal-Hold", "Object Lock"},
	{"X-Amz-Tagging", "object tagging"},
	{"X-Amz-Website-Redirect-Location", "website redirects"},
}

// checkUnbuilt refuses a request that asks for a feature not built yet.
func checkUnbuilt(r *http.Request) error {
	for _, u := range unbuiltHeaders {
		if r.Header.Get(u.header) != "" {
			return errMsg("NotImplemented", "sealgate does not implement %s yet (%s)", u.feature, u.header)
		}
	}
	if strings.EqualFold(r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		return errMsg("NotImplemented", "sealgate does not implement Object Lock yet (x-amz-bucket-object-lock-enabled)")
	}
	return nil
}

// checkExpectedOwner answers AccessDenied when x-amz-expected-bucket-owner
// (or, for a copy's source, x-amz-source-expected-bucket-owner) names
// another owner than the requesting user: every bucket a user can name is
// their own. The user's owner ID (as ListBuckets and ACLs show it) and
// their access key ID are accepted as names of the owner.
func checkExpectedOwner(rc *reqCtx) error {
	own := ownerOf(rc.user.Name).ID
	for _, h := range []string{"X-Amz-Expected-Bucket-Owner", "X-Amz-Source-Expected-Bucket-Owner"} {
		if v := rc.r.Header.Get(h); v != "" && v != own && v != rc.auth.AccessKeyID {
			return errCode("AccessDenied")
		}
	}
	return nil
}
