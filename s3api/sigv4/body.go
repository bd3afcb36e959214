package sigv4

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Payload modes of x-amz-content-sha256.
const (
	unsignedPayload          = "UNSIGNED-PAYLOAD"
	streamingSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	streamingSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

func validPayloadMode(m string) bool {
	switch m {
	case unsignedPayload, streamingSigned, streamingSignedTrailer, streamingUnsignedTrailer:
		return true
	}
	return isHex(m, 64)
}

func isStreaming(m string) bool { return strings.HasPrefix(m, "STREAMING-") }

func hasTrailer(m string) bool { return strings.HasSuffix(m, "-TRAILER") }

// installBody wraps r.Body according to the payload mode, Content-MD5 and
// checksum headers, and rewrites aws-chunked requests into plain ones. chain
// is the SigV4 signing context (nil for SigV2).
func (v *Verifier) installBody(r *http.Request, a *Auth, chain *chunkChain) error {
	mode := a.PayloadMode
	st := &bodyState{want: -1}
	if err := st.setup(r, mode); err != nil {
		return err
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if !isStreaming(mode) {
		if r.Body == http.NoBody && st.sha != nil && !bytes.Equal(st.wantSHA, emptySum) {
			return sha256MismatchError(st.wantSHA, emptySum, "request has no body")
		}
		if st.sha == nil && st.md5 == nil && st.ck == nil {
			return nil // nothing to verify: pass the body through
		}
		st.src, st.want = r.Body, r.ContentLength
	} else if err := st.setupChunked(r, mode, chain); err != nil {
		return err
	}
	st.closer = r.Body
	r.Body = st
	a.body = st
	return nil
}

var emptySum, _ = hex.DecodeString(emptySHA256)

// bodyState is the verifying reader installed as r.Body.
type bodyState struct {
	src     io.Reader
	closer  io.Closer
	sha     hash.Hash
	wantSHA []byte
	md5     hash.Hash
	wantMD5 []byte
	ck      *checksumSpec
	ckHash  hash.Hash
	chunks  *chunkReader // nil unless aws-chunked
	n, want int64        // bytes read; expected length or -1
	err     error
	done    bool
	// results, set at a clean EOF
	checksum Checksum
}

// setup reads x-amz-content-sha256, Content-MD5 and a checksum header.
func (st *bodyState) setup(r *http.Request, mode string) error {
	if isHex(mode, 64) {
		st.sha = sha256.New()
		st.wantSHA, _ = hex.DecodeString(mode)
	}
	if cms, ok := r.Header["Content-Md5"]; ok { // present, even empty
		cm := cms[0]
		b, err := base64.StdEncoding.DecodeString(cm)
		if err != nil || len(b) != md5.Size {
			return withDetail(errorf(ErrInvalidDigest, "Content-MD5 is not a base64 MD5 digest"), Detail{ContentMD5: cm})
		}
		st.wantMD5, st.md5 = b, md5.New()
	}
	return st.setupChecksum(r, mode)
}

// checksumNonValue are x-amz-checksum-* headers that carry no checksum:
// the type, the algorithm of CreateMultipartUpload, and the GET/HEAD mode.
var checksumNonValue = map[string]bool{
	checksumPrefix + "type": true, checksumPrefix + "algorithm": true, checksumPrefix + "mode": true,
}

// setupChecksum finds at most one checksum, in a header or announced in
// x-amz-trailer (trailer modes only).
func (st *bodyState) setupChecksum(r *http.Request, mode string) error {
	if err := st.headerChecksum(r); err != nil {
		return err
	}
	tr := strings.ToLower(strings.TrimSpace(r.Header.Get("X-Amz-Trailer")))
	if tr == "" {
		return nil
	}
	alg, ok := checksumAlgOf(tr)
	switch {
	case st.ck != nil:
		return awsErrorf(ErrInvalidChecksum, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	case !hasTrailer(mode) || !ok:
		return errorf(ErrInvalidChecksum, "x-amz-trailer must announce one supported checksum on a -TRAILER request")
	}
	if sdk := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" && !strings.EqualFold(sdk, alg.name) {
		return awsErrorf(ErrInvalidChecksum, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
	}
	st.ck = &checksumSpec{alg: alg, header: tr}
	return nil
}

// isComplete reports whether r is a CompleteMultipartUpload, whose
// x-amz-checksum-* header names the whole object's checksum.
func isComplete(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Query().Has("uploadId")
}

// headerChecksum finds at most one x-amz-checksum-* header (none on a
// CompleteMultipartUpload, where it names the object's checksum, checked
// by the door); x-amz-sdk-checksum-algorithm, if set, must name it.
func (st *bodyState) headerChecksum(r *http.Request) error {
	if isComplete(r) {
		return nil
	}
	var names []string
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, checksumPrefix) && !checksumNonValue[lk] {
			names = append(names, lk)
		}
	}
	if len(names) == 0 {
		return nil
	}
	vals := r.Header.Values(names[0])
	alg, ok := checksumAlgOf(names[0])
	switch {
	case len(names) > 1 || len(vals) != 1:
		return awsErrorf(ErrInvalidChecksum, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	case !ok:
		return awsErrorf(ErrInvalidChecksum, "The algorithm type you specified in x-amz-checksum- header is invalid.")
	case !validChecksumValue(alg, vals[0]):
		return awsErrorf(ErrInvalidChecksum, "Value for %s header is invalid.", names[0])
	}
	if sdk := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" && !strings.EqualFold(sdk, alg.name) {
		return awsErrorf(ErrInvalidChecksum, "Value for x-amz-sdk-checksum-algorithm header is invalid.")
	}
	st.ck = &checksumSpec{alg: alg, header: names[0], want: vals[0]}
	return nil
}

// setupChunked installs the aws-chunked decoder and rewrites the headers.
func (st *bodyState) setupChunked(r *http.Request, mode string, chain *chunkChain) error {
	if mode == streamingSigned || mode == streamingSignedTrailer {
		if chain == nil {
			return errorf(ErrInvalidContentSHA256, "signed streaming needs SigV4")
		}
	} else {
		chain = nil
	}
	dl, err := strconv.ParseInt(r.Header.Get("X-Amz-Decoded-Content-Length"), 10, 64)
	if err != nil || dl < 0 {
		return errorf(ErrMissingContentLength, "x-amz-decoded-content-length is required for %s", mode)
	}
	var announced []string
	if st.ck != nil && st.ck.want == "" {
		announced = []string{st.ck.header}
	}
	st.chunks = newChunkReader(r.Body, chain, hasTrailer(mode), announced, dl)
	st.src, st.want = st.chunks, dl
	rewriteChunked(r, dl)
	return nil
}

// rewriteChunked makes an aws-chunked request look like a plain one.
func rewriteChunked(r *http.Request, decoded int64) {
	r.ContentLength = decoded
	r.TransferEncoding = nil
	r.Header.Set("Content-Length", strconv.FormatInt(decoded, 10))
	var keep []string
	for _, v := range r.Header.Values("Content-Encoding") {
		for _, enc := range strings.Split(v, ",") {
			if enc = strings.TrimSpace(enc); enc != "" && !strings.EqualFold(enc, "aws-chunked") {
				keep = append(keep, enc)
			}
		}
	}
	r.Header.Del("Content-Encoding")
	if len(keep) > 0 {
		r.Header.Set("Content-Encoding", strings.Join(keep, ","))
	}
	r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	r.Header.Del("X-Amz-Decoded-Content-Length")
	r.Header.Del("X-Amz-Trailer")
}

// Read streams the body, hashing as it goes. At the end of the source it
// returns io.EOF only when every check passed; otherwise the (sticky) error.
func (st *bodyState) Read(p []byte) (int, error) {
	if st.err != nil {
		return 0, st.err
	}
	n, err := st.src.Read(p)
	st.hash(p[:n])
	st.n += int64(n)
	if st.want >= 0 && st.n > st.want {
		st.err = errorf(ErrIncompleteBody, "body is longer than declared")
		return 0, st.err
	}
	if err == io.EOF {
		err = st.finish()
		if err == nil {
			st.done = true
			err = io.EOF
		}
	}
	if err != nil {
		st.err = err
	}
	return n, err
}

func (st *bodyState) hash(b []byte) {
	if len(b) == 0 {
		return
	}
	if st.sha != nil {
		st.sha.Write(b)
	}
	if st.md5 != nil {
		st.md5.Write(b)
	}
	if st.ck != nil {
		if st.ckHash == nil {
			st.ckHash = st.ck.alg.new()
		}
		st.ckHash.Write(b)
	}
}

// Close closes the original body.
func (st *bodyState) Close() error { return st.closer.Close() }
