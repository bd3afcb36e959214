package s3api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/sealgate/sealgate/gateway"
)

const s3ns = "http://s3.amazonaws.com/doc/2006-03-01/"

// owner is the S3 owner element of the requesting user.
type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

func ownerOf(name string) owner {
	sum := sha256.Sum256([]byte("sealgate-owner:" + name))
	return owner{ID: hex.EncodeToString(sum[:]), DisplayName: name}
}

type grantee struct {
	XMLNSXSI string `xml:"xmlns:xsi,attr"`
	Type     string `xml:"xsi:type,attr"`
	ID       string `xml:"ID"`
	Name     string `xml:"DisplayName"`
}

type accessControlPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   owner    `xml:"Owner"`
	Grants  []struct {
		Grantee    grantee `xml:"Grantee"`
		Permission string  `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// canned are the fixed bodies of read-only probes, by subresource. The
// bucket (and object) must exist; the handler checks that first.
var cannedBodies = map[string]string{
	"versioning":     `<VersioningConfiguration xmlns="` + s3ns + `"/>`,
	"logging":        `<BucketLoggingStatus xmlns="` + s3ns + `"/>`,
	"notification":   `<NotificationConfiguration xmlns="` + s3ns + `"/>`,
	"accelerate":     `<AccelerateConfiguration xmlns="` + s3ns + `"/>`,
	"requestPayment": `<RequestPaymentConfiguration xmlns="` + s3ns + `"><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`,
	"policyStatus":   `<PolicyStatus xmlns="` + s3ns + `"><IsPublic>false</IsPublic></PolicyStatus>`,
	"encryption":     `<ServerSideEncryptionConfiguration xmlns="` + s3ns + `"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
}

// cannedErrors are the "not configured" answers.
var cannedErrors = map[string]string{
	"policy":            "NoSuchBucketPolicy",
	"website":           "NoSuchWebsiteConfiguration",
	"replication":       "ReplicationConfigurationNotFoundError",
	"publicAccessBlock": "NoSuchPublicAccessBlockConfiguration",
}

// objectReadable are the subresources with canned answers on objects.
var objectReadable = map[string]bool{"acl": true}

// subresource answers a request naming an unsupported subresource: writes
// get 501 before any backend call, reads a canned answer.
func (s *server) subresource(rc *reqCtx, sub string) error {
	rc.op = "Subresource:" + sub
	m := rc.r.Method
	if m != http.MethodGet && m != http.MethodHead {
		return errCode("NotImplemented") // AWS's message: clients show it
	}
	if rc.bucket == "" || (rc.key != "" && !objectReadable[sub]) {
		return errCode("NotImplemented")
	}
	if err := s.mustExist(rc); err != nil {
		return err
	}
	if rc.key != "" && (sub == "retention" || sub == "legal-hold") {
		return errMsg("InvalidRequest", "Bucket is missing Object Lock Configuration")
	}
	switch sub {
	case "acl":
		return writeXML(rc, http.StatusOK, aclOf(rc.user.Name))
	case "location":
		return writeXML(rc, http.StatusOK, locationOf(s.region))
	}
	if code, ok := cannedErrors[sub]; ok {
		return errCode(code)
	}
	if body, ok := cannedBodies[sub]; ok {
		return writeRawXML(rc, http.StatusOK, []byte(body))
	}
	return errCode("NotImplemented")
}

// mustExist checks the bucket, and the object if one is named.
func (s *server) mustExist(rc *reqCtx) error {
	ctx := rc.r.Context()
	if rc.key == "" {
		_, err := rc.user.NS.HeadBucket(ctx, rc.bucket)
		return err
	}
	_, err := rc.user.NS.HeadObject(ctx, rc.bucket, rc.key, gateway.GetOptions{})
	return err
}

func aclOf(user string) *accessControlPolicy {
	o := ownerOf(user)
	p := &accessControlPolicy{Xmlns: s3ns, Owner: o}
	p.Grants = append(p.Grants, struct {
		Grantee    grantee `xml:"Grantee"`
		Permission string  `xml:"Permission"`
	}{grantee{"http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser", o.ID, o.DisplayName}, "FULL_CONTROL"})
	return p
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func locationOf(region string) locationConstraint {
	if region == "us-east-1" {
		region = ""
	}
	return locationConstraint{Xmlns: s3ns, Region: region}
}

// writeXML writes v as a complete XML response with Content-Length.
func writeXML(rc *reqCtx, status int, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	return writeRawXML(rc, status, body)
}

func writeRawXML(rc *reqCtx, status int, body []byte) error {
	body = append([]byte(xml.Header), body...)
	h := rc.w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	rc.w.WriteHeader(status)
	_, _ = rc.w.Write(body)
	return nil
}
