// Package gateway is sealgate's protocol-neutral service: each user's
// encrypted namespace (buckets, objects, listings, multipart uploads,
// properties, shared records) over an untrusted backends.Store, with an
// LRU of decrypted metadata; what both doors share (the in-flight
// [Limiter], the [AuthThrottle] that paces failed logins, the error
// sentinels); and the maintenance the CLI runs ([Service.GC],
// [Service.Reencrypt], [Service.Verify], [Service.PurgeUser],
// [Service.SetQuota], [Service.RecountUsage]). Accounts and
// the keystore are gateway/accounts'; this package sees an [Account] only
// as the snapshot of its keys.
//
// The doors (s3api, davapi) call [Namespace] methods and map the errors of
// this package to their protocol; they never see keys, ciphertext or
// upstream names. What the gateway stores where in the upstream is
// docs/upstream-layout.md. Contracts:
//   - Per-user isolation: a Namespace touches only upstream keys under its
//     user's directory, whose name is a MAC of the user's random id: the
//     directory itself and its places in the reserved area
//     (.sealgate/mp/<dir>/, props/<dir>/, shared/<dir>/, cors/<dir>/).
//   - Nothing partial is visible: a write commits only after its body ended
//     cleanly; a failed or interrupted write leaves the previous version.
//     The exception is a write whose commit succeeded but whose bucket
//     check afterwards could not read the upstream: it answers
//     ErrUnavailable and may have taken effect, as after a lost connection.
//   - Nothing unauthenticated is served: every object read is verified by
//     cryptolayer; failures are ErrIntegrity.
//   - Object data streams with bounded buffers; no method holds a whole body.
//   - Writes (and deletes) of one key that commit by compare-and-swap on
//     its current version (in a versioned bucket, and every Complete)
//     take turns within a Service (keylock.go), so overlapping writes
//     through one gateway all succeed; across gateways the swap decides
//     and the loser answers ErrConflict (a Complete re-seals and retries
//     first, a delete retries).
//   - A versioned write's new version becomes current only once the old
//     one is stored under its noncurrent name (aside.go): where the store
//     can hold a commit (backends.GatedPutter) the copy runs while the new
//     body is stored, else before it.
//   - State that several gateways over one upstream share (the WebDAV
//     lock table, quotas) is kept in small sealed per-user records updated with
//     compare-and-swap on the upstream ETag ([Namespace.GetShared],
//     [Namespace.PutShared]; shared.go). They coordinate clients and are not
//     a security boundary: the upstream can delete one or serve an older
//     one, but not forge, alter or move one.
//
// # Many gateways, one upstream
//
// Several Services (gateway processes) over one upstream behave as one S3
// service: what one writes, the others read, list and see deleted at once.
// A Service keeps only caches that cannot be stale, or that no answer is
// taken from:
//   - Decrypted metadata is keyed by (upstream key, upstream ETag): a new
//     version is a new entry. Listings take plaintext names from it too, and
//     folder names from a cache keyed by upstream prefix (names are
//     deterministic).
//   - A first page of a listing (no Marker) always comes from a fresh
//     upstream listing. Continuation pages come from the listing of their
//     paging run (ListQuery.Snapshot) or a newer one of the same gateway,
//     at most ListCacheTTL old; a gateway that does not hold it lists
//     afresh. An S3 v1 marker names no run: its page comes from a listing of
//     this gateway that ended a page at that marker, else from a fresh one.
//   - Bucket existence is read from the bucket record by each request that
//     answers it: HeadBucket, DeleteObject(s), CreateMultipartUpload,
//     UploadPart, ListParts, AbortMultipartUpload, ListMultipartUploads. A
//     read of an object, a HeadFolder and a listing read it only when they
//     found nothing (an object implies its bucket). Writes skip the read
//     before writing for a bucket seen live in the last 10 s, and read the
//     record after committing; DeleteBucket marks the record first. The
//     protocol and its proof are in bucketdel.go. GetProps of a resource
//     without properties is the one answer taken from that 10 s hint.
//   - Multipart uploads live in the upstream: created on one gateway, they
//     take parts, are listed, completed or aborted on any. Two Completes of
//     one upload on two gateways write one object and answer with it (or
//     one answers ErrUnavailable, and its retry does); a Complete never
//     overwrites a version written after the upload was completed.
//   - Multipart checksums (checksum.go, multipart_checksum.go): an upload
//     declares an algorithm and COMPOSITE or FULL_OBJECT, or none (it then
//     gets a FULL_OBJECT CRC64NVME). Each part's checksum is computed as it
//     streams and kept in its sealed record; the Complete checks the part
//     checksums it is given against them and makes the object's checksum
//     from them alone (CRCs are combined, the object is not read for it).
//     The checksum errors are typed (ChecksumAlgorithmError, …) so that a
//     door can word them.
//   - GC and Reencrypt run on every gateway without a lease. GC (and so the
//     upload expiry every gateway runs) removes only expired uploads,
//     leftover parts and properties of vanished objects: each removal is
//     idempotent, and nothing a live operation needs qualifies. Reencrypt
//     re-seals each object only if it still holds the version read, so of
//     two runs (or a run and a client) one write wins and the other counts
//     the object as remaining: a run over-counts Remaining, never
//     under-counts. An epoch a run reports unused is unused: a write commits
//     only under the account's current epoch as its gateway knows it
//     (Config.Current; a write across a rotation fails with ErrUnavailable),
//     and `user rotate` re-encrypts only after every gateway has polled the
//     rotation.
//   - An account's storage quota (bytes, objects) and usage are one shared
//     record, updated with compare-and-swap by batched usage deltas
//     (quota.go). A write is admitted against the record as this gateway
//     last read it (at most Config.QuotaRefresh old) plus its own pending
//     and in-flight bytes and objects; usage exceeds the quota by at most
//     gateways × Config.QuotaFlushBytes (QuotaFlushObjects) plus the
//     writes in flight. Deletes are never refused. A gateway's
//     unflushed delta is lost if it crashes; [Service.ReconcileUsage]
//     recounts the usage from a listing (one gateway at a time: the
//     "usage lease") and heals that drift.
//   - A bucket's CORS rules are a shared record; requests (and anonymous
//     preflights) are evaluated against a cache of them at most
//     CORSCacheTTL (3 s) old, and preflights find a bucket name's owners
//     from a listing of markers as old (cors_cache.go). A change made
//     through another gateway applies here within that time; GetBucketCORS
//     always reads the record.
//   - Share links (ShareLinks; share.go) are deployment-wide records found
//     from a link's secret id alone, sealed under a key derived from the id
//     and the owner's user key; a use is counted with compare-and-swap on
//     the record, and the owner's list is the shared record "web-shares".
//
// Known limits: a write stopped (the process killed) between its commit
// and its bucket check can leave an object in a bucket deleted meanwhile,
// seen again if the bucket is created again; and a rollback delete of a
// write that lost the race with DeleteBucket could remove a version written
// after the bucket was created again within that one upstream round trip
// (bucketdel.go, Claim 2). Deleted buckets keep a small tombstone record.
//
// # The route of one PUT
//
// An S3 PutObject from the socket to the upstream, over the fs store:
//
//  1. cmd/sealgate/serve.go: the S3 door's listener, bound at start
//     (listenAll), is served by an http.Server (headers within 30 s and
//     64 KiB); cmd/sealgate/deadlines.go makes every body read and
//     response write push the connection's deadlines forward by
//     limits.idle_timeout, so a stalled client is cut off and a slow one
//     that moves is not.
//  2. s3api/server.go: ServeHTTP authenticates first (sigv4's Verify; a bad
//     signature is paced per client address by [AuthThrottle]), then takes
//     a total and a per-user slot of the [Limiter] (limits.go). Routing
//     (s3api/route.go) sends a PUT of a key without x-amz-copy-source to
//     putObject (s3api/put.go), which reads metadata and conditions from
//     the headers.
//  3. s3api/sigv4/body.go: Verify has replaced the request body by a
//     verifying reader: it decodes aws-chunked framing and checks each
//     chunk signature (chunked.go), hashes the body against
//     x-amz-content-sha256, Content-MD5 and x-amz-checksum-* (checksum.go),
//     and returns io.EOF only once every check passed.
//  4. gateway/put.go: [Namespace.PutObject] checks the bucket (buckets.go),
//     encrypts the key (paths.go, with cryptolayer's name cipher) and turns
//     If-Match or If-None-Match into an upstream condition; writeObject
//     seals the metadata (meta.go) and starts the sealer.
//  5. cryptolayer/writer.go: NewWriter writes the object's header and
//     sealed metadata slot; chunkwriter.go seals the body in 64 KiB AEAD
//     chunks as copyBody feeds it; Close appends END (size, MD5, checksum).
//  6. gateway/put.go: the sealer writes into an io.Pipe on its own
//     goroutine, whose other end is the body of the upstream Put: the
//     object streams with a few chunks in memory. A body that fails
//     verification closes the pipe with its error, and the Put commits
//     nothing.
//  7. backends/fs/write.go: Store.Put copies the pipe into a temp file in
//     the store's private tmp/<id>/ (from 4 MiB in aligned 1 MiB O_DIRECT
//     blocks, blockwrite.go), checks the size and fsyncs the file.
//  8. backends/fs/write.go: commit takes the key's lock (lock.go: a mutex
//     and a flock stripe), checks the condition, renames the temp file to
//     data/<upstream key> and fsyncs the directory. writeObject then
//     caches the metadata and confirms that the bucket still exists
//     (bucketdel.go), and putObject answers 200 with the ETag.
package gateway
