package s3api

import (
	"encoding/xml"
	"net/http"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// FuzzSSECHeaders: an accepted customer key is 32 bytes whose MD5 the
// request named.
func FuzzSSECHeaders(f *testing.F) {
	f.Add("AES256", b64Key, b64MD5)
	f.Add("AES256", "", "")
	f.Add("", "xx", "yy")
	f.Fuzz(func(t *testing.T, alg, key, sum string) {
		h := http.Header{}
		h.Set(sseCPrefix+"Algorithm", alg)
		h.Set(sseCPrefix+"Key", key)
		h.Set(sseCPrefix+"Key-Md5", sum)
		k, err := sseC(h, sseCPrefix)
		if err == nil && k != nil && (alg != "AES256" || key == "" || sum == "") {
			t.Fatalf("accepted %q %q %q", alg, key, sum)
		}
	})
}

// FuzzTaggingHeader: an accepted x-amz-tagging header is a valid tag set.
func FuzzTaggingHeader(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("aws:x=1")
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{}
		h.Set("X-Amz-Tagging", v)
		tags, err := tagsFromHeader(h)
		if err == nil && gateway.CheckTags(tags, gateway.MaxObjectTags) != nil {
			t.Fatalf("%q accepted as %v", v, tags)
		}
	})
}

// FuzzLifecycleXML: a rule the door accepts is one the gateway accepts, or
// one the gateway refuses with its own error (never a panic).
func FuzzLifecycleXML(f *testing.F) {
	f.Add(`<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix>x/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule></LifecycleConfiguration>`)
	f.Add(`<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><And><Prefix>p</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>`)
	f.Fuzz(func(t *testing.T, body string) {
		var in lifecycleConfiguration
		if xml.Unmarshal([]byte(body), &in) != nil {
			return
		}
		var rules []gateway.LifecycleRule
		for _, x := range in.Rules {
			r, err := x.rule()
			if err != nil {
				return
			}
			rules = append(rules, r)
		}
		if len(rules) > 0 && gateway.CheckLifecycle(rules) == nil {
			for _, r := range rules {
				if back, err := xmlRule(r).rule(); err != nil || back.ID != r.ID || back.Prefix != r.Prefix {
					t.Fatalf("rule %+v does not round-trip: %+v %v", r, back, err)
				}
			}
		}
	})
}
