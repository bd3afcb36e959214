package s3

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestNoSpaceNotRetried: an upstream that answers "full" fails the Put with
// ErrNoSpace after one request; a 500 is retried and is ErrUnavailable.
func TestNoSpaceNotRetried(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		code     string // "" sends no error body
		want     error
		requests int64
	}{
		{"MinIO full", http.StatusInsufficientStorage, "XMinioStorageFull", backends.ErrNoSpace, 1},
		{"versitygw ENOSPC", http.StatusInsufficientStorage, "InsufficientStorage", backends.ErrNoSpace, 1},
		{"bare 507", http.StatusInsufficientStorage, "", backends.ErrNoSpace, 1},
		{"quota", http.StatusForbidden, "QuotaExceeded", backends.ErrNoSpace, 1},
		{"MinIO bucket quota", http.StatusBadRequest, "XMinioAdminBucketQuotaExceeded", backends.ErrNoSpace, 1},
		{"server error", http.StatusInternalServerError, "InternalError", backends.ErrUnavailable, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				if tc.code == "" {
					w.WriteHeader(tc.status)
					return
				}
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, "<Error><Code>"+tc.code+"</Code><Message>m</Message></Error>")
			}))
			defer srv.Close()
			s, err := New(t.Context(), Config{Bucket: "bkt", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true,
				AccessKeyID: "a", SecretAccessKey: "s", MaxRetries: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Put(t.Context(), "k", strings.NewReader("body"), 4, backends.PutOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Put = %v; want %v", err, tc.want)
			}
			if tc.want == backends.ErrNoSpace && errors.Is(err, backends.ErrUnavailable) {
				t.Fatalf("Put = %v; a full upstream is not unavailable", err)
			}
			if got := requests.Load(); got != tc.requests {
				t.Fatalf("%d requests; want %d", got, tc.requests)
			}
		})
	}
}
