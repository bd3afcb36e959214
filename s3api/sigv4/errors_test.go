package sigv4

import (
	"errors"
	"fmt"
	"testing"
)

func TestLookupCode(t *testing.T) {
	for sentinel, want := range codes {
		t.Run(sentinel.Error(), func(t *testing.T) {
			code, ok := LookupCode(fmt.Errorf("wrapped: %w", sentinel))
			if !ok || code != want {
				t.Errorf("LookupCode = %q, %v; want %q, true", code, ok, want)
			}
		})
	}
	tests := []struct {
		name string
		err  error
	}{
		{"nil", nil},
		{"foreign", errors.New("not ours")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, ok := LookupCode(tt.err); ok || code != "" {
				t.Errorf("LookupCode = %q, %v; want \"\", false", code, ok)
			}
		})
	}
}

func TestSignatureErrorCode(t *testing.T) {
	if code, ok := LookupCode(&SignatureError{What: "request"}); !ok || code != "SignatureDoesNotMatch" {
		t.Errorf("LookupCode = %q, %v", code, ok)
	}
}
