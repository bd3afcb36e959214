// Package s3api is sealgate's S3 door: an http.Handler that serves the S3
// REST API for many users, each onto their own gateway.Namespace.
//
// Contract:
//   - Every request is authenticated by sigv4.Verifier (SigV4 header and
//     presigned, SigV2) before anything else; anonymous requests get 403
//     AccessDenied. Request bodies are verified while they stream (payload
//     hash, chunk signatures, Content-MD5, x-amz-checksum-*); a body that
//     fails verification, or is shorter than announced, fails the gateway
//     write, which leaves the previous object intact.
//   - Every operation is served here, with the request context: PutObject,
//     GetObject, HeadObject, GetObjectAttributes, CopyObject, DeleteObject,
//     DeleteObjects,
//     CreateMultipartUpload, UploadPart, UploadPartCopy,
//     CompleteMultipartUpload, AbortMultipartUpload, ListParts,
//     ListMultipartUploads, ListObjects v1/v2, ListObjectVersions,
//     ListBuckets, CreateBucket, DeleteBucket, HeadBucket and the
//     subresource probes. gofakes3 contributes only S3 XML types and names
//     (DeleteRequest, MultiDeleteResult, the multipart listing results,
//     ContentTime, UploadID); none of its server runs.
//   - A CompleteMultipartUpload still running after 2 s is answered 200 at
//     once, then kept alive with a space every 10 s until its result (or
//     its Error document) follows, as S3 does (complete.go).
//   - Bodies read whole (DeleteObjects, CompleteMultipartUpload,
//     CreateBucket's configuration) are bounded (2 MiB) and verified to
//     their end before anything acts on them; DeleteObjects takes at most
//     1000 keys.
//   - Server-side encryption (sse.go): every object is encrypted by the
//     gateway, so SSE-S3 (AES256) is accepted, stated on object answers and
//     is every bucket's encryption configuration; SSE-KMS and SSE-C are
//     refused with 501 before anything is written, never ignored.
//   - Unsupported subresources (?acl, ?tagging, ?policy …): reads get AWS's
//     canned "not configured" answers, writes 501 NotImplemented before any
//     backend call.
//   - Errors: gateway errors map to S3 codes in one table (errors.go),
//     tested to cover every gateway sentinel, and are rendered by one
//     function, writeError. Internal errors never carry detail to the
//     client. The upstream's failures answer what clients retry: 503
//     ServiceUnavailable (with Retry-After, as every 503), or 500
//     InternalError for data that failed authentication; a full upstream
//     answers 507 InsufficientStorage, which clients do not retry. An
//     admitted upload that fails midway has the rest of its body (up to
//     32 MiB) read first, so that the client still sending gets the answer
//     instead of a reset connection.
//   - A GET reads the first 64 KiB of its body before the header goes out;
//     a failure after the header was sent aborts the connection
//     (http.ErrAbortHandler): a truncated object is never completed as a
//     200.
//   - A request whose client went away (a write to it failed, or net/http
//     cancelled its context: a disconnect mid-upload or mid-download) is
//     logged and counted with status 499, at info level, never as a server
//     error (failure.go).
//   - Only x-amz-meta-* and the content headers of gateway.Meta are stored;
//     no other X-Amz-* request header.
//   - One access-log line per request at info (request id, user, operation,
//     bucket, status, bytes, duration); object keys and the redacted URL only
//     at debug; never credentials or signatures.
package s3api
