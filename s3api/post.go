package s3api

import (
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/s3api/sigv4"
)

// Browser POST uploads (S3's "POST Object"): POST /bucket with a
// multipart/form-data body and no request signature. The form's policy,
// signed with SigV4 (sigv4.VerifyPostPolicy), authenticates the upload and
// says what it may be (postpolicy.go); the fields before the file are read
// bounded (postform.go), and the file streams into Namespace.PutObject,
// checked against the policy's content-length-range and the form's
// checksum while it streams: a file that fails a check is never stored.
// An anonymous form (no signature fields) is refused: sealgate serves no
// public bucket.

// postAuthFields are the fields of a signed form, in the order of the
// missing-field error.
var postAuthFields = []string{"x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy"}

// isPostUpload reports whether r is a browser POST upload: a POST to a
// bucket, without query or request signature.
func (s *server) isPostUpload(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.RawQuery != "" || r.Header.Get("Authorization") != "" {
		return false
	}
	bucket, key, err := s.addressOf(r)
	return err == nil && bucket != "" && key == ""
}

// postObject serves a browser POST upload.
func (s *server) postObject(rc *reqCtx) error {
	rc.op = "PostObject"
	release, err := s.limiter.Enter()
	if err != nil {
		return err
	}
	defer release()
	rc.bucket, _, _ = s.addressOf(rc.r)
	form, err := readPostForm(rc.r)
	if err != nil {
		return err
	}
	if rc.user, rc.auth, err = s.postAuth(rc, form); err != nil {
		return err
	}
	policy, err := parsePolicy(form.fields["policy"])
	if err != nil {
		return err
	}
	key, err := postKey(form)
	if err != nil {
		return err
	}
	values := make(map[string]string, len(form.fields))
	for k, v := range form.fields {
		values[k] = v
	}
	values["key"] = key
	if err := policy.check(values, rc.bucket, s.now()); err != nil {
		return err
	}
	opts, checksums, err := postOptions(form.fields, s.now())
	if err != nil {
		return err
	}
	releaseUser, err := s.limiter.EnterUser(rc.user.Name)
	if err != nil {
		return err
	}
	defer releaseUser()
	rc.admitted, rc.key = true, key
	if err := s.applyCORS(rc); err != nil {
		return err
	}
	file := &postFile{r: form.file, max: math.MaxInt64}
	if policy.hasRange {
		file.min, file.max = policy.minSize, policy.maxSize
	}
	body, err := rc.auth.PostFile(file, checksums)
	if err != nil {
		return err
	}
	if body, err = withChecksumFunc(&opts, rc.auth, body); err != nil {
		return err
	}
	info, err := rc.user.NS.PutObject(rc.r.Context(), rc.bucket, key, body, -1, opts)
	if err != nil {
		return err
	}
	return s.postAnswer(rc, form.fields, key, info)
}

// missingPostField is AWS's error for a form without a required field.
func missingPostField(name string) *apiError {
	e := errMsg("InvalidArgument", "Bucket POST must contain a field named '%s'.  If it is specified, please check the order of the fields.", name)
	e.ArgumentName = name
	return e
}

// postAuth authenticates a form by its policy signature.
func (s *server) postAuth(rc *reqCtx, form *postForm) (User, *sigv4.Auth, error) {
	n := 0
	for _, f := range postAuthFields {
		if form.has(f) {
			n++
		}
	}
	if n == 0 {
		return User{}, nil, errCode("AccessDenied")
	}
	for _, f := range postAuthFields {
		if !form.has(f) {
			return User{}, nil, missingPostField(f)
		}
	}
	f := form.fields
	pf := sigv4.PostForm{Algorithm: f["x-amz-algorithm"], Credential: f["x-amz-credential"], Date: f["x-amz-date"],
		Signature: f["x-amz-signature"], Policy: f["policy"]}
	var l userLookup
	v := s.verifierFor(&l)
	auth, err := v.VerifyPostPolicy(pf)
	if l.err != nil {
		return User{}, nil, fmt.Errorf("s3api: user lookup: %w", l.err)
	}
	if err != nil {
		if badCredentials(err) {
			s.fails.Wait(rc.r.Context(), clientHost(rc.r))
		}
		return User{}, nil, postAuthError(err, l.akid, pf)
	}
	if l.user.NS == nil {
		return User{}, nil, errCode("AccessDenied")
	}
	return l.user, auth, nil
}

// postAuthError is AWS's answer to a form that failed authentication.
func postAuthError(err error, akid string, pf sigv4.PostForm) error {
	var e *apiError
	var fe *sigv4.FieldError
	var se *sigv4.SignatureError
	switch {
	case errors.As(err, &fe):
		msg, _ := sigv4.Message(err)
		e = errMsg("InvalidArgument", "%s", msg)
		e.ArgumentName, e.ArgumentValue = fe.Field, fe.Value
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID):
		e = errCode("InvalidAccessKeyId")
		e.AWSAccessKeyID = akid
	case errors.As(err, &se):
		// As AWS: the string signed (the policy, which the client sent)
		// and the signature it sent; never the one computed.
		e = errCode("SignatureDoesNotMatch")
		e.AWSAccessKeyID, e.StringToSign, e.SignatureProvided = akid, pf.Policy, pf.Signature
		e.StringToSignBytes = spacedHex(pf.Policy)
	default:
		return err
	}
	e.cause = err
	return e
}

// spacedHex is s's bytes in hex, space-separated (AWS's StringToSignBytes).
func spacedHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex.EncodeToString([]byte{s[i]}))
	}
	return b.String()
}

// postKey is the form's key, with ${filename} replaced by the file's name.
func postKey(form *postForm) (string, error) {
	key, ok := form.fields["key"]
	if !ok {
		return "", missingPostField("key")
	}
	if form.file == nil {
		return "", errCode("IncorrectNumberOfFilesInPostRequest")
	}
	key = strings.ReplaceAll(key, "${filename}", form.filename)
	switch {
	case key == "":
		return "", errMsg("InvalidArgument", "User key must have a length greater than 0.")
	case len(key) > maxKeyLen:
		return "", errCode("KeyTooLongError")
	}
	return key, nil
}

// postOptions reads the metadata, tags, ACL, encryption and lock fields of
// a form as a PUT reads its headers; the x-amz-checksum-* fields are
// returned apart.
func postOptions(fields map[string]string, now time.Time) (gateway.PutOptions, map[string]string, error) {
	h := http.Header{}
	checksums := map[string]string{}
	for name, v := range fields {
		switch {
		case strings.HasPrefix(name, "x-amz-server-side-encryption-customer-"):
			return gateway.PutOptions{}, nil, errMsg("NotImplemented", "sealgate does not implement SSE-C on browser POST uploads")
		case strings.HasPrefix(name, checksumPrefix):
			checksums[name] = v
		case name == "acl":
			h.Set("X-Amz-Acl", v)
		case name == "content-type" && v == "": // the default type
		case contentHeaders[name], strings.HasPrefix(name, "x-amz-"):
			h.Set(name, v)
		}
	}
	r := &http.Request{Header: h}
	if err := checkSSE(r); err != nil {
		return gateway.PutOptions{}, nil, err
	}
	if err := checkACL(r); err != nil {
		return gateway.PutOptions{}, nil, err
	}
	opts, err := putOptions(h, now)
	if err != nil {
		return opts, nil, err
	}
	if t, ok := fields["tagging"]; ok {
		var x tagging
		if xml.Unmarshal([]byte(t), &x) != nil {
			return opts, nil, errCode("MalformedXML")
		}
		if opts.Tags, err = x.tagSet(gateway.MaxObjectTags); err != nil {
			return opts, nil, err
		}
		if err := gateway.CheckTags(opts.Tags, gateway.MaxObjectTags); err != nil {
			return opts, nil, err
		}
	}
	return opts, checksums, nil
}

// postFile is the form's file as it streams: it counts the bytes and
// fails the read that leaves the policy's content-length-range.
type postFile struct {
	r           io.Reader
	n, min, max int64
	err         error
}

func (f *postFile) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.r.Read(p)
	f.n += int64(n)
	switch {
	case f.n > f.max:
		// The whole size for the answer, as far as the door drains bodies.
		rest, _ := io.Copy(io.Discard, io.LimitReader(f.r, maxDrain))
		e := errMsg("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.")
		e.ProposedSize, e.MaxSizeAllowed = f.n+rest, f.max
		f.err = e
		return 0, e
	case errors.Is(err, errPreambleTooLarge):
		err = errCode("MaxPostPreDataLengthExceededError")
	case err == io.EOF && f.n < f.min:
		e := errMsg("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
		e.ProposedSize, e.MinSizeAllowed = f.n, f.min
		err = e
	}
	if err != nil && err != io.EOF {
		f.err = err
	}
	return n, err
}

// postResponse is the answer of a 201 POST upload.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postAnswer answers a stored upload: a redirect to
// success_action_redirect if it is an http(s) URL, else the
// success_action_status (200, 201 with a PostResponse, or 204).
func (s *server) postAnswer(rc *reqCtx, fields map[string]string, key string, info gateway.ObjectInfo) error {
	h := rc.w.Header()
	etag := quoteETag(info.ETag)
	loc := s.objectLocation(rc.r, rc.bucket, key)
	h.Set("ETag", etag)
	h.Set("Location", loc)
	h.Set("X-Amz-Server-Side-Encryption", sseAES256)
	if info.VersionID != gateway.NullVersion {
		setVersionID(h, info.VersionID)
	}
	setObjectChecksum(h, info)
	redirect := fields["success_action_redirect"]
	if redirect == "" {
		redirect = fields["redirect"]
	}
	if u, err := url.Parse(redirect); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		q := u.Query()
		q.Set("bucket", rc.bucket)
		q.Set("key", key)
		q.Set("etag", etag)
		u.RawQuery = q.Encode()
		h.Set("Location", u.String())
		rc.w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	switch fields["success_action_status"] {
	case "200":
		rc.w.WriteHeader(http.StatusOK)
		return nil
	case "201":
		return writeXML(rc, http.StatusCreated, postResponse{Xmlns: s3ns, Location: loc, Bucket: rc.bucket, Key: key, ETag: etag})
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

// objectLocation is the URL of an object, in the style the request used.
func (s *server) objectLocation(r *http.Request, bucket, key string) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: "/" + bucket + "/" + key}
	if r.TLS != nil {
		u.Scheme = "https"
	}
	if s.verifier.VirtualHostBucket(r.Host) != "" {
		u.Path = "/" + key
	}
	return u.String()
}
