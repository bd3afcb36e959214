package webapp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestCSRF: a state-changing request without its session's token, with a
// wrong one or another session's, or from another site, is 403 and
// changes nothing.
func TestCSRF(t *testing.T) {
	e := newEnv(t)
	c, other := e.login("alice"), e.login("alice")
	for name, hdr := range map[string][]string{
		"missing token":         {csrfHeader, ""},
		"wrong token":           {csrfHeader, "AAAA"},
		"other session's token": {csrfHeader, other.csrf},
		"cross-site fetch":      {"Sec-Fetch-Site", "cross-site"},
		"same-site fetch":       {"Sec-Fetch-Site", "same-site"},
		"foreign origin":        {"Origin", "http://evil.example"},
		"null origin":           {"Origin", "null"},
	} {
		if code, body := c.call("POST", "/api/buckets", `{"name":"csrf-test"}`, hdr...); code != 403 {
			t.Errorf("%s: %d %s, want 403", name, code, body)
		}
		if code, _ := c.call("PUT", "/api/object?bucket=csrf-test&key=x", "data", hdr...); code != 403 {
			t.Errorf("%s: upload %d, want 403", name, code)
		}
		if code, _ := c.call("POST", "/api/logout", "", hdr...); code != 403 {
			t.Errorf("%s: logout %d, want 403", name, code)
		}
	}
	if bs, _ := e.ns("alice").ListBuckets(t.Context()); len(bs) != 0 {
		t.Fatalf("a refused request made a bucket: %v", bs)
	}
	c.must(200, "GET", "/api/buckets", "") // still signed in
	// No Origin or Sec-Fetch-Site (a script, not a browser): the token
	// alone decides.
	c.must(201, "POST", "/api/buckets", `{"name":"csrf-test"}`, "Origin", "", "Sec-Fetch-Site", "")
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	for _, path := range []string{"/", "/assets/app.js", "/assets/app.css", "/api/buckets", "/api/session", "/nope", "/assets/nope.js"} {
		resp := c.do("GET", path, nil)
		_ = resp.Body.Close()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP allows unsafe sources: %q", path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	for path, want := range map[string]string{"/": "text/html", "/assets/app.js": "text/javascript", "/assets/app.css": "text/css"} {
		resp := c.do("GET", path, nil)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for _, path := range []string{"/assets/index.html", "/assets/../doc.go", "/assets/", "/api/"} {
		if code, _ := c.call("GET", path, ""); code != 404 {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
	if code, _ := c.call("PATCH", "/api/object?bucket=a&key=b", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("PATCH: %d", code)
	}
}

// TestPageHasNoInlineScript: the CSP forbids inline script and style, so
// the page must not need them (and never builds HTML from strings). The
// vendored pdf.js files are not ours to write: TestVendoredPDFJS holds
// them to their digests, and the CSP still binds them.
func TestPageHasNoInlineScript(t *testing.T) {
	entries, err := assets.ReadDir("assets")
	if err != nil {
		t.Fatal(err)
	}
	for _, ent := range entries {
		if _, vendored := pdfjsFiles[ent.Name()]; vendored {
			continue
		}
		b, err := assets.ReadFile("assets/" + ent.Name())
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", " style=", " onclick=", "onload=", "alert(", "confirm(", "prompt("} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", ent.Name(), bad)
			}
		}
		if ent.Name() == "index.html" && strings.Contains(s, "<script>") {
			t.Errorf("index.html has an inline script")
		}
		if n := strings.Count(s, "\n"); n > 400 {
			t.Errorf("%s has %d lines; keep assets under 400", ent.Name(), n)
		}
	}
}

// TestEverySentinelMaps: the one error table covers every gateway
// sentinel, also wrapped; only an integrity failure is 500.
func TestEverySentinelMaps(t *testing.T) {
	for _, s := range gateway.Sentinels() {
		mapped := false
		for _, row := range errTable {
			mapped = mapped || row.err == s
		}
		if !mapped {
			t.Errorf("%v has no status: add it to errTable (errors.go)", s)
		}
		status, msg := statusOf(fmt.Errorf("wrapped: %w", s))
		if status == http.StatusInternalServerError && !errors.Is(s, gateway.ErrIntegrity) {
			t.Errorf("%v answers 500", s)
		}
		if strings.Contains(msg, "wrapped") {
			t.Errorf("%v shows its wrapped message %q", s, msg)
		}
	}
	if status, msg := statusOf(errors.New("secret upstream detail")); status != 500 || strings.Contains(msg, "secret") {
		t.Errorf("an unknown error: %d %q", status, msg)
	}
	if status, msg := statusOf(badRequest("bucket is required")); status != 400 || msg != "bucket is required" {
		t.Errorf("a bad request: %d %q", status, msg)
	}
}

// TestAssetsRevalidate: an asset carries an ETag (its digest) and
// no-cache, and a request that names that ETag gets 304 without a body;
// another ETag gets the file.
func TestAssetsRevalidate(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	for _, path := range []string{"/", "/assets/app.js", "/assets/pdf.min.mjs", "/s/some-link"} {
		resp := c.do("GET", path, nil)
		full, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		tag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || len(tag) != 34 || resp.Header.Get("Cache-Control") != "no-cache" || len(full) == 0 {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q, %d bytes", path, resp.StatusCode, tag, resp.Header.Get("Cache-Control"), len(full))
		}
		resp = c.do("GET", path, nil, "If-None-Match", tag)
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("%s with its ETag: %d, %d bytes; want 304 and none", path, resp.StatusCode, len(body))
		}
		resp = c.do("GET", path, nil, "If-None-Match", `"0123456789abcdef0123456789abcdef"`)
		body, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(body, full) {
			t.Errorf("%s with another ETag: %d, %d bytes; want 200 and %d", path, resp.StatusCode, len(body), len(full))
		}
	}
	if assetTags()["app.js"] == assetTags()["app.css"] {
		t.Error("two assets share an ETag")
	}
}
