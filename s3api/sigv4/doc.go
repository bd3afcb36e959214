// Package sigv4 authenticates S3 requests for the S3 door (package s3api):
// every request passes Verifier.Verify before s3api routes it to its
// handlers.
//
// Verifier.Verify accepts exactly one of:
//   - SigV4 header auth (Authorization: AWS4-HMAC-SHA256 …),
//   - SigV4 presigned query auth (X-Amz-Algorithm=AWS4-HMAC-SHA256 …, at most 7 days),
//   - SigV2 header auth (Authorization: AWS AKID:signature),
//   - SigV2 presigned query auth (AWSAccessKeyId, Expires, Signature),
//
// and returns ErrMissingAuth for anonymous requests. VerifyPostPolicy
// authenticates a browser POST upload by its form's SigV4 policy
// signature instead (post.go). It checks the date
// against the clock (MaxSkew, 15 minutes by default), presign expiry, the
// credential scope (region and service), the access key, that every x-amz-*
// header is signed and that host is, and the signature (constant-time).
//
// # The body contract
//
// Verify only checks what precedes the body. When the request has a body it
// replaces r.Body with a reader that verifies it while it streams, with
// bounded memory:
//   - x-amz-content-sha256 = hex SHA-256: the body is hashed;
//   - UNSIGNED-PAYLOAD: passed through;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: aws-chunked framing is
//     decoded and every chunk signature (and the trailer signature) is
//     verified, chained from the request signature;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER: framing and trailer are decoded;
//   - Content-MD5, when present: the body is hashed with MD5;
//   - one x-amz-checksum-* (CRC32, CRC32C, SHA1, SHA256, CRC64NVME, SHA512,
//     MD5, XXHASH64, XXHASH3, XXHASH128), as a header or announced in
//     x-amz-trailer, and x-amz-sdk-checksum-algorithm must name it; on a
//     CompleteMultipartUpload the header names the object's checksum and
//     is left to the door.
//
// Read returns io.EOF only after every check passed. Any other error (one
// wrapping ErrContentSHA256Mismatch, ErrSignatureDoesNotMatch, ErrBadDigest,
// ErrBadChecksum, ErrIncompleteBody, ErrMalformedChunk, …, or a transport
// error) means the body is not authentic: the consumer MUST discard
// everything it read and abort. Bytes of a signed chunk are released before
// that chunk's signature is checked at its end, so a consumer that commits
// anything before io.EOF breaks the contract.
//
// For aws-chunked requests Verify also rewrites the request so that its
// handler sees a plain body: r.ContentLength and Content-Length become
// x-amz-decoded-content-length, aws-chunked is removed from
// Content-Encoding (other encodings are kept), X-Amz-Content-Sha256 becomes
// UNSIGNED-PAYLOAD, and X-Amz-Decoded-Content-Length and X-Amz-Trailer are
// dropped. After a clean EOF, Auth.Checksum exposes the verified checksum,
// which the gateway seals with the object.
//
// # Errors
//
// Every error wraps one exported sentinel (errors.Is); LookupCode maps it
// to the S3 error code. Messages never contain secrets, signatures or the
// string-to-sign; a *SignatureError carries the string-to-sign in a
// separate field that the door may choose to return as AWS does. Message
// returns AWS's wording of a fault where this package knows it, and Details
// the extra fields AWS's Error document carries (AWSAccessKeyId,
// HeadersNotSigned, ArgumentName/Value, the SHA-256 and MD5 digests). Use
// Redact before logging URLs.
//
// Non-test code uses the standard library only.
package sigv4
