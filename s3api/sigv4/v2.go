package sigv4

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// v2Subresources are the query parameters SigV2 signs in the canonical
// resource.
var v2Subresources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "attributes": true, "cors": true,
	"delete": true, "encryption": true, "intelligent-tiering": true, "inventory": true,
	"legal-hold": true, "lifecycle": true, "location": true, "logging": true, "metrics": true,
	"notification": true, "object-lock": true, "ownershipControls": true, "partNumber": true,
	"policy": true, "publicAccessBlock": true, "replication": true, "requestPayment": true,
	"response-cache-control": true, "response-content-disposition": true,
	"response-content-encoding": true, "response-content-language": true,
	"response-content-type": true, "response-expires": true, "restore": true,
	"retention": true, "select": true, "select-type": true, "tagging": true, "torrent": true,
	"uploadId": true, "uploads": true, "versionId": true, "versioning": true, "versions": true,
	"website": true,
}

// HostBucket returns a Verifier.VirtualHostBucket for the given service
// domains: "bucket.<domain>" addresses bucket, "<domain>" itself and any
// other host are path style.
func HostBucket(domains ...string) func(host string) string {
	return func(host string) string {
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)
		for _, d := range domains {
			if b, ok := strings.CutSuffix(host, "."+strings.ToLower(d)); ok && b != "" {
				return b
			}
		}
		return ""
	}
}

// v2Creds are the access key, signature and time fields of a SigV2 request.
type v2Creds struct {
	accessKey, signature string
	date                 string // the Date line of the string-to-sign
	t                    time.Time
}

func (v *Verifier) verifyV2(r *http.Request, query bool) (*Auth, error) {
	pairs, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(ErrAuthorizationMalformed, "query string is not valid URL encoding")
	}
	var c *v2Creds
	if query {
		c, err = v.v2QueryCreds(pairs)
	} else {
		c, err = v.v2HeaderCreds(r)
	}
	if err != nil {
		return nil, err
	}
	secret, err := v.lookup(c.accessKey)
	if err != nil {
		return nil, err
	}
	sts := v2StringToSign(r, c.date, v.v2Resource(r, pairs))
	if !v2SignatureMatches(secret, sts, c.signature) {
		return nil, &SignatureError{What: "request", StringToSign: sts}
	}
	a := &Auth{AccessKeyID: c.accessKey, Method: V2Header, SignedAt: c.t, PayloadMode: r.Header.Get("X-Amz-Content-Sha256")}
	if query {
		a.Method, a.SignedAt, a.Expires = V2Query, time.Time{}, c.t
	}
	if a.PayloadMode != "" && !validPayloadMode(a.PayloadMode) {
		return nil, errorf(ErrInvalidContentSHA256, "x-amz-content-sha256 is not valid")
	}
	return a, v.installBody(r, a, nil)
}

// v2HeaderCreds parses "AWS AKID:signature" and checks the request date.
func (v *Verifier) v2HeaderCreds(r *http.Request) (*v2Creds, error) {
	rest := strings.TrimPrefix(r.Header.Get("Authorization"), "AWS ")
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return nil, errorf(ErrAuthorizationMalformed, "expected AWS AccessKeyId:Signature")
	}
	c := &v2Creds{accessKey: rest[:i], signature: rest[i+1:]}
	d := r.Header.Get("X-Amz-Date")
	if d == "" {
		d = r.Header.Get("Date")
		c.date = d
	}
	t, err := parseHTTPDate(d)
	if err != nil {
		return nil, errorf(ErrMissingDate, "Date or x-amz-date is missing or invalid")
	}
	c.t = t
	return c, v.checkSkew(t)
}

// v2QueryCreds parses AWSAccessKeyId, Signature and Expires.
func (v *Verifier) v2QueryCreds(pairs []queryPair) (*v2Creds, error) {
	q := map[string]string{}
	for _, p := range pairs {
		switch p.key {
		case "AWSAccessKeyId", "Signature", "Expires":
			if _, dup := q[p.key]; dup {
				return nil, errorf(ErrAuthQueryMalformed, "repeated %s", p.key)
			}
			q[p.key] = p.value
		}
	}
	exp, err := strconv.ParseInt(q["Expires"], 10, 64)
	if q["AWSAccessKeyId"] == "" || q["Signature"] == "" || err != nil {
		return nil, errorf(ErrAuthQueryMalformed, "AWSAccessKeyId, Signature and Expires are required")
	}
	t := time.Unix(exp, 0)
	now := v.now()
	if now.After(t) {
		return nil, errorf(ErrExpiredPresign, "request has expired")
	}
	if t.Sub(now) > maxPresignSeconds*time.Second+v.skew() {
		return nil, errorf(ErrAuthQueryMalformed, "Expires is more than 7 days ahead")
	}
	return &v2Creds{accessKey: q["AWSAccessKeyId"], signature: q["Signature"], date: q["Expires"], t: t}, nil
}

// v2StringToSign is Method, Content-MD5, Content-Type, Date, the
// canonicalized x-amz-* headers and the canonicalized resource.
func v2StringToSign(r *http.Request, date, resource string) string {
	var b strings.Builder
	for _, s := range []string{r.Method, r.Header.Get("Content-Md5"), r.Header.Get("Content-Type"), date} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	names := make([]string, 0, 8)
	vals := map[string][]string{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") {
			continue
		}
		if _, ok := vals[lk]; !ok {
			names = append(names, lk)
		}
		for _, v := range vs {
			vals[lk] = append(vals[lk], foldSpaces(v))
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString(n + ":" + strings.Join(vals[n], ",") + "\n")
	}
	b.WriteString(resource)
	return b.String()
}

// v2Resource is "/bucket" for virtual-hosted requests, the path as sent, and
// the sorted subresources with their decoded values.
func (v *Verifier) v2Resource(r *http.Request, pairs []queryPair) string {
	res := rawPath(r)
	if v.VirtualHostBucket != nil {
		host := r.Host
		if host == "" {
			host = r.URL.Host
		}
		if b := v.VirtualHostBucket(host); b != "" {
			res = "/" + b + res
		}
	}
	var subs []queryPair
	for _, p := range pairs {
		if v2Subresources[p.key] {
			subs = append(subs, p)
		}
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].key < subs[j].key })
	for i, p := range subs {
		res += map[bool]string{true: "?", false: "&"}[i == 0] + p.key
		if p.value != "" {
			res += "=" + p.value
		}
	}
	return res
}

func v2SignatureMatches(secret []byte, sts, sig string) bool {
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha1.New, secret)
	m.Write([]byte(sts))
	return hmac.Equal(got, m.Sum(nil))
}

// parseHTTPDate accepts the HTTP date formats and RFC 1123 with a numeric
// zone, which SigV2 clients send ("Tue, 27 Mar 2007 19:36:42 +0000").
func parseHTTPDate(s string) (time.Time, error) {
	if t, err := http.ParseTime(s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC1123, s)
}
