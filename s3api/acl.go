package s3api

import (
	"net/http"
	"strings"
	"time"
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

// checkUnbuilt refuses a request that asks for a feature not built yet
// (issue 10), before anything is written, so that no client believes an
// object tagged or locked that is not. No bucket can have Object Lock yet,
// so object lock headers get AWS's answers for a bucket without it: the
// headers' own errors first, then InvalidRequest.
func checkUnbuilt(r *http.Request, now time.Time) error {
	h := r.Header
	_, err := lockFromHeader(h, now) // the write's handler reads them again
	return err
}

// checkExpectedOwner answers AccessDenied when x-amz-expected-bucket-owner
// (or, for a copy's source, x-amz-source-expected-bucket-owner) names
// another owner than the requesting user: every bucket a user can name is
// their own. The user's owner ID (as ListBuckets and ACLs show it) and
// their access key ID are accepted as names of the owner.
func checkExpectedOwner(rc *reqCtx) error {
	for _, h := range []string{"X-Amz-Expected-Bucket-Owner", "X-Amz-Source-Expected-Bucket-Owner"} {
		v := rc.r.Header.Get(h)
		if v != "" && v != rc.auth.AccessKeyID && v != ownerOf(rc.user.Name).ID {
			return errCode("AccessDenied")
		}
	}
	return nil
}
