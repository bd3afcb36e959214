package s3api

import (
	"encoding/xml"
	"reflect"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// FuzzCORSConfiguration: any body either is refused or yields rules the
// gateway accepts, which read back (GET ?cors) as the same rules.
func FuzzCORSConfiguration(f *testing.F) {
	for _, s := range []string{
		`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>x</ID><AllowedOrigin>https://*.a.b</AllowedOrigin>` +
			`<AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>-3</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration><CORSRule><AllowedOrigin>**</AllowedOrigin><AllowedMethod>get</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration><CORSRule><MaxAgeSeconds>99999999999</MaxAgeSeconds></CORSRule></CORSConfiguration>`,
		`<CORSConfiguration/>`, `<Tagging/>`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in corsConfiguration
		if xml.Unmarshal(body, &in) != nil {
			return
		}
		rules, err := in.rules()
		if err != nil {
			if _, ok := err.(*apiError); !ok {
				t.Fatalf("not an S3 error: %v", err)
			}
			return
		}
		if err := gateway.CheckCORS(rules); err != nil {
			t.Fatalf("accepted rules the gateway refuses: %v", err)
		}
		out, err := xml.Marshal(corsDocument(rules))
		if err != nil {
			t.Fatal(err)
		}
		var back corsConfiguration
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		again, err := back.rules()
		if err != nil || !reflect.DeepEqual(normRules(again), normRules(rules)) {
			t.Fatalf("round trip: %+v %v, want %+v", again, err, rules)
		}
	})
}

// normRules makes empty lists nil, as XML cannot tell them apart.
func normRules(rules []gateway.CORSRule) []gateway.CORSRule {
	out := append([]gateway.CORSRule(nil), rules...)
	for i := range out {
		for _, l := range []*[]string{&out[i].AllowedHeaders, &out[i].ExposeHeaders} {
			if len(*l) == 0 {
				*l = nil
			}
		}
	}
	return out
}
