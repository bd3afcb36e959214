// Package gateway is sealgate's protocol-neutral service: accounts and the
// keystore, authentication decisions, and each user's encrypted namespace
// (buckets, objects, listings, multipart uploads) over an untrusted
// backends.Store, with an LRU of decrypted metadata.
//
// The doors (s3api, davapi) call [Namespace] methods and map the errors of
// this package to their protocol; they never see keys, ciphertext or
// upstream names. Contracts:
//   - Per-user isolation: a Namespace acts only inside its user's upstream
//     directory, whose name is a MAC of the user's random id.
//   - Nothing partial is visible: a write commits only after its body ended
//     cleanly; a failed or interrupted write leaves the previous version.
//     The exception is a write whose commit succeeded but whose bucket
//     check afterwards could not read the upstream: it answers
//     ErrUnavailable and may have taken effect, as after a lost connection.
//   - Nothing unauthenticated is served: every object read is verified by
//     cryptolayer; failures are ErrIntegrity.
//   - Object data streams with bounded buffers; no method holds a whole body.
//   - State that several gateways over one upstream share (today the WebDAV
//     lock table) is kept in small sealed per-user records updated with
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
//   - Background work runs on every gateway without a lease. GC (and so the
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
//
// Known limits: a write stopped (the process killed) between its commit
// and its bucket check can leave an object in a bucket deleted meanwhile,
// seen again if the bucket is created again; and a rollback delete of a
// write that lost the race with DeleteBucket could remove a version written
// after the bucket was created again within that one upstream round trip
// (bucketdel.go, Claim 2). Deleted buckets keep a small tombstone record.
package gateway
