package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Object Lock: the bucket configuration (?object-lock), a version's
// retention (?retention) and legal hold (?legal-hold), the lock headers of
// writes and reads, and the governance bypass of deletes. The gateway keeps
// and enforces them.

type objectLockConfiguration struct {
	XMLName           xml.Name  `xml:"ObjectLockConfiguration"`
	Xmlns             string    `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string    `xml:"ObjectLockEnabled,omitempty"`
	Rule              *lockRule `xml:"Rule"`
}

type lockRule struct {
	DefaultRetention *defaultRetention `xml:"DefaultRetention"`
}

type defaultRetention struct {
	Mode  string `xml:"Mode,omitempty"`
	Days  int    `xml:"Days,omitempty"`
	Years int    `xml:"Years,omitempty"`
}

type retention struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

type legalHold struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// lockConfiguration serves GET and PUT /bucket?object-lock.
func (s *server) lockConfiguration(rc *reqCtx) error {
	ctx := rc.r.Context()
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetObjectLockConfiguration"
		c, err := rc.user.NS.GetObjectLockConfiguration(ctx, rc.bucket)
		if errors.Is(err, gateway.ErrNoLockConfig) {
			return errCode("ObjectLockConfigurationNotFoundError")
		}
		if err != nil {
			return err
		}
		out := objectLockConfiguration{Xmlns: s3ns, ObjectLockEnabled: "Enabled"}
		if c.Mode != gateway.RetentionNone {
			out.Rule = &lockRule{&defaultRetention{string(c.Mode), c.Days, c.Years}}
		}
		return writeXML(rc, http.StatusOK, out)
	case http.MethodPut:
		rc.op = "PutObjectLockConfiguration"
		var in objectLockConfiguration
		if err := readXML(rc, &in); err != nil {
			return err
		}
		if in.ObjectLockEnabled != "Enabled" {
			return errCode("MalformedXML")
		}
		c := gateway.LockConfig{Enabled: true}
		if in.Rule != nil {
			if in.Rule.DefaultRetention == nil {
				return errCode("MalformedXML")
			}
			d := in.Rule.DefaultRetention
			c.Mode, c.Days, c.Years = gateway.RetentionMode(d.Mode), d.Days, d.Years
			switch {
			case d.Days < 0 || d.Years < 0:
				return errMsg("InvalidArgument", "Default retention period must be a positive integer value")
			case (d.Mode != "GOVERNANCE" && d.Mode != "COMPLIANCE") || (d.Days > 0) == (d.Years > 0):
				return errCode("MalformedXML")
			}
		}
		err := rc.user.NS.PutObjectLockConfiguration(ctx, rc.bucket, c)
		if errors.Is(err, gateway.ErrInvalidBucketState) {
			return errMsg("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
		}
		if err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	}
	return errCode("MethodNotAllowed")
}

// objectRetention serves GET and PUT /bucket/key?retention.
func (s *server) objectRetention(rc *reqCtx) error {
	vid, err := versionParam(rc.r.URL.Query())
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetObjectRetention"
		l, err := rc.user.NS.GetObjectLock(ctx, rc.bucket, rc.key, vid)
		if err != nil {
			return err
		}
		if l.Mode == gateway.RetentionNone {
			return errMsg("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
		}
		return writeXML(rc, http.StatusOK, retention{Xmlns: s3ns, Mode: string(l.Mode), RetainUntilDate: xmlTime(l.RetainUntil)})
	case http.MethodPut:
		rc.op = "PutObjectRetention"
		var in retention
		if err := readXML(rc, &in); err != nil {
			return err
		}
		mode, until, err := parseRetention(in.Mode, in.RetainUntilDate, s.now())
		if err != nil {
			return err
		}
		if err := rc.user.NS.PutObjectRetention(ctx, rc.bucket, rc.key, vid, mode, until, bypassGovernance(rc.r)); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	}
	return errCode("MethodNotAllowed")
}

// objectLegalHold serves GET and PUT /bucket/key?legal-hold.
func (s *server) objectLegalHold(rc *reqCtx) error {
	vid, err := versionParam(rc.r.URL.Query())
	if err != nil {
		return err
	}
	ctx := rc.r.Context()
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetObjectLegalHold"
		l, err := rc.user.NS.GetObjectLock(ctx, rc.bucket, rc.key, vid)
		if err != nil {
			return err
		}
		if l == (gateway.ObjectLock{}) {
			return errMsg("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration")
		}
		return writeXML(rc, http.StatusOK, legalHold{Xmlns: s3ns, Status: onOff(l.LegalHold)})
	case http.MethodPut:
		rc.op = "PutObjectLegalHold"
		var in legalHold
		if err := readXML(rc, &in); err != nil {
			return err
		}
		if in.Status != "ON" && in.Status != "OFF" {
			return errCode("MalformedXML")
		}
		if err := rc.user.NS.PutObjectLegalHold(ctx, rc.bucket, rc.key, vid, in.Status == "ON"); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	}
	return errCode("MethodNotAllowed")
}

func onOff(b bool) string {
	if b {
		return "ON"
	}
	return "OFF"
}

// emptyIsMalformed are the operations whose empty body AWS answers
// MalformedXML rather than MissingRequestBodyError (AWS's answers quoted
// in versitygw#1185 and #1191).
var emptyIsMalformed = map[string]bool{"PutObjectRetention": true, "PutObjectLegalHold": true}

// readXML reads and verifies a small XML request body into v. A body
// that is not valid is MalformedXML (MissingRequestBodyError if empty, in
// most operations), unless the bucket does not exist, which S3 reports
// first.
func readXML(rc *reqCtx, v any) error {
	body, err := readVerifiedBody(rc)
	if err != nil {
		return err
	}
	if len(body) > 0 && xml.Unmarshal(body, v) == nil {
		return nil
	}
	if _, err := rc.user.NS.HeadBucket(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	if len(body) == 0 && !emptyIsMalformed[rc.op] {
		return errMsg("MissingRequestBodyError", "Request Body is empty")
	}
	return errCode("MalformedXML")
}

// bypassGovernance reads x-amz-bypass-governance-retention.
func bypassGovernance(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("X-Amz-Bypass-Governance-Retention"), "true")
}

// parseRetention checks a retention mode and date as AWS does; both empty
// removes the retention.
func parseRetention(mode, until string, now time.Time) (gateway.RetentionMode, time.Time, error) {
	if mode == "" && until == "" {
		return gateway.RetentionNone, time.Time{}, nil
	}
	if mode != "GOVERNANCE" && mode != "COMPLIANCE" {
		return "", time.Time{}, errCode("MalformedXML")
	}
	t, err := time.Parse(time.RFC3339, until)
	if err != nil {
		return "", time.Time{}, errCode("MalformedXML")
	}
	if !t.After(now) {
		return "", time.Time{}, errMsg("InvalidArgument", "The retain until date must be in the future!")
	}
	return gateway.RetentionMode(mode), t, nil
}

// lockFromHeader reads the Object Lock headers of a write, checked as AWS
// checks them; nil if there are none.
func lockFromHeader(h http.Header, now time.Time) (*gateway.ObjectLock, error) {
	mode, until, hold := h.Get("X-Amz-Object-Lock-Mode"), h.Get("X-Amz-Object-Lock-Retain-Until-Date"), h.Get("X-Amz-Object-Lock-Legal-Hold")
	if mode == "" && until == "" && hold == "" {
		return nil, nil
	}
	if (mode == "") != (until == "") {
		name, value := "x-amz-object-lock-mode", mode
		if until == "" {
			name, value = "x-amz-object-lock-retain-until-date", until
		}
		return nil, errArg(name, value, "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
	}
	if mode != "" && mode != "GOVERNANCE" && mode != "COMPLIANCE" {
		return nil, errArg("x-amz-object-lock-mode", mode, "Unknown wormMode directive.")
	}
	l := &gateway.ObjectLock{Mode: gateway.RetentionMode(mode)}
	if until != "" {
		t, err := time.Parse(time.RFC3339, until)
		if err != nil {
			return nil, errArg("x-amz-object-lock-retain-until-date", until, "The retain until date must be provided in ISO 8601 format")
		}
		if !t.After(now) {
			return nil, errArg("x-amz-object-lock-retain-until-date", until, "The retain until date must be in the future!")
		}
		l.RetainUntil = t
	}
	if hold != "" && hold != "ON" && hold != "OFF" {
		return nil, errArg("x-amz-object-lock-legal-hold", hold, "Legal Hold must be either of 'ON' or 'OFF'")
	}
	l.LegalHold = hold == "ON"
	return l, nil
}

// setLockHeaders adds a version's lock to a GET or HEAD answer.
func setLockHeaders(h http.Header, l *gateway.ObjectLock) {
	if l == nil {
		return
	}
	if l.Mode != gateway.RetentionNone {
		h.Set("x-amz-object-lock-mode", string(l.Mode))
		h.Set("x-amz-object-lock-retain-until-date", l.RetainUntil.UTC().Format(time.RFC3339))
	}
	h.Set("x-amz-object-lock-legal-hold", onOff(l.LegalHold))
}

// lockHandler returns the handler of a versioning, Object Lock, tagging,
// lifecycle or CORS subresource request, nil for other requests.
func (s *server) lockHandler(rc *reqCtx, q url.Values) func(*reqCtx) error {
	has := func(sub string) bool { _, ok := q[sub]; return ok }
	switch {
	case rc.bucket == "":
		return nil
	case rc.key == "" && has("versioning"):
		return s.bucketVersioning
	case rc.key == "" && has("object-lock"):
		return s.lockConfiguration
	case rc.key != "" && has("retention"):
		return s.objectRetention
	case rc.key != "" && has("legal-hold"):
		return s.objectLegalHold
	case rc.key == "" && has("tagging"):
		return s.bucketTagging
	case rc.key == "" && has("lifecycle"):
		return s.bucketLifecycle
	case rc.key == "" && has("cors"):
		return s.bucketCORS
	case rc.key != "" && has("tagging"):
		return s.objectTagging
	}
	return nil
}
