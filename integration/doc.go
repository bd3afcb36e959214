// Package integration holds sealgate's end-to-end tests: real S3 clients
// (aws cli v1 and v2, s3cmd, rclone, boto3, restic, duplicity, s3backer,
// aws-sdk-go-v2) and real
// WebDAV clients (litmus, cadaver, rclone, davfs2) driven against a real
// running server, and the web app driven in Debian's headless Chromium
// (chromedp; web_test.go).
//
// The S3 clients run against the S3 door served in process over a store
// (startSealgate), over HTTP and HTTPS; every S3 client driver is first
// validated against versitygw (a real S3 server that checks signatures, see
// internal/s3server), so that a failure against sealgate is sealgate's and
// not the driver's. The WebDAV clients, and the tests of several gateways
// over one upstream, run against the built binary (`sealgate serve`,
// started by internal/gwproc through newCluster).
//
// The CLI clients and Chromium are installed by .ci/install-clients (S3, web) and
// .ci/install-dav-clients (WebDAV). A missing client skips its test
// loudly, or fails it when SEALGATE_REQUIRE_EXTERNAL=1 (CI sets it).
// Each client runs with a temporary HOME and config files (the user's own
// configuration is never read or written), with a timeout, and with secrets
// redacted from everything that reaches the test log.
package integration
