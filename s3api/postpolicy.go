package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// The policy of a browser POST upload: a base64 JSON document with an
// expiration and the conditions every form field must meet (AWS's "POST
// policy"). Its errors are AWS's: InvalidPolicyDocument for a document
// that cannot be read, AccessDenied "Invalid according to Policy: …" for a
// form it does not allow.

// postPolicy is a parsed policy.
type postPolicy struct {
	expiration time.Time
	conds      []policyCond
	// The content-length-range, if any (both bounds inclusive).
	minSize, maxSize int64
	hasRange         bool
}

// policyCond is one eq or starts-with condition.
type policyCond struct {
	prefix bool   // starts-with; else eq
	field  string // lower-case, without '$'; "" when the field did not start with '$'
	value  string
	text   string // the condition as the error message shows it
}

func badPolicy(format string, args ...any) *apiError {
	return errMsg("InvalidPolicyDocument", "Invalid Policy: "+format, args...)
}

func deniedByPolicy(format string, args ...any) *apiError {
	return errMsg("AccessDenied", "Invalid according to Policy: "+format, args...)
}

func errPolicyJSON() *apiError { return badPolicy("Invalid JSON.") }

// parsePolicy decodes and parses a policy field.
func parsePolicy(b64 string) (*postPolicy, error) {
	if b64 == "" {
		return nil, badPolicy("Expecting '{' but found End-of-Input")
	}
	doc, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, badPolicy("invalid Base64 encoding.")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil || top == nil {
		return nil, errPolicyJSON()
	}
	var extra []string
	for k := range top {
		if k != "expiration" && k != "conditions" {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, badPolicy("Unexpected: %q", extra[0])
	}
	p := &postPolicy{maxSize: math.MaxInt64}
	rawExp, ok := top["expiration"]
	if !ok {
		return nil, badPolicy("Policy missing expiration.")
	}
	var exp string
	if err := json.Unmarshal(rawExp, &exp); err != nil {
		return nil, errPolicyJSON()
	}
	if p.expiration, err = time.Parse(time.RFC3339Nano, exp); err != nil {
		return nil, badPolicy("Invalid 'expiration' value: '%s'", exp)
	}
	rawConds, ok := top["conditions"]
	if !ok {
		return nil, badPolicy("Policy missing conditions.")
	}
	var conds []json.RawMessage
	if err := json.Unmarshal(rawConds, &conds); err != nil || conds == nil {
		return nil, badPolicy("Invalid 'conditions' value: must be a List.")
	}
	for _, c := range conds {
		if err := p.parseCond(c); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseCond parses one condition: {"field": "value"} or [op, …].
func (p *postPolicy) parseCond(raw json.RawMessage) error {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) > 0 && raw[0] == '{':
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return errPolicyJSON()
		}
		if len(m) != 1 {
			return badPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return badPolicy("Invalid Simple-Condition: value must be a string.")
			}
			p.conds = append(p.conds, policyCond{field: strings.ToLower(k), value: s, text: fmt.Sprintf(`["eq", "$%s", "%s"]`, k, s)})
		}
		return nil
	case len(raw) > 0 && raw[0] == '[':
		var args []json.RawMessage
		if err := json.Unmarshal(raw, &args); err != nil {
			return errPolicyJSON()
		}
		return p.parseOp(raw, args)
	}
	return badPolicy("Invalid condition test: must be a List or Object.")
}

// parseOp parses [op, args…].
func (p *postPolicy) parseOp(raw json.RawMessage, args []json.RawMessage) error {
	if len(args) == 0 {
		return badPolicy("Invalid Condition: missing operation identifier.")
	}
	var op string
	if json.Unmarshal(args[0], &op) != nil {
		return errPolicyJSON()
	}
	var text bytes.Buffer
	_ = json.Compact(&text, raw)
	switch strings.ToLower(op) {
	case "eq", "starts-with":
		if len(args) != 3 {
			return badPolicy("Invalid %s: wrong number of arguments.", op)
		}
		var field, value string
		if json.Unmarshal(args[1], &field) != nil || json.Unmarshal(args[2], &value) != nil {
			return errPolicyJSON()
		}
		c := policyCond{prefix: strings.EqualFold(op, "starts-with"), value: value, text: text.String()}
		if name, ok := strings.CutPrefix(field, "$"); ok {
			c.field = strings.ToLower(name)
		}
		p.conds = append(p.conds, c)
	case "content-length-range":
		if len(args) != 3 {
			return badPolicy("Invalid %s: wrong number of arguments.", op)
		}
		var lo, hi int64
		if json.Unmarshal(args[1], &lo) != nil || json.Unmarshal(args[2], &hi) != nil || lo < 0 || hi < lo {
			return errPolicyJSON()
		}
		p.minSize, p.maxSize, p.hasRange = max(p.minSize, lo), min(p.maxSize, hi), true
	default:
		return badPolicy("Invalid Condition: unknown operation '%s'.", op)
	}
	return nil
}

// policyExempt are the form fields no condition needs to name.
var policyExempt = map[string]bool{"policy": true, "x-amz-signature": true, "file": true}

// check verifies the form's fields (lower-case names to values, the key
// after ${filename}) against the policy at time now: its expiration, every
// condition, and that every field sent is named by a condition. A
// condition on the bucket is checked against the request's bucket, sent
// as a field or not.
func (p *postPolicy) check(form map[string]string, bucket string, now time.Time) error {
	if !now.Before(p.expiration) {
		return deniedByPolicy("Policy expired.")
	}
	covered := map[string]bool{}
	for _, c := range p.conds {
		v := form[c.field]
		if c.field == "bucket" {
			v = bucket
		}
		if c.field == "" || !c.meets(v) {
			return deniedByPolicy("Policy Condition failed: %s", c.text)
		}
		covered[c.field] = true
	}
	var extra []string
	for name := range form {
		if !covered[name] && !policyExempt[name] && !strings.HasPrefix(name, "x-ignore-") {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return deniedByPolicy("Extra input fields: %s", extra[0])
	}
	return nil
}

// meets reports whether a field's value meets the condition. A
// starts-with on Content-Type holds for each of a comma-separated list.
func (c policyCond) meets(v string) bool {
	switch {
	case !c.prefix:
		return v == c.value
	case c.field == "content-type":
		for _, part := range strings.Split(v, ",") {
			if !strings.HasPrefix(strings.TrimSpace(part), c.value) {
				return false
			}
		}
		return true
	}
	return strings.HasPrefix(v, c.value)
}
