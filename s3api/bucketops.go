package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// createBucketConfiguration is CreateBucket's optional body.
type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint string   `xml:"LocationConstraint"`
}

// createBucket serves PUT /bucket. A body, if any, is a
// CreateBucketConfiguration whose LocationConstraint must name this
// gateway's region (or be empty for us-east-1, as AWS's is).
func (s *server) createBucket(rc *reqCtx) error {
	if err := gateway.CheckBucketName(rc.bucket); err != nil {
		return err
	}
	body, err := readVerifiedBody(rc)
	if err != nil {
		return err
	}
	if len(body) > 0 {
		var cfg createBucketConfiguration
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return errCode("MalformedXML")
		}
		if lc := cfg.LocationConstraint; lc != "" && lc != s.region || lc == "" && s.region != "us-east-1" {
			return errCode("InvalidLocationConstraint")
		}
	}
	create := rc.user.NS.CreateBucket
	if strings.EqualFold(rc.r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		create = rc.user.NS.CreateLockedBucket
	}
	if err := create(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	rc.w.Header().Set("Location", "/"+rc.bucket)
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteBucket serves DELETE /bucket: 204, or BucketNotEmpty.
func (s *server) deleteBucket(rc *reqCtx) error {
	err := rc.user.NS.DeleteBucket(rc.r.Context(), rc.bucket)
	if errors.Is(err, gateway.ErrBucketNotEmpty) {
		if v, verr := rc.user.NS.GetBucketVersioning(rc.r.Context(), rc.bucket); verr == nil && v != gateway.VersioningOff {
			return errMsg("BucketNotEmpty", "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")
		}
	}
	if err != nil {
		return err
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}
