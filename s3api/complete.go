package s3api

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Completing a multipart upload re-seals the whole object (see
// gateway.Namespace.CompleteMultipartUpload): seconds per GiB on a local
// disk, longer over an S3 upstream. botocore gives up on a response after
// 60 s of silence, and serve cuts a request that moves no byte for
// limits.idle_timeout. So, as S3 does, a Complete that is still running
// after a moment is answered 200 at once, with the XML declaration, then a
// space every keepAlive, then the result document; an error found after
// the 200 is an Error document in the 200's body, which the SDKs (botocore,
// aws-sdk-go-v2, minio-go) check for.

// defaultKeepAlive is the interval of the spaces; the 200 goes out after a
// fifth of it.
const defaultKeepAlive = 10 * time.Second

// completeRequest is the CompleteMultipartUpload body.
type completeRequest struct {
	XMLName xml.Name `xml:"CompleteMultipartUpload"`
	Parts   []struct {
		PartNumber *int    `xml:"PartNumber"` // nil: missing
		ETag       *string `xml:"ETag"`
		checksumFields
	} `xml:"Part"`
}

// completeResult is its answer.
type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// completeUpload answers CompleteMultipartUpload (see above).
func (s *server) completeUpload(rc *reqCtx, q url.Values) error {
	opts, err := completeOptions(rc.r.Header)
	if err != nil {
		return err
	}
	parts, err := readCompleteRequest(rc)
	if err != nil {
		return err
	}
	type outcome struct {
		info gateway.ObjectInfo
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		// net/http recovers panics of the handler's goroutine only.
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("s3api: complete panicked: %v\n%s", p, debug.Stack())}
			}
		}()
		info, err := rc.user.NS.CompleteMultipartUpload(rc.r.Context(), rc.bucket, rc.key, q.Get("uploadId"), parts, opts)
		done <- outcome{info, err}
	}()
	wait := time.NewTimer(s.keepAlive / 5)
	defer wait.Stop()
	select {
	case o := <-done: // quick: an ordinary answer, errors with their status
		if o.err != nil {
			return o.err
		}
		setVersionID(rc.w.Header(), o.info.VersionID)
		sseCHeaders(rc.w.Header(), o.info.CustomerKeyMD5)
		return writeXML(rc, http.StatusOK, s.completeResult(rc, o.info))
	case <-wait.C:
	}
	rc.w.Header().Set("Content-Type", "application/xml")
	rc.w.WriteHeader(http.StatusOK)
	rc.keepAlive(xml.Header)
	tick := time.NewTicker(s.keepAlive)
	defer tick.Stop()
	for {
		select {
		case o := <-done:
			doc := any(s.completeResult(rc, o.info))
			if o.err != nil {
				doc = rc.lateError(o.err)
			}
			body, _ := xml.Marshal(doc)
			if _, err := rc.w.Write(body); err != nil {
				return errClientGone
			}
			return nil
		case <-tick.C:
			rc.keepAlive(" ")
		}
	}
}

// keepAlive writes and flushes s. A write to a client gone fails
// unnoticed: the Complete runs to its end regardless (the gateway does not
// stop it), and the final write reports the client gone.
func (rc *reqCtx) keepAlive(s string) {
	_, _ = io.WriteString(rc.w, s)
	_ = http.NewResponseController(rc.w).Flush()
}

// lateError renders an error found after the 200 went out, and records it
// for the access log and metrics (with the status it would have had).
func (rc *reqCtx) lateError(err error) *apiError {
	e := rc.apiError(err, rc.r)
	rc.code, rc.lateStatus = e.Code, e.status
	switch {
	case rc.clientGone(err):
		rc.code, rc.lateStatus = "", statusClientClosed
	case e.status >= 500:
		rc.logErr(err)
	}
	return e
}

func (s *server) completeResult(rc *reqCtx, info gateway.ObjectInfo) completeResult {
	scheme := "http"
	if rc.r.TLS != nil {
		scheme = "https"
	}
	path := "/" + rc.bucket + "/" + rc.key
	if strings.HasPrefix(rc.r.Host, rc.bucket+".") { // virtual-host style
		path = "/" + rc.key
	}
	loc := url.URL{Scheme: scheme, Host: rc.r.Host, Path: path}
	res := completeResult{Xmlns: s3ns, Location: loc.String(), Bucket: rc.bucket, Key: rc.key, ETag: quoteETag(info.ETag)}
	if _, v := checksumHeader(info); v != "" {
		res.set(info.Checksum.Algorithm, v)
		res.ChecksumType = modeName(info.Checksum.Composite)
	}
	return res
}

// readCompleteRequest reads, verifies and parses the part list.
func readCompleteRequest(rc *reqCtx) ([]gateway.CompletedPart, error) {
	body, err := readVerifiedBody(rc)
	if err != nil {
		return nil, err
	}
	return parseCompleteRequest(body)
}

// parseCompleteRequest parses the part list as AWS checks it: a body that
// is not the schema's (no part, a part without PartNumber or ETag) is
// MalformedXML, a part number below 1 InvalidArgument.
func parseCompleteRequest(body []byte) ([]gateway.CompletedPart, error) {
	var req completeRequest
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&req); err != nil || len(req.Parts) == 0 {
		return nil, errCode("MalformedXML")
	}
	parts := make([]gateway.CompletedPart, len(req.Parts))
	for i, p := range req.Parts {
		if p.PartNumber == nil || p.ETag == nil {
			return nil, errCode("MalformedXML")
		}
		if *p.PartNumber < 1 {
			return nil, errArg("PartNumber", strconv.Itoa(*p.PartNumber), "PartNumber must be >= 1")
		}
		parts[i] = gateway.CompletedPart{Number: *p.PartNumber, ETag: unquoteETag(*p.ETag)}
		var err error
		if parts[i].Checksum, err = p.checksum(); err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// completeOptions reads the checksum type, the object's checksum and
// size a CompleteMultipartUpload expects, its conditions (If-Match,
// If-None-Match: *), and the upload's customer key (SSE-C), which the
// Complete needs: it re-seals the parts.
func completeOptions(h http.Header) (gateway.PutOptions, error) {
	var opts gateway.PutOptions
	if err := writeConditions(h, &opts); err != nil {
		return opts, err
	}
	var err error
	if opts.ChecksumMode, err = parseChecksumType(h.Get("X-Amz-Checksum-Type")); err != nil {
		return opts, err
	}
	if opts.Checksum, err = parseObjectChecksum(h); err != nil {
		return opts, err
	}
	if opts.ObjectSize, err = parseObjectSize(h); err != nil {
		return opts, err
	}
	opts.CustomerKey, err = sseC(h, sseCPrefix)
	return opts, err
}

// maxXMLBody bounds the XML request bodies read whole (DeleteObjects,
// CompleteMultipartUpload: 10,000 parts fit).
const maxXMLBody = 2 << 20

// readVerifiedBody reads a whole XML request body, at most maxXMLBody
// bytes, so that its signature or payload hash is verified (at EOF) before
// anything acts on it.
func readVerifiedBody(rc *reqCtx) ([]byte, error) {
	if rc.r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(rc.w, rc.r.Body, maxXMLBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errCode("EntityTooLarge")
	}
	return body, err // a failed signature or payload hash: mapped by the error table
}
