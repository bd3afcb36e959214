// Package s3api is sealgate's S3 door: an http.Handler that serves the S3
// REST API for many users, each onto their own gateway.Namespace.
//
// Contract:
//   - A request whose header section exceeds 8 KiB is refused first, as
//     AWS does (400 RequestHeaderSectionTooLarge).
//   - Every request is authenticated by sigv4.Verifier (SigV4 header and
//     presigned, SigV2) before anything else; anonymous requests get 403
//     AccessDenied. Two kinds carry no request signature: CORS preflights
//     (OPTIONS), answered without authentication, and browser POST uploads
//     (POST /bucket, multipart/form-data), authenticated by their form's
//     SigV4 policy signature (sigv4.VerifyPostPolicy). Request bodies are verified while they stream (payload
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
//     is every bucket's encryption configuration; SSE-C mixes the client's
//     key into the content key (single writes and multipart uploads, whose
//     every UploadPart, UploadPartCopy and CompleteMultipartUpload must
//     repeat it: the Complete re-seals the parts; a copied part's source
//     takes its own key in the x-amz-copy-source-…-customer-* headers);
//     SSE-KMS is refused with 501 before anything is written, never
//     ignored.
//   - CORS (cors.go, cors_request.go): a bucket's configuration
//     (?cors, up to 100 rules; AWS's errors) is a shared record every
//     gateway reads. A preflight is answered from the rules of every
//     account with a bucket of that name (Config.CORS): the first rule that
//     allows the origin, method and headers answers 200 with the
//     Access-Control-* headers and Vary; otherwise 403 AccessForbidden. A
//     bucket without CORS and a missing bucket answer alike, so preflights
//     do not tell which names exist. An authenticated request with an
//     Origin gets the headers of its bucket's first matching rule, as of at
//     most gateway.CORSCacheTTL (3 s) ago.
//   - POST uploads (post.go, postform.go, postpolicy.go): the fields before
//     the file are read with bounded memory (20 KiB of fields, 64 KiB of
//     body); the policy's expiration and every condition are enforced
//     (AccessDenied "Invalid according to Policy: …", EntityTooLarge and
//     EntityTooSmall for content-length-range); every field but policy,
//     x-amz-signature, file and x-ignore-* must be named by a condition.
//     The file streams into Namespace.PutObject, its length range and
//     x-amz-checksum-* field checked as it streams, so a file that fails is
//     never stored; fields after it are ignored. 204, 200 or 201
//     (PostResponse) by success_action_status, or a 303 to
//     success_action_redirect. Anonymous forms get AccessDenied.
//   - Checksums (checksum.go, sigv4): the ten algorithms of S3 (CRC32,
//     CRC32C, CRC64NVME, SHA1, SHA256, SHA512, MD5, XXHASH64, XXHASH3,
//     XXHASH128) are verified as a body streams and stored with the object;
//     a body without one gets a CRC64NVME (S3's default). SHA512, MD5 and
//     XXHASH* must come in a header on PutObject (a trailer is 501: their
//     value is sealed before the body). CreateMultipartUpload takes
//     x-amz-checksum-algorithm and x-amz-checksum-type (COMPOSITE or
//     FULL_OBJECT, AWS's defaults and refusals); each part's checksum of
//     the upload's algorithm is computed, checked against the request's and
//     stored with the part (UploadPart, UploadPartCopy and ListParts show
//     it); CompleteMultipartUpload checks the part checksums it names and
//     the object's x-amz-checksum-* and x-amz-mp-object-size, and stores
//     the object's COMPOSITE ("…-N") or FULL_OBJECT checksum (the parts'
//     CRCs combined, the object is not read again). HEAD and GET with
//     x-amz-checksum-mode: ENABLED, GetObjectAttributes, the listings,
//     CopyObject (x-amz-checksum-algorithm computes a new one) and the
//     write answers name it. The errors are AWS's, messages included.
//   - Unsupported subresources (?acl, ?policy, ?website …): reads get AWS's
//     canned "not configured" answers, writes 501 NotImplemented before any
//     backend call.
//   - Object ownership (ownership.go): no ACLs, so every bucket is
//     BucketOwnerEnforced, as GetBucketOwnershipControls answers; setting it
//     (PutBucketOwnershipControls, CreateBucket's x-amz-object-ownership) is
//     accepted, the ACL-enabling settings and DeleteBucketOwnershipControls
//     are 501; AWS's MalformedXML, InvalidArgument and
//     InvalidBucketAclWithObjectOwnership for bad requests.
//   - Errors: gateway errors map to S3 codes in one table (errors.go),
//     tested to cover every gateway sentinel (opMessages words a few as
//     AWS does in one operation only), and are rendered by one function,
//     writeError, with AWS's extra fields (ArgumentName/Value, the
//     authentication details sigv4.Details gives). Internal errors never carry detail to the
//     client. The upstream's failures answer what clients retry: 503
//     ServiceUnavailable (with Retry-After, as every 503), or 500
//     InternalError for data that failed authentication; a full upstream
//     answers 507 InsufficientStorage, which clients do not retry; a write
//     over the account's quota 403 QuotaExceeded (a sealgate code: AWS has
//     none), not retried either. An
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
