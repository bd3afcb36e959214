package s3api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestInterceptWriterResult checks how gofakes3 error responses are
// re-mapped: codes of s3api's table get its status, others keep gofakes3's.
func TestInterceptWriterResult(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantCode   string
		wantStatus int
		wantMsg    string
	}{
		{"known code", 404, `<Error><Code>NoSuchUpload</Code><Message>NoSuchUpload</Message></Error>`,
			"NoSuchUpload", 404, messages["NoSuchUpload"]},
		{"known code, own message", 400, `<Error><Code>MalformedXML</Code><Message>bad part list</Message></Error>`,
			"MalformedXML", 400, "bad part list"},
		{"known code, gofakes3 status differs", 500, `<Error><Code>NoSuchBucket</Code></Error>`,
			"NoSuchBucket", 404, messages["NoSuchBucket"]},
		{"unknown code keeps status", 400, `<Error><Code>TooManyBuckets</Code><Message>too many</Message></Error>`,
			"TooManyBuckets", 400, "too many"},
		{"unknown conflict", 409, `<Error><Code>ConditionalRequestConflict</Code></Error>`,
			"ConditionalRequestConflict", 409, ""},
		{"no body, 404", 404, "", "NotFound", 404, ""},
		{"no body, 403", 403, "", "AccessDenied", 403, messages["AccessDenied"]},
		{"no body, odd status", 418, "", "InternalError", 418, messages["InternalError"]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			iw := &interceptWriter{w: rec}
			iw.WriteHeader(tt.status)
			if _, err := iw.Write([]byte(tt.body)); err != nil {
				t.Fatal(err)
			}
			var e *apiError
			if err := iw.result(); !errors.As(err, &e) {
				t.Fatalf("result = %v, want an apiError", err)
			}
			if e.Code != tt.wantCode || e.status != tt.wantStatus || e.Message != tt.wantMsg {
				t.Errorf("got %s %d %q, want %s %d %q", e.Code, e.status, e.Message, tt.wantCode, tt.wantStatus, tt.wantMsg)
			}
			if rec.Body.Len() != 0 || rec.Code != http.StatusOK || rec.Flushed {
				t.Errorf("error response leaked to the client: %d %q", rec.Code, rec.Body)
			}
		})
	}
}

// TestInterceptWriterSuccess checks that success responses are forwarded.
func TestInterceptWriterSuccess(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"implicit 200", 0, "<ok/>"},
		{"no content", http.StatusNoContent, ""},
		{"no write at all", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			iw := &interceptWriter{w: rec}
			if tt.status > 0 {
				iw.WriteHeader(tt.status)
			}
			if tt.body != "" {
				_, _ = iw.Write([]byte(tt.body))
			}
			if err := iw.result(); err != nil {
				t.Fatalf("result = %v", err)
			}
			want := tt.status
			if want <= 0 {
				want = http.StatusOK
			}
			if rec.Code != want || rec.Body.String() != tt.body {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body, want, tt.body)
			}
		})
	}
}
