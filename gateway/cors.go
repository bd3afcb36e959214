package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// CORS (S3's bucket cross-origin configuration). A bucket's rules are a
// shared record ("bucket cors\x00<bucket>": the bucket's creation time,
// 8 bytes, then the rules as JSON), so that every gateway answers with the
// same rules and a bucket created again has none. Requests are evaluated
// against them through a cache of at most CORSCacheTTL (cors_cache.go),
// and anonymous preflights find the buckets' owners through the markers
// described there.

// CORSRule is one rule of a bucket's CORS configuration.
type CORSRule struct {
	ID             string   `json:"id,omitempty"`
	AllowedOrigins []string `json:"o"`
	AllowedMethods []string `json:"m"`
	AllowedHeaders []string `json:"h,omitempty"`
	ExposeHeaders  []string `json:"e,omitempty"`
	// MaxAgeSeconds, if set, is how long a browser may cache a preflight's
	// answer (S3 accepts any 32-bit value, negative ones included).
	MaxAgeSeconds *int32 `json:"a,omitempty"`
}

// ErrNoSuchCORS is the error for a bucket without a CORS configuration.
var ErrNoSuchCORS = errors.New("gateway: no CORS configuration")

// Limits of a CORS configuration (S3's).
const (
	MaxCORSRules   = 100
	maxCORSBytes   = 64 << 10 // the configuration as stored
	maxCORSIDBytes = 255
	corsShare      = "bucket cors\x00"
)

// CORSProblem names what is wrong with a CORS configuration.
type CORSProblem int

// The faults CheckCORS reports; a door words each as its protocol does.
const (
	CORSNoRules        CORSProblem = iota + 1 // no rule
	CORSTooManyRules                          // more than MaxCORSRules
	CORSTooLarge                              // over 64 KiB stored
	CORSNoOrigin                              // a rule without AllowedOrigin
	CORSOriginWildcard                        // an origin with more than one '*' (Value)
	CORSNoMethod                              // a rule without AllowedMethod
	CORSBadMethod                             // a method other than GET, PUT, POST, DELETE, HEAD (Value)
	CORSBadHeader                             // a header name with a character outside an HTTP token (Value)
	CORSBadID                                 // an ID longer than 255 bytes
)

// CORSError is a CORS configuration that S3 refuses: Problem says why,
// Value is the offending origin, method or header. It wraps
// ErrInvalidArgument.
type CORSError struct {
	Problem CORSProblem
	Value   string
}

func (e *CORSError) Error() string {
	return fmt.Sprintf("%v: CORS configuration: problem %d (%q)", ErrInvalidArgument, e.Problem, e.Value)
}

// Unwrap makes errors.Is(err, ErrInvalidArgument) hold.
func (e *CORSError) Unwrap() error { return ErrInvalidArgument }

// CORSMethod reports whether m is a method a CORS rule may allow (S3's
// five, case-sensitive).
func CORSMethod(m string) bool {
	switch m {
	case "GET", "PUT", "POST", "DELETE", "HEAD":
		return true
	}
	return false
}

// HeaderToken reports whether s is a valid HTTP header name (an RFC 9110
// token); CORS rules may use '*', which is a token character.
func HeaderToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// CheckCORS validates a CORS configuration as S3 does, reporting the
// first fault as a *CORSError.
func CheckCORS(rules []CORSRule) error {
	switch {
	case len(rules) == 0:
		return &CORSError{Problem: CORSNoRules}
	case len(rules) > MaxCORSRules:
		return &CORSError{Problem: CORSTooManyRules}
	}
	for _, r := range rules {
		if err := checkCORSRule(r); err != nil {
			return err
		}
	}
	if js, err := json.Marshal(rules); err != nil || len(js) > maxCORSBytes {
		return &CORSError{Problem: CORSTooLarge}
	}
	return nil
}

func checkCORSRule(r CORSRule) error {
	if len(r.ID) > maxCORSIDBytes {
		return &CORSError{Problem: CORSBadID, Value: r.ID}
	}
	if len(r.AllowedOrigins) == 0 {
		return &CORSError{Problem: CORSNoOrigin}
	}
	for _, o := range r.AllowedOrigins {
		if strings.Count(o, "*") > 1 {
			return &CORSError{Problem: CORSOriginWildcard, Value: o}
		}
	}
	if len(r.AllowedMethods) == 0 {
		return &CORSError{Problem: CORSNoMethod}
	}
	for _, m := range r.AllowedMethods {
		if !CORSMethod(m) {
			return &CORSError{Problem: CORSBadMethod, Value: m}
		}
	}
	for _, list := range [][]string{r.AllowedHeaders, r.ExposeHeaders} {
		for _, h := range list {
			if h != "" && !HeaderToken(h) {
				return &CORSError{Problem: CORSBadHeader, Value: h}
			}
		}
	}
	return nil
}

// Allows reports whether the rule allows a request from origin with
// method and the request headers; anyOrigin is set when the origin matched
// the rule's "*" (the answer then names no origin). Origins match exactly
// or by their one '*' wildcard; header names match case-insensitively,
// wildcards included.
func (r CORSRule) Allows(origin, method string, headers []string) (ok, anyOrigin bool) {
	found := false
	for _, o := range r.AllowedOrigins {
		if wildcardMatch(o, origin) {
			found, anyOrigin = true, o == "*"
			break
		}
	}
	if !found {
		return false, false
	}
	methodOK := false
	for _, m := range r.AllowedMethods {
		methodOK = methodOK || m == method
	}
	if !methodOK {
		return false, false
	}
	for _, h := range headers {
		allowed := false
		for _, a := range r.AllowedHeaders {
			if wildcardMatch(strings.ToLower(a), strings.ToLower(h)) {
				allowed = true
				break
			}
		}
		if !allowed {
			return false, false
		}
	}
	return true, anyOrigin
}

// MatchCORS returns the first rule that allows the request (see
// CORSRule.Allows), or nil.
func MatchCORS(rules []CORSRule, origin, method string, headers []string) (rule *CORSRule, anyOrigin bool) {
	for i := range rules {
		if ok, star := rules[i].Allows(origin, method, headers); ok {
			return &rules[i], star
		}
	}
	return nil, false
}

// wildcardMatch reports whether s matches pattern, where each '*' in the
// pattern stands for any run of bytes. Linear in len(s) times the number
// of stars (greedy with backtracking to the last star only).
func wildcardMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p, mark = star+1, mark+1
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// encodeCORS is the plaintext of a bucket's CORS record.
func encodeCORS(created int64, rules []CORSRule) ([]byte, error) {
	js, err := json.Marshal(rules)
	if err != nil {
		return nil, err
	}
	return append(binary.BigEndian.AppendUint64(nil, uint64(created)), js...), nil
}

// decodeCORS reads a CORS record of the bucket created at created; nil if
// the record is absent or belongs to an earlier bucket of the name.
func decodeCORS(data []byte, created int64) ([]CORSRule, error) {
	if len(data) < 8 || int64(binary.BigEndian.Uint64(data)) != created {
		return nil, nil
	}
	var rules []CORSRule
	dec := json.NewDecoder(bytes.NewReader(data[8:]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rules); err != nil || len(rules) == 0 {
		return nil, fmt.Errorf("%w: CORS record", ErrIntegrity)
	}
	return rules, nil
}

// GetBucketCORS implements Namespace: it always reads the upstream.
func (n *userNS) GetBucketCORS(ctx context.Context, bucket string) ([]CORSRule, error) {
	rules, err := n.readCORS(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if rules == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchCORS, bucket)
	}
	return rules, nil
}

// readCORS reads the bucket's rules (nil: none) and refreshes the cache.
func (n *userNS) readCORS(ctx context.Context, bucket string) ([]CORSRule, error) {
	start := n.svc.cfg.Now()
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	data, _, err := n.GetShared(ctx, corsShare+bucket)
	if err != nil {
		return nil, err
	}
	rules, err := decodeCORS(data, rec.created.UnixNano())
	if err != nil {
		n.svc.integrityFailure("record")
		return nil, err
	}
	n.svc.cors.remember(n.dir, bucket, rules, start)
	return rules, nil
}

// PutBucketCORS implements Namespace: no rules removes the configuration.
func (n *userNS) PutBucketCORS(ctx context.Context, bucket string, rules []CORSRule) error {
	if len(rules) > 0 {
		if err := CheckCORS(rules); err != nil {
			return err
		}
	}
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return err
	}
	var data []byte
	if len(rules) > 0 {
		if data, err = encodeCORS(rec.created.UnixNano(), rules); err != nil {
			return err
		}
	}
	if err := n.swapCORS(ctx, bucket, data); err != nil {
		return err
	}
	if len(rules) > 0 {
		err = n.putCORSMarker(ctx, bucket)
	} else {
		err = n.dropCORSMarker(ctx, bucket, rec.created.UnixNano())
	}
	if err != nil {
		return err
	}
	n.svc.cors.remember(n.dir, bucket, rules, n.svc.cfg.Now())
	return nil
}

// swapCORS writes the CORS record (compare-and-swap, retried).
func (n *userNS) swapCORS(ctx context.Context, bucket string, data []byte) error {
	for range maxSwapAttempts {
		_, version, err := n.GetShared(ctx, corsShare+bucket)
		if err != nil {
			return err
		}
		if _, err = n.PutShared(ctx, corsShare+bucket, data, version); !errors.Is(err, ErrPreconditionFailed) {
			return err
		}
	}
	return fmt.Errorf("%w: CORS configuration changed %d times in a row", ErrConflict, maxSwapAttempts)
}

// dropCORSMarker removes the bucket's preflight marker after its rules
// were cleared, then puts it back if a PutBucketCORS through another
// gateway stored rules meanwhile (its marker may have gone with ours).
func (n *userNS) dropCORSMarker(ctx context.Context, bucket string, created int64) error {
	key, err := n.corsMarkerKey(bucket)
	if err != nil {
		return err
	}
	if err := n.svc.store.Delete(ctx, key); err != nil {
		return upstreamErr(err, ErrNoSuchKey)
	}
	data, _, err := n.GetShared(ctx, corsShare+bucket)
	if err != nil {
		return err
	}
	if rules, _ := decodeCORS(data, created); len(rules) > 0 {
		return n.putCORSMarker(ctx, bucket)
	}
	n.svc.cors.forgetMarker(key)
	return nil
}

// dropCORSMarkerOfDeleted removes, best effort, the preflight marker of a
// bucket just deleted, if it had a CORS configuration (one GET when it had
// none). A bucket of the name created again meanwhile through another
// gateway, with rules, keeps its marker: it is put back if it went.
func (n *userNS) dropCORSMarkerOfDeleted(ctx context.Context, bucket string) {
	ctx = context.WithoutCancel(ctx)
	if data, _, err := n.GetShared(ctx, corsShare+bucket); err != nil || len(data) == 0 {
		return
	}
	key, err := n.corsMarkerKey(bucket)
	if err != nil || n.svc.store.Delete(ctx, key) != nil {
		return
	}
	n.svc.cors.forgetMarker(key)
	rec, err := n.readBucket(ctx, bucket)
	if err != nil || !rec.phase.exists() {
		return
	}
	if data, _, err := n.GetShared(ctx, corsShare+bucket); err == nil {
		if rules, _ := decodeCORS(data, rec.created.UnixNano()); len(rules) > 0 {
			_ = n.putCORSMarker(ctx, bucket)
		}
	}
}
