package s3api

import (
	"crypto/md5" //nolint:gosec // S3 names a customer key by its MD5
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"strings"
)

// Server-side encryption, answered truthfully: the gateway encrypts every
// object (AES-256-GCM or ChaCha20-Poly1305 under the user's keys, before it
// leaves), which is what SSE-S3 promises, so "AES256" is accepted on
// requests and stated on the answers of the operations AWS states it on.
// SSE-C (x-amz-server-side-encryption-customer-*, sseC below) mixes the
// customer's key into the object's content key: the object cannot be read
// without it (gateway/customerkey.go). SSE-KMS has no key service behind
// it: refused with 501 before anything is written, never silently ignored.

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

// checkSSE refuses a request whose encryption headers ask for what the
// gateway does not do.
func checkSSE(r *http.Request) error {
	h := r.Header
	for name := range h {
		l := strings.ToLower(name)
		switch {
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
	for _, prefix := range []string{sseCPrefix, copySourceSSECPrefix} {
		if _, err := sseC(h, prefix); err != nil {
			return err
		}
	}
	if h.Get("X-Amz-Server-Side-Encryption") != "" && h.Get(sseCPrefix+"Algorithm") != "" {
		return errMsg("InvalidArgument", "Server Side Encryption with Customer provided key is incompatible with the encryption method specified")
	}
	return nil
}

// markSSE states the encryption on a successful answer of an object write
// or read: AES256, unless the request used a customer key (sseCHeaders
// states that one instead, as AWS does).
func markSSE(h http.Header, op string, status int, customer bool) {
	if status < 300 && sseHeaderOps[op] && !customer {
		h.Set("X-Amz-Server-Side-Encryption", sseAES256)
	}
}

// The SSE-C header prefixes: of the object written or read, and of a
// copy's source.
const (
	sseCPrefix           = "X-Amz-Server-Side-Encryption-Customer-"
	copySourceSSECPrefix = "X-Amz-Copy-Source-Server-Side-Encryption-Customer-"
)

// sseC reads the customer key of the SSE-C headers under prefix, checked
// as AWS checks them; nil if there are none.
func sseC(h http.Header, prefix string) (*[32]byte, error) {
	alg, key, sum := h.Get(prefix+"Algorithm"), h.Get(prefix+"Key"), h.Get(prefix+"Key-Md5")
	if alg == "" && key == "" && sum == "" {
		return nil, nil
	}
	const must = "Requests specifying Server Side Encryption with Customer provided keys must provide "
	switch {
	case alg != sseAES256:
		return nil, errMsg("InvalidArgument", must+"a valid encryption algorithm.")
	case key == "":
		return nil, errMsg("InvalidArgument", must+"an appropriate secret key.")
	case sum == "":
		return nil, errMsg("InvalidArgument", must+"the client calculated MD5 of the secret key.")
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(raw) != 32 {
		return nil, errMsg("InvalidArgument", "The secret key was invalid for the specified algorithm.")
	}
	got := md5.Sum(raw) //nolint:gosec // S3 names a customer key by its MD5
	if base64.StdEncoding.EncodeToString(got[:]) != sum {
		return nil, errMsg("InvalidArgument", "The calculated MD5 hash of the key did not match the hash that was provided.")
	}
	k := [32]byte(raw)
	return &k, nil
}

// sseCHeaders states the customer key of an SSE-C object on an answer.
func sseCHeaders(h http.Header, keyMD5 string) {
	if keyMD5 != "" {
		h.Set(sseCPrefix+"Algorithm", sseAES256)
		h.Set(sseCPrefix+"Key-Md5", keyMD5)
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
