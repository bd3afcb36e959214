package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeSelfSignedTLS: with --*-tls-self-signed the doors serve HTTPS,
// (serve prints its endpoint lines before it signals ready, so reading the
// output after ready is ordered),
// and the fingerprint serve prints is the certificate they present (what
// a person pins, e.g. for Windows, which refuses Basic auth over HTTP).
func TestServeSelfSignedTLS(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	ready := make(chan map[string]string, 1)
	vars := map[string]string{"SEALGATE_DATA_DIR": dir, "SEALGATE_S3_ADDR": "127.0.0.1:0", "SEALGATE_DAV_ADDR": "127.0.0.1:0",
		"SEALGATE_WEB_ADDR": "127.0.0.1:0", "SEALGATE_ADMIN_ADDR": "off", "SEALGATE_LOG_LEVEL": "warn"}
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &bytes.Buffer{}, getenv: func(k string) string { return vars[k] },
		ready: func(a map[string]string) { ready <- a }}
	done := make(chan error, 1)
	go func() {
		done <- cmdServe(ctx, []string{"--s3-tls-self-signed", "--dav-tls-self-signed", "--web-tls-self-signed"}, e)
	}()
	var addrs map[string]string
	select {
	case addrs = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	for _, door := range []string{"s3", "webdav", "web"} {
		url := addrs[door]
		if !strings.HasPrefix(url, "https://") {
			t.Fatalf("%s door is not HTTPS: %s", door, url)
		}
		var got string
		hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, //nolint:gosec // the test pins the fingerprint instead
			VerifyConnection: func(cs tls.ConnectionState) error {
				s := sha256.Sum256(cs.PeerCertificates[0].Raw)
				got = hex.EncodeToString(s[:])
				return nil
			}}}}
		resp, err := hc.Get(url + "/")
		if err != nil {
			t.Fatalf("%s over HTTPS: %v", door, err)
		}
		_ = resp.Body.Close()
		if !strings.Contains(out.String(), "certificate SHA-256 "+got) {
			t.Fatalf("%s: presented certificate %s is not the printed one:\n%s", door, got, out.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
