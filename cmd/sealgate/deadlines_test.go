package main

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStalledUploadIsCutOff: a client that announces a body and stops
// sending is disconnected after the idle timeout (review M1: it would hold
// its in-flight slots forever).
func TestStalledUploadIsCutOff(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(cfg, []byte("limits:\n  idle_timeout: 1s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	addrs, stop := startServe(t, dir, "--config", cfg)
	defer func() { _ = stop() }()
	pw := firstAccountLine(t, dir, "password")
	auth := base64.StdEncoding.EncodeToString([]byte("admin:" + pw))
	req, _ := http.NewRequest("MKCOL", addrs["webdav"]+"/stall/", nil)
	req.Header.Set("Authorization", "Basic "+auth)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("MKCOL: %v %v", resp, err)
	}
	_ = resp.Body.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(addrs["webdav"], "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_, _ = conn.Write([]byte("PUT /stall/k HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + auth + "\r\nContent-Length: 1000\r\n\r\n0123456789"))
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			break // closed by the server (or answered, then closed)
		}
	}
	if waited := time.Since(start); waited > 10*time.Second {
		t.Fatalf("stalled upload held the connection for %v", waited)
	}
}

// TestEarlyAnswerToExpectContinue: a handler that answers before reading
// the body (a wrong password) must reach a client that waits for
// 100 Continue, without the server waiting for the body first.
func TestEarlyAnswerToExpectContinue(t *testing.T) {
	h := progressDeadlines(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}), time.Minute)
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_, _ = conn.Write([]byte("PUT /k HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n"))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 401") {
		t.Fatalf("answer %q, %v; want 401 at once", line, err)
	}
}

// TestKeepAliveWithinIdle: a slow Complete's keep-alive spaces come well
// within the idle timeout that would cut the request.
func TestKeepAliveWithinIdle(t *testing.T) {
	for _, tc := range []struct{ idle, want time.Duration }{
		{5 * time.Minute, 10 * time.Second},
		{30 * time.Second, 10 * time.Second},
		{9 * time.Second, 3 * time.Second},
		{time.Second, time.Second / 3},
	} {
		if got := keepAliveFor(tc.idle); got != tc.want || got >= tc.idle {
			t.Errorf("idle %v: keep-alive %v, want %v", tc.idle, got, tc.want)
		}
	}
}

// TestServerTimeIsNotIdle: a request whose gateway work outlasts the idle
// timeout, without a body or after reading all of it, is answered: the
// server's own time is never taken for a stalled client (a read deadline
// left in place would cancel the request's context under net/http's
// background read).
func TestServerTimeIsNotIdle(t *testing.T) {
	const idle = 300 * time.Millisecond
	h := progressDeadlines(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case <-time.After(4 * idle):
			w.WriteHeader(http.StatusCreated)
		case <-r.Context().Done():
			http.Error(w, "cancelled", http.StatusInternalServerError)
		}
	}), idle)
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		name, method string
		body         io.Reader
	}{
		{"no body", "MKCOL", nil},
		{"body read whole", http.MethodPut, strings.NewReader("0123456789")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, srv.URL+"/k", tc.body)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d, want 201", resp.StatusCode)
			}
		})
	}
}
