// Package s3 is a [backends.Store] over any S3-compatible upstream: AWS S3,
// MinIO, Ceph RGW, Cloudflare R2, versitygw and others.
//
// Every sealgate key k is stored as the object Config.Prefix + k in
// Config.Bucket; listings strip the prefix again. Keys are checked with
// [backends.CheckKey] before any request.
//
// # Writes
//
// Put never sends a body it has not read completely, so nothing partial or
// of the wrong size is ever stored:
//
//   - A body of at most PartSize bytes (known size, or unknown size that ends
//     within PartSize) is read into memory, its size checked, and sent with
//     one PutObject.
//   - A larger body is sent as a multipart upload: parts of PartSize bytes
//     are read one at a time into at most Concurrency buffers and uploaded in
//     parallel. Only CompleteMultipartUpload makes the object visible; on any
//     error (reader, size mismatch, upstream, cancelled context) the upload is
//     aborted. A known size larger than PartSize × 10000 raises the part size;
//     an unknown size is limited to PartSize × 10000 bytes.
//
// Memory per Put is therefore at most PartSize × Concurrency bytes, never the
// whole body, and all Puts of a Store together hold at most MaxBufferBytes
// of buffers (more only when one part alone is larger): a Put waits for its
// first buffer, and takes further ones only while the budget has room.
// Buffering is also what makes the size check safe: handed a plain reader
// longer than Content-Length, the HTTP client sends the first
// Content-Length bytes, the upstream stores them, and only then does the
// client notice (seen with versitygw).
//
// After a failure no new part starts; parts in flight finish, then the
// upload is aborted, and the abort is repeated until ListParts no longer
// finds it. An upload whose abort fails still needs the bucket's lifecycle
// rule for incomplete uploads (AbortIncompleteMultipartUpload). Because
// each request body is an in-memory byte slice, the SDK can rewind it to
// retry. Over HTTP the payload is signed (SHA-256); over
// HTTPS it is sent as UNSIGNED-PAYLOAD, since TLS protects it in transit and
// sealgate's object format authenticates it end to end. SDK request checksums
// are only computed where an operation requires them, and Content-MD5 is
// never sent.
//
// Conditional writes use If-None-Match: * (IfAbsent) and If-Match (IfMatch)
// on PutObject and CompleteMultipartUpload. A multipart Put checks the
// condition with HeadObject first to fail fast, but the condition sent with
// the final request is what decides. Upstreams that ignore these headers
// cannot honour them; AWS S3, MinIO and versitygw do.
// [backends.CheckConditional] detects an upstream that ignores them. Two
// Stores on one bucket and prefix (two gateways) are as coordinated as the
// upstream's conditional writes.
//
// # Reads
//
// List sends ListObjectsV2. MinIO refuses a prefix with a "." or ".."
// segment; since no key has one, List answers a complete such segment
// with an empty page and lists a last one ("a/." for "a/.x") from its
// parent folder.
//
// Get sends a Range header only when a range is asked for; ETag is the
// upstream ETag without quotes. Note that on S3 the ETag of a single-part
// object is the MD5 of its content: rewriting identical bytes keeps the ETag.
// The ModTime returned by Put is the Date of the upstream's answer, which
// may differ by a second from the Last-Modified reported later by Stat.
//
// # Errors
//
// Errors wrap the backends sentinels: NoSuchKey/404 → ErrNotExist,
// PreconditionFailed/412 and ConditionalRequestConflict/409 →
// ErrPreconditionFailed, InvalidRange/416 → ErrInvalidRange, network failures
// and 5xx answers after retries → ErrUnavailable. An upstream out of space or
// quota → ErrNoSpace, at the first answer (the SDK retries only 500, 502,
// 503 and 504, and the same write would be refused again): any 507, MinIO's
// XMinioStorageFull (507) and XMinioAdminBucketQuotaExceeded (400, a bucket
// quota), versitygw's InsufficientStorage (507, ENOSPC) and QuotaExceeded
// (403: Ceph RGW's user and bucket quotas, versitygw's EDQUOT). Upstreams
// that store keys as a file tree (versitygw's posix backend) refuse an
// object "a" next to "a/b"; that is ErrInvalidKey, as are a segment over 255 bytes
// (versitygw's KeyTooLongError, MinIO's XMinioInvalidObjectName) and an
// upstream key over 1024 bytes (AWS S3 and MinIO: KeyTooLongError; the
// limit counts Config.Prefix, so a Store with a prefix of n bytes holds
// keys of at most 1024−n bytes there). MinIO accepts "a" next to "a/b" but
// lists only "a" (it calls overlapping names unsupported); sealgate's
// upstream names never overlap. The original SDK error stays in the chain
// for errors.As. Messages never contain credentials.
package s3
