package integration

import (
	"encoding/pem"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/sealgate/sealgate/internal/s3server"
)

// startVersitygw runs a real S3 server and returns targets for its root
// account over HTTP and, through a TLS-terminating proxy that keeps the Host
// header (so signatures still verify), over HTTPS.
func startVersitygw(t *testing.T) (plain, tls target, srv *s3server.Server) {
	t.Helper()
	srv = s3server.Start(t)
	plain = target{Name: "versitygw", Endpoint: srv.Endpoint, Region: srv.Region,
		AccessKey: srv.AccessKeyID, Secret: srv.SecretAccessKey}
	up, err := url.Parse(srv.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httptest.NewTLSServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(up)
			r.Out.Host = r.In.Host
		},
		FlushInterval: -1,
	})
	t.Cleanup(proxy.Close)
	tls = plain
	tls.Name, tls.Endpoint, tls.CAFile = "versitygw-https", proxy.URL, writeCA(t, proxy)
	return plain, tls, srv
}

// writeCA writes the test server's certificate as a PEM CA file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// clientCase is one client scenario against a target.
type clientCase struct {
	name string
	run  func(t *testing.T, tg target)
}

// clientCases are the client drivers; full selects aws cli's complete
// scenario (with the 100 MiB multipart copy) and adds s3backer, run once
// per server over HTTP.
func clientCases(full bool) []clientCase {
	cases := []clientCase{
		{"awscli-v1", func(t *testing.T, tg target) { testAWSCLI(t, tg, 1, full) }},
		{"awscli-v2", func(t *testing.T, tg target) { testAWSCLI(t, tg, 2, full) }},
		{"s3cmd", testS3cmd},
		{"rclone", testRclone},
		{"boto3", testBoto3},
		{"restic", testRestic},
		{"duplicity", testDuplicity},
	}
	if full { // one block device per server is enough
		cases = append(cases, clientCase{"s3backer", testS3backer})
	}
	return cases
}

// TestClientsAgainstVersitygw validates every client driver against a real
// S3 server that checks signatures, so that a failure against sealgate is
// sealgate's, not the driver's.
func TestClientsAgainstVersitygw(t *testing.T) {
	t.Parallel()
	plain, tls, _ := startVersitygw(t)
	for _, c := range clientCases(true) {
		t.Run(c.name+"/http", func(t *testing.T) { c.run(t, plain) })
	}
	for _, c := range clientCases(false) {
		t.Run(c.name+"/https", func(t *testing.T) { c.run(t, tls) })
	}
}
