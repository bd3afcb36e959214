package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Lifecycle configuration: GET, PUT and DELETE /bucket?lifecycle. The
// gateways apply the rules in the background (gateway/lifecycle_run.go).
// Transitions to other storage classes have no meaning here: 501.

type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Xmlns   string          `xml:"xmlns,attr,omitempty"`
	Rules   []lifecycleRule `xml:"Rule"`
}

type lifecycleRule struct {
	ID         string           `xml:"ID,omitempty"`
	Prefix     *string          `xml:"Prefix"` // the legacy filter
	Filter     *lifecycleFilter `xml:"Filter"`
	Status     string           `xml:"Status"`
	Expiration *struct {
		Days                      int    `xml:"Days,omitempty"`
		Date                      string `xml:"Date,omitempty"`
		ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
	} `xml:"Expiration"`
	NoncurrentVersionExpiration *struct {
		NoncurrentDays          int `xml:"NoncurrentDays,omitempty"`
		NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
	} `xml:"NoncurrentVersionExpiration"`
	AbortIncompleteMultipartUpload *struct {
		DaysAfterInitiation int `xml:"DaysAfterInitiation"`
	} `xml:"AbortIncompleteMultipartUpload"`
	Transition           []struct{} `xml:"Transition"`
	NoncurrentTransition []struct{} `xml:"NoncurrentVersionTransition"`
}

type lifecycleFilter struct {
	Prefix *string `xml:"Prefix"`
	Tag    *tag    `xml:"Tag"`
	And    *struct {
		Prefix string `xml:"Prefix"`
		Tags   []tag  `xml:"Tag"`
	} `xml:"And"`
}

// rule turns an XML rule into the gateway's.
func (x lifecycleRule) rule() (gateway.LifecycleRule, error) {
	if len(x.Transition) > 0 || len(x.NoncurrentTransition) > 0 {
		return gateway.LifecycleRule{}, errMsg("NotImplemented", "sealgate has one storage class: lifecycle transitions are not implemented")
	}
	if x.Status != "Enabled" && x.Status != "Disabled" {
		return gateway.LifecycleRule{}, errCode("MalformedXML")
	}
	r := gateway.LifecycleRule{ID: x.ID, Enabled: x.Status == "Enabled"}
	if err := x.filter(&r); err != nil {
		return r, err
	}
	if e := x.Expiration; e != nil {
		r.ExpireDays, r.ExpiredDeleteMarker = e.Days, e.ExpiredObjectDeleteMarker
		if e.Date != "" {
			t, err := time.Parse(time.RFC3339, e.Date)
			if err != nil {
				return r, errMsg("InvalidArgument", "'Date' must be at midnight GMT")
			}
			r.ExpireDate = t
		}
	}
	if e := x.NoncurrentVersionExpiration; e != nil {
		r.NoncurrentDays, r.NewerNoncurrent = e.NoncurrentDays, e.NewerNoncurrentVersions
	}
	if a := x.AbortIncompleteMultipartUpload; a != nil {
		r.AbortUploadDays = a.DaysAfterInitiation
	}
	return r, nil
}

// filter reads the rule's filter: a prefix, one tag, or both in And.
func (x lifecycleRule) filter(r *gateway.LifecycleRule) error {
	if x.Prefix != nil {
		r.Prefix = *x.Prefix
	}
	f := x.Filter
	if f == nil {
		return nil
	}
	if (f.Prefix != nil && (f.Tag != nil || f.And != nil)) || (f.Tag != nil && f.And != nil) {
		return errCode("MalformedXML")
	}
	switch {
	case f.Prefix != nil:
		r.Prefix = *f.Prefix
	case f.Tag != nil:
		r.Tags = gateway.Tags{f.Tag.Key: f.Tag.Value}
	case f.And != nil:
		r.Prefix = f.And.Prefix
		t, err := tagging{TagSet: f.And.Tags}.tagSet(gateway.MaxObjectTags)
		if err != nil {
			return err
		}
		r.Tags = t
	}
	return nil
}

// xmlRule is a gateway rule as XML.
func xmlRule(r gateway.LifecycleRule) lifecycleRule {
	x := lifecycleRule{ID: r.ID, Status: "Disabled", Filter: &lifecycleFilter{}}
	if r.Enabled {
		x.Status = "Enabled"
	}
	switch {
	case len(r.Tags) == 1 && r.Prefix == "":
		for k, v := range r.Tags {
			x.Filter.Tag = &tag{k, v}
		}
	case len(r.Tags) > 0:
		x.Filter.And = &struct {
			Prefix string `xml:"Prefix"`
			Tags   []tag  `xml:"Tag"`
		}{Prefix: r.Prefix, Tags: taggingOf(r.Tags).TagSet}
	default:
		p := r.Prefix
		x.Filter.Prefix = &p
	}
	if r.ExpireDays > 0 || !r.ExpireDate.IsZero() || r.ExpiredDeleteMarker {
		x.Expiration = &struct {
			Days                      int    `xml:"Days,omitempty"`
			Date                      string `xml:"Date,omitempty"`
			ExpiredObjectDeleteMarker bool   `xml:"ExpiredObjectDeleteMarker,omitempty"`
		}{Days: r.ExpireDays, ExpiredObjectDeleteMarker: r.ExpiredDeleteMarker}
		if !r.ExpireDate.IsZero() {
			x.Expiration.Date = r.ExpireDate.UTC().Format(time.RFC3339)
		}
	}
	if r.NoncurrentDays > 0 {
		x.NoncurrentVersionExpiration = &struct {
			NoncurrentDays          int `xml:"NoncurrentDays,omitempty"`
			NewerNoncurrentVersions int `xml:"NewerNoncurrentVersions,omitempty"`
		}{r.NoncurrentDays, r.NewerNoncurrent}
	}
	if r.AbortUploadDays > 0 {
		x.AbortIncompleteMultipartUpload = &struct {
			DaysAfterInitiation int `xml:"DaysAfterInitiation"`
		}{r.AbortUploadDays}
	}
	return x
}

// bucketLifecycle serves GET, PUT and DELETE /bucket?lifecycle.
func (s *server) bucketLifecycle(rc *reqCtx) error {
	ctx, ns := rc.r.Context(), rc.user.NS
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetBucketLifecycleConfiguration"
		rules, err := ns.GetBucketLifecycle(ctx, rc.bucket)
		if errors.Is(err, gateway.ErrNoSuchLifecycle) {
			return errCode("NoSuchLifecycleConfiguration")
		}
		if err != nil {
			return err
		}
		out := lifecycleConfiguration{Xmlns: s3ns}
		for _, r := range rules {
			out.Rules = append(out.Rules, xmlRule(r))
		}
		return writeXML(rc, http.StatusOK, out)
	case http.MethodPut:
		rc.op = "PutBucketLifecycleConfiguration"
		var in lifecycleConfiguration
		if err := readXML(rc, &in); err != nil {
			return err
		}
		if len(in.Rules) == 0 {
			return errCode("MalformedXML")
		}
		rules := make([]gateway.LifecycleRule, 0, len(in.Rules))
		for _, x := range in.Rules {
			r, err := x.rule()
			if err != nil {
				return err
			}
			rules = append(rules, r)
		}
		if err := ns.PutBucketLifecycle(ctx, rc.bucket, rules); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodDelete:
		rc.op = "DeleteBucketLifecycle"
		if err := ns.PutBucketLifecycle(ctx, rc.bucket, nil); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errCode("MethodNotAllowed")
}
