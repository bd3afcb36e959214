// Package integration holds sealgate's end-to-end tests: real S3 clients
// (aws cli v1 and v2, s3cmd, rclone, boto3, restic, aws-sdk-go-v2) driven
// against a real running server.
//
// Every client driver is first validated against versitygw (a real S3 server
// that checks signatures, see internal/s3server), over HTTP and over HTTPS,
// so that a failure against sealgate is sealgate's and not the driver's.
//
// The CLI clients are installed by .ci/install-clients. A missing client skips
// its test loudly, or fails it when SEALGATE_REQUIRE_EXTERNAL=1 (CI sets it).
// Each client runs with a temporary HOME and config files (the user's own
// configuration is never read or written), with a timeout, and with secrets
// redacted from everything that reaches the test log.
package integration
