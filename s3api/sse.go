package s3api

import (
	"encoding/xml"
	"net/http"
	"strings"
)

// Server-side encryption, answered truthfully: the gateway encrypts every
// object (AES-256-GCM or ChaCha20-Poly1305 under the user's keys, before it
// leaves), which is what SSE-S3 promises, so "AES256" is accepted on
// requests and stated on the answers of the operations AWS states it on.
// SSE-KMS has no key service behind it, and SSE-C (a customer key the
// object cannot be read without) is not built yet: both are refused with
// 501 before anything is written, never silently ignored.

// sseAES256 is the only server-side encryption value sealgate states.
const sseAES256 = "AES256"

// sseHeaderOps are the operations whose answers carry
// x-amz-server-side-encryption, as AWS's do.
var sseHeaderOps = map[string]bool{
	"PutObject": true, "GetObject": true, "HeadObject": true, "CopyObject": true,
	"CreateMultipartUpload": true, "UploadPart": true, "UploadPartCopy": true,
	"CompleteMultipartUpload": true,
}

// errSSEKMS and errSSEC name what is supported instead.
func errSSEKMS() error {
	return errMsg("NotImplemented", "SSE-KMS is not supported: every object is encrypted by the gateway; request AES256 (SSE-S3) or nothing")
}

func errSSEC() error {
	return errMsg("NotImplemented", "SSE-C (customer-provided keys) is not supported yet: every object is encrypted by the gateway; request AES256 (SSE-S3) or nothing")
}

// checkSSE refuses a request whose encryption headers ask for what the
// gateway does not do.
func checkSSE(r *http.Request) error {
	h := r.Header
	for name := range h {
		l := strings.ToLower(name)
		switch {
		case strings.HasPrefix(l, "x-amz-server-side-encryption-customer-"),
			strings.HasPrefix(l, "x-amz-copy-source-server-side-encryption-customer-"):
			return errSSEC()
		case strings.HasPrefix(l, "x-amz-server-side-encryption-aws-kms-"),
			strings.HasPrefix(l, "x-amz-server-side-encryption-context"),
			l == "x-amz-server-side-encryption-bucket-key-enabled" && strings.EqualFold(h.Get(name), "true"):
			return errSSEKMS()
		}
	}
	switch v := h.Get("X-Amz-Server-Side-Encryption"); v {
	case "", sseAES256:
	case "aws:kms", "aws:kms:dsse":
		return errSSEKMS()
	default:
		return errMsg("InvalidArgument", "The encryption method specified is not supported")
	}
	return nil
}

// markSSE states AES256 on a successful answer of an object write or read.
func markSSE(h http.Header, op string, status int) {
	if status < 300 && sseHeaderOps[op] {
		h.Set("X-Amz-Server-Side-Encryption", sseAES256)
	}
}

// encryptionConfiguration is PutBucketEncryption's body.
type encryptionConfiguration struct {
	XMLName xml.Name `xml:"ServerSideEncryptionConfiguration"`
	Rules   []struct {
		Default *struct {
			Algorithm string `xml:"SSEAlgorithm"`
			KMSKey    string `xml:"KMSMasterKeyID"`
		} `xml:"ApplyServerSideEncryptionByDefault"`
	} `xml:"Rule"`
}

// bucketEncryption serves PUT and DELETE ?encryption. Every bucket is
// encrypted with AES256 and nothing else can be chosen, so a configuration
// of AES256 is accepted (and GetBucketEncryption keeps answering it), a
// DELETE leaves that default, and SSE-KMS is refused. Nothing is stored.
func (s *server) bucketEncryption(rc *reqCtx) error {
	rc.op = map[string]string{http.MethodPut: "PutBucketEncryption", http.MethodDelete: "DeleteBucketEncryption"}[rc.r.Method]
	if rc.op == "" || rc.key != "" {
		return errCode("MethodNotAllowed")
	}
	if _, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	if rc.r.Method == http.MethodDelete {
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	body, err := readVerifiedBody(rc)
	if err != nil {
		return err
	}
	var cfg encryptionConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil || len(cfg.Rules) != 1 || cfg.Rules[0].Default == nil {
		return errCode("MalformedXML")
	}
	switch d := cfg.Rules[0].Default; {
	case d.Algorithm == "aws:kms" || d.Algorithm == "aws:kms:dsse":
		return errSSEKMS()
	case d.Algorithm != sseAES256 || d.KMSKey != "":
		return errCode("MalformedXML")
	}
	rc.w.WriteHeader(http.StatusOK)
	return nil
}
