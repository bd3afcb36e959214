package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"

	"github.com/sealgate/sealgate/gateway"
)

// errInvalidVersion is AWS's answer to a malformed or empty version id.
var errInvalidVersion = errMsg("InvalidArgument", "Invalid version id specified")

// versionParam reads ?versionId: "" if absent or empty (as versitygw
// takes it: its clients send an empty one for "the current version").
func versionParam(q url.Values) (string, error) {
	v := q["versionId"]
	if len(v) > 1 {
		return "", errInvalidVersion
	}
	return q.Get("versionId"), nil
}

// versionedGetOptions are a GET's or HEAD's conditions and version.
func versionedGetOptions(h http.Header, q url.Values) (gateway.GetOptions, error) {
	opts := getOptions(h)
	vid, err := versionParam(q)
	if err != nil {
		return opts, err
	}
	opts.VersionID = vid
	opts.CustomerKey, err = sseC(h, sseCPrefix)
	return opts, err
}

// setVersionID sets x-amz-version-id, unless the bucket never had
// versioning (no version id).
func setVersionID(h http.Header, vid string) {
	if vid != "" {
		h.Set("x-amz-version-id", vid)
	}
}

// markerHeaders adds to an error answer the headers S3 sends when a read
// finds a delete marker.
func markerHeaders(h http.Header, err error) {
	var dm *gateway.DeleteMarkerError
	if errors.As(err, &dm) {
		h.Set("x-amz-delete-marker", "true")
		h.Set("x-amz-version-id", dm.VersionID)
		if dm.Named {
			h.Set("Last-Modified", dm.LastModified.UTC().Format(httpTime))
		}
	}
}

type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

// bucketVersioning serves GET and PUT /bucket?versioning.
func (s *server) bucketVersioning(rc *reqCtx) error {
	ctx := rc.r.Context()
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetBucketVersioning"
		v, err := rc.user.NS.GetBucketVersioning(ctx, rc.bucket)
		if err != nil {
			return err
		}
		return writeXML(rc, http.StatusOK, versioningConfiguration{Xmlns: s3ns, Status: string(v)})
	case http.MethodPut:
		rc.op = "PutBucketVersioning"
		body, err := readVerifiedBody(rc)
		if err != nil {
			return err
		}
		var in versioningConfiguration
		if xml.Unmarshal(body, &in) != nil {
			return errCode("MalformedXML")
		}
		switch {
		case in.MfaDelete == "Enabled":
			return errMsg("NotImplemented", "MFA Delete is not implemented.")
		case in.MfaDelete != "" && in.MfaDelete != "Disabled":
			return errCode("MalformedXML")
		case in.Status != string(gateway.VersioningEnabled) && in.Status != string(gateway.VersioningSuspended):
			return errCode("MalformedXML")
		}
		err = rc.user.NS.PutBucketVersioning(ctx, rc.bucket, gateway.Versioning(in.Status))
		if errors.Is(err, gateway.ErrInvalidBucketState) {
			return errMsg("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
		if err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	}
	return errCode("MethodNotAllowed")
}

// deleteResult is DeleteObjects' answer.
type deleteResult struct {
	XMLName xml.Name       `xml:"DeleteResult"`
	Xmlns   string         `xml:"xmlns,attr"`
	Deleted []deletedEntry `xml:"Deleted"`
	Error   []deleteError  `xml:"Error"`
}

type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}
