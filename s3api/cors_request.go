package s3api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// CORS on requests.
//
// A preflight (OPTIONS /bucket[/key] with Origin and
// Access-Control-Request-Method) carries no credentials and is answered
// without authentication, from the rules of the buckets of that name
// (Config.CORS, gateway.Service.PreflightCORS): bucket names are per
// account, so the rules of every account with a bucket of that name and a
// CORS configuration are tried, in a fixed order, and the first rule that
// allows the request answers. The answer never names an owner, and a
// bucket without CORS is answered like a bucket that does not exist ("CORS
// is not enabled"), so a preflight does not tell which names are taken.
//
// An authenticated request with an Origin header gets the CORS headers of
// the first rule of its bucket that allows it (as recent as
// gateway.CORSCacheTTL); none if no rule does, and the request is served
// either way, as S3 does. Like versitygw, a request that carries
// Access-Control-Request-Method or -Headers is matched with them.

// CORSFinder finds the CORS rules that answer an anonymous preflight for a
// bucket name: those of every account with a bucket of that name
// (gateway.Service implements it).
type CORSFinder interface {
	PreflightCORS(ctx context.Context, bucket string) ([]gateway.CORSRule, error)
}

// corsVary is what the answers of a CORS request vary on.
const corsVary = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

// corsForbidden is S3's answer to a CORS request that no rule allows.
func corsForbidden(notEnabled bool, resourceType string) *apiError {
	msg := "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, " +
		"request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
	if notEnabled {
		msg, resourceType = "CORSResponse: CORS is not enabled for this bucket.", "BUCKET"
	}
	e := errMsg("AccessForbidden", "%s", msg)
	e.Method, e.ResourceType = http.MethodOptions, resourceType
	return e
}

// requestedHeaders parses Access-Control-Request-Headers: a comma-separated
// list of header names, each a valid token.
func requestedHeaders(h http.Header) ([]string, error) {
	v := h.Get("Access-Control-Request-Headers")
	if v == "" {
		return nil, nil
	}
	var out []string
	for _, raw := range strings.Split(v, ",") {
		name := strings.TrimSpace(raw)
		if !gateway.HeaderToken(name) {
			return nil, errMsg("BadRequest", `Access-Control-Request-Headers "%s" contains invalid character.`, raw)
		}
		out = append(out, name)
	}
	return out, nil
}

func invalidCORSMethod(m string) *apiError {
	return errMsg("BadRequest", "Invalid Access-Control-Request-Method: %s", m)
}

// preflight answers OPTIONS without authentication.
func (s *server) preflight(rc *reqCtx) error {
	rc.op = "PreflightCORS"
	release, err := s.limiter.Enter()
	if err != nil {
		return err
	}
	defer release()
	if rc.bucket, rc.key, err = s.addressOf(rc.r); err != nil {
		return err
	}
	h := rc.r.Header
	origin, method := h.Get("Origin"), h.Get("Access-Control-Request-Method")
	if origin == "" {
		return errMsg("BadRequest", "Insufficient information. Origin request header needed.")
	}
	if !gateway.CORSMethod(method) {
		return invalidCORSMethod(method)
	}
	headers, err := requestedHeaders(h)
	if err != nil {
		return err
	}
	var rules []gateway.CORSRule
	if s.cors != nil {
		if rules, err = s.cors.PreflightCORS(rc.r.Context(), rc.bucket); err != nil {
			return err
		}
	}
	if len(rules) == 0 {
		return corsForbidden(true, "")
	}
	rule, anyOrigin := gateway.MatchCORS(rules, origin, method, headers)
	if rule == nil {
		resource := "OBJECT"
		if rc.key == "" {
			resource = "BUCKET"
		}
		return corsForbidden(false, resource)
	}
	out := rc.w.Header()
	setCORSHeaders(out, origin, rule, anyOrigin)
	if len(headers) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(headers, ", ")))
	}
	out.Set("Access-Control-Expose-Headers", withETag(rule.ExposeHeaders))
	rc.w.WriteHeader(http.StatusOK)
	return nil
}

// applyCORS adds the CORS headers of an authenticated request with an
// Origin header, when a rule of its bucket allows it.
func (s *server) applyCORS(rc *reqCtx) error {
	h := rc.r.Header
	origin := h.Get("Origin")
	if origin == "" || rc.bucket == "" {
		return nil
	}
	rules, err := rc.user.NS.CORSRules(rc.r.Context(), rc.bucket)
	if err != nil {
		s.log.Warn().Str("request_id", rc.id).Err(err).Msg("s3: CORS rules unavailable; answering without CORS headers")
		return nil
	}
	if len(rules) == 0 {
		return nil
	}
	method := h.Get("Access-Control-Request-Method")
	if method == "" {
		method = rc.r.Method
	} else if !gateway.CORSMethod(method) {
		return invalidCORSMethod(method)
	}
	headers, err := requestedHeaders(h)
	if err != nil {
		return err
	}
	rule, anyOrigin := gateway.MatchCORS(rules, origin, method, headers)
	if rule == nil {
		return nil
	}
	out := rc.w.Header()
	setCORSHeaders(out, origin, rule, anyOrigin)
	if len(headers) > 0 && len(rule.AllowedHeaders) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(rule.AllowedHeaders, ", ")))
	}
	if len(rule.ExposeHeaders) > 0 {
		out.Set("Access-Control-Expose-Headers", strings.Join(rule.ExposeHeaders, ", "))
	}
	return nil
}

// setCORSHeaders sets the headers every allowed CORS request gets.
func setCORSHeaders(out http.Header, origin string, rule *gateway.CORSRule, anyOrigin bool) {
	credentials := "true"
	if anyOrigin {
		origin, credentials = "*", "false"
	}
	out.Set("Access-Control-Allow-Origin", origin)
	out.Set("Access-Control-Allow-Methods", strings.Join(rule.AllowedMethods, ", "))
	out.Set("Access-Control-Allow-Credentials", credentials)
	if rule.MaxAgeSeconds != nil {
		out.Set("Access-Control-Max-Age", strconv.Itoa(int(*rule.MaxAgeSeconds)))
	}
	out.Set("Vary", corsVary)
}

// withETag is a rule's exposed headers for a preflight, with ETag added
// as versitygw does. Browsers read Access-Control-Expose-Headers from the
// actual response only, which lists the rule's own, as S3 does.
func withETag(expose []string) string {
	for _, h := range expose {
		if strings.EqualFold(h, "ETag") {
			return strings.Join(expose, ", ")
		}
	}
	return strings.Join(append(append([]string(nil), expose...), "ETag"), ", ")
}
