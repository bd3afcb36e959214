package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeWebApp: serve runs the web app door, prints it with the other
// endpoints, and the first account signs in with its account password.
func TestServeWebApp(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir)
	web := addrs["web"]
	if !strings.HasPrefix(web, "http://127.0.0.1:") {
		t.Fatalf("web endpoint %q", web)
	}
	pw := firstAccountLine(t, dir, "password")
	body, _ := json.Marshal(map[string]string{"name": "admin", "password": pw})
	resp, err := http.Post(web+"/api/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) != 1 || !resp.Cookies()[0].HttpOnly {
		t.Fatalf("login: %d %v", resp.StatusCode, resp.Cookies())
	}
	req, _ := http.NewRequest("GET", web+"/api/buckets", nil)
	req.AddCookie(resp.Cookies()[0])
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("buckets: %d", resp.StatusCode)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestServeWebOff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir, "--web-addr", "off")
	defer func() { _ = stop() }()
	if _, ok := addrs["web"]; ok || addrs["s3"] == "" {
		t.Fatalf("--web-addr off: endpoints %v", addrs)
	}
}

// TestWebConfig: the web address and session lifetime come from the
// defaults, the file, the environment and the flags, in that order, and
// a lifetime out of bounds is refused.
func TestWebConfig(t *testing.T) {
	c := defaultConfig()
	if c.Web.Addr != "127.0.0.1:7453" || c.Web.SessionLifetime != 12*time.Hour {
		t.Fatalf("defaults: %+v", c.Web)
	}
	file := filepath.Join(t.TempDir(), "c.yaml")
	_ = os.WriteFile(file, []byte("web:\n  addr: 127.0.0.1:1\n  session_lifetime: 1h\n  tls:\n    self_signed: true\n"), 0o600)
	f := newFlags("serve", &strings.Builder{})
	f.str("web-addr", "", func(c *config, v string) { c.Web.Addr = v })
	if _, err := f.parse([]string{"--config", file}); err != nil {
		t.Fatal(err)
	}
	got, err := f.config(func(k string) string {
		return map[string]string{"SEALGATE_WEB_ADDR": "127.0.0.1:2", "SEALGATE_WEB_SECURE_COOKIE": "true"}[k]
	})
	if err != nil || got.Web.Addr != "127.0.0.1:2" || got.Web.SessionLifetime != time.Hour || !got.Web.TLS.SelfSigned || !got.Web.SecureCookie {
		t.Fatalf("file and environment: %+v %v", got.Web, err)
	}
	_ = os.WriteFile(file, []byte("web:\n  session_lifetime: 30s\n"), 0o600)
	if _, err := f.config(func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "web.session_lifetime") {
		t.Fatalf("a 30s lifetime: %v", err)
	}
}
