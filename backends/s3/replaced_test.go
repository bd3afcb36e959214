package s3

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// TestGetEmptyReplacedWhileRead: a ranged read at 0 gets 416 (the object
// was empty), and the object is replaced by a non-empty one before the
// stat that follows. The Get must not pair the old, empty body with the
// new version's info: it reads again.
func TestGetEmptyReplacedWhileRead(t *testing.T) {
	var gets atomic.Int64
	body := bytes.Repeat([]byte{7}, 5000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && gets.Add(1) == 1 { // the old, empty version
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			_, _ = io.WriteString(w, `<Error><Code>InvalidRange</Code><Message>empty</Message></Error>`)
			return
		}
		w.Header().Set("ETag", `"new"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			return
		}
		var a, b int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.Header.Get("Range"), "bytes="), "%d-%d", &a, &b)
		b = min(b, len(body)-1)
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, len(body)))
		w.Header().Set("Content-Length", strconv.Itoa(b-a+1))
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write(body[a : b+1])
	}))
	defer srv.Close()
	s, err := New(t.Context(), Config{Bucket: "bkt", Endpoint: srv.URL, Region: "us-east-1", PathStyle: true,
		AccessKeyID: "a", SecretAccessKey: "s", MaxRetries: 0})
	if err != nil {
		t.Fatal(err)
	}
	rc, info, err := s.Get(t.Context(), "obj", 0, 70000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(got, body) || info.Size != int64(len(body)) || info.ETag != "new" {
		t.Fatalf("read %d bytes (%v) with info %+v; want the new version's %d bytes", len(got), err, info, len(body))
	}
}
