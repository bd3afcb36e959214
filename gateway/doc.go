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
//   - Nothing unauthenticated is served: every object read is verified by
//     cryptolayer; failures are ErrIntegrity.
//   - Object data streams with bounded buffers; no method holds a whole body.
//   - State that several gateways over one upstream share (today the WebDAV
//     lock table) is kept in small sealed per-user records updated with
//     compare-and-swap on the upstream ETag ([Namespace.GetShared],
//     [Namespace.PutShared]; shared.go). They coordinate clients and are not
//     a security boundary: the upstream can delete one or serve an older
//     one, but not forge, alter or move one.
package gateway
