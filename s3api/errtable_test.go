package s3api

import (
	"fmt"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// notS3 are the gateway sentinels no S3 request can meet, with the reason.
// A new sentinel must get a row in gatewayCodes or an entry here.
var notS3 = map[error]string{
	gateway.ErrUserExists:    "account administration only",
	gateway.ErrPropsTooLarge: "WebDAV dead properties only",
}

// TestEverySentinelMaps: the one error table covers every gateway
// sentinel, each with a known status, also when wrapped.
func TestEverySentinelMaps(t *testing.T) {
	for _, s := range gateway.Sentinels() {
		_, skip := notS3[s]
		var code string
		for _, m := range gatewayCodes {
			if m.err == s {
				code = m.code
			}
		}
		switch {
		case skip && code != "":
			t.Errorf("%v is mapped to %s but listed as unreachable", s, code)
		case !skip && code == "":
			t.Errorf("%v has no S3 code: add it to gatewayCodes (errors.go)", s)
		case !skip:
			if _, ok := statuses[code]; !ok {
				t.Errorf("%v maps to %s, which has no status", s, code)
			}
			if got := toAPIError(fmt.Errorf("wrapped: %w", s), "us-east-1"); got.Code != code {
				t.Errorf("wrapped %v answers %s, want %s", s, got.Code, code)
			}
		}
	}
}
