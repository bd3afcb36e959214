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
	Tags               []tag    `xml:"Tags>Tag"`
}

// createBucket serves PUT /bucket. A body, if any, is a
// CreateBucketConfiguration whose LocationConstraint must name this
// gateway's region (and be absent for us-east-1, as AWS's is), and whose
// Tags become the bucket's tags (validated first, as PutBucketTagging's).
func (s *server) createBucket(rc *reqCtx) error {
	if err := gateway.CheckBucketName(rc.bucket); err != nil {
		return err
	}
	tags, err := s.createBucketConfig(rc)
	if err != nil {
		return err
	}
	create := rc.user.NS.CreateBucket
	if strings.EqualFold(rc.r.Header.Get("X-Amz-Bucket-Object-Lock-Enabled"), "true") {
		create = rc.user.NS.CreateLockedBucket
	}
	if err := create(rc.r.Context(), rc.bucket); err != nil {
		return err
	}
	if len(tags) > 0 {
		if err := rc.user.NS.PutBucketTagging(rc.r.Context(), rc.bucket, tags); err != nil {
			return err
		}
	}
	rc.w.Header().Set("Location", "/"+rc.bucket)
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

// createBucketConfig reads and checks CreateBucket's body: the tags it
// gives (nil if none).
func (s *server) createBucketConfig(rc *reqCtx) (gateway.Tags, error) {
	body, err := readVerifiedBody(rc)
	if err != nil || len(body) == 0 {
		return nil, err
	}
	var cfg createBucketConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, errCode("MalformedXML")
	}
	if !s.validLocation(cfg.LocationConstraint) {
		return nil, errCode("InvalidLocationConstraint")
	}
	if len(cfg.Tags) == 0 {
		return nil, nil
	}
	return tagging{TagSet: cfg.Tags}.tagSet(gateway.MaxBucketTags)
}

// validLocation: AWS's us-east-1 takes no LocationConstraint (naming it is
// InvalidLocationConstraint); any other region must be named.
func (s *server) validLocation(lc string) bool {
	if s.region == "us-east-1" {
		return lc == ""
	}
	return lc == s.region
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
