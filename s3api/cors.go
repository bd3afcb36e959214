package s3api

import (
	"encoding/xml"
	"errors"
	"net/http"

	"github.com/sealgate/sealgate/gateway"
)

// Bucket CORS configuration: GET, PUT and DELETE /bucket?cors. The gateway
// keeps the rules as a shared record (gateway/cors.go); preflights and the
// CORS headers of requests are cors_request.go.

type corsConfiguration struct {
	XMLName xml.Name  `xml:"CORSConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []corsXML `xml:"CORSRule"`
}

type corsXML struct {
	ID             string   `xml:"ID,omitempty"`
	AllowedHeaders []string `xml:"AllowedHeader"`
	AllowedMethods []string `xml:"AllowedMethod"`
	AllowedOrigins []string `xml:"AllowedOrigin"`
	ExposeHeaders  []string `xml:"ExposeHeader"`
	MaxAgeSeconds  *int32   `xml:"MaxAgeSeconds"`
}

// rules turns a configuration document into the gateway's rules, checked
// as S3 checks them.
func (c corsConfiguration) rules() ([]gateway.CORSRule, error) {
	out := make([]gateway.CORSRule, 0, len(c.Rules))
	for _, x := range c.Rules {
		out = append(out, gateway.CORSRule{ID: x.ID, AllowedOrigins: x.AllowedOrigins, AllowedMethods: x.AllowedMethods,
			AllowedHeaders: x.AllowedHeaders, ExposeHeaders: x.ExposeHeaders, MaxAgeSeconds: x.MaxAgeSeconds})
	}
	return out, corsConfigError(gateway.CheckCORS(out))
}

func corsDocument(rules []gateway.CORSRule) corsConfiguration {
	out := corsConfiguration{Xmlns: s3ns}
	for _, r := range rules {
		out.Rules = append(out.Rules, corsXML{ID: r.ID, AllowedHeaders: r.AllowedHeaders, AllowedMethods: r.AllowedMethods,
			AllowedOrigins: r.AllowedOrigins, ExposeHeaders: r.ExposeHeaders, MaxAgeSeconds: r.MaxAgeSeconds})
	}
	return out
}

// corsConfigError words a CORS configuration fault as S3 does.
func corsConfigError(err error) error {
	var ce *gateway.CORSError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Problem {
	case gateway.CORSOriginWildcard:
		return errMsg("InvalidRequest", `AllowedOrigin "%s" can not have more than one wildcard.`, ce.Value)
	case gateway.CORSBadMethod:
		return errMsg("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is %s", ce.Value)
	case gateway.CORSBadHeader:
		return errMsg("InvalidRequest", `AllowedHeader "%s" contains invalid character.`, ce.Value)
	case gateway.CORSTooLarge:
		return errMsg("InvalidRequest", "The CORS configuration is larger than 64 KB.")
	case gateway.CORSBadID:
		return errMsg("InvalidArgument", "The ID of a CORS rule must be at most 255 characters long.")
	}
	// No rule, more than 100, a rule without origin or method: the schema's.
	return errCode("MalformedXML")
}

// bucketCORS serves GET, PUT and DELETE /bucket?cors.
func (s *server) bucketCORS(rc *reqCtx) error {
	ctx, ns := rc.r.Context(), rc.user.NS
	switch rc.r.Method {
	case http.MethodGet:
		rc.op = "GetBucketCors"
		rules, err := ns.GetBucketCORS(ctx, rc.bucket)
		if err != nil {
			return err
		}
		return writeXML(rc, http.StatusOK, corsDocument(rules))
	case http.MethodPut:
		rc.op = "PutBucketCors"
		var in corsConfiguration
		if err := readXML(rc, &in); err != nil {
			return err
		}
		rules, err := in.rules()
		if err != nil {
			return err
		}
		if err := ns.PutBucketCORS(ctx, rc.bucket, rules); err != nil {
			return corsConfigError(err)
		}
		rc.w.WriteHeader(http.StatusOK)
		return nil
	case http.MethodDelete:
		rc.op = "DeleteBucketCors"
		if err := ns.PutBucketCORS(ctx, rc.bucket, nil); err != nil {
			return err
		}
		rc.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return errCode("MethodNotAllowed")
}
