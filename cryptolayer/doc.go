// Package cryptolayer is sealgate's cryptography: the SGW1 object format,
// the name cipher and the key hierarchy. It is pure: no HTTP, no logging, no
// configuration, no file or network I/O of its own. The byte-level
// specification is docs/FORMAT.md; golden vectors under testdata/ pin it.
//
// # Objects
//
// An object is sealed as
//
//	[header 80 B][metadata slot 4096 B][64 KiB AEAD chunks …][END 112 B]
//
// [NewWriter] seals a whole object from a stream. [Upload] with
// [Upload.NewPartWriter] seals the parts of a multipart upload
// independently; at completion [Upload.NewPartReader] authenticates them
// again and the gateway re-seals their plaintext into one object with
// NewWriter, keeping the multipart ETag ([Params].ETagParts). Readers also
// open the assembled multipart layout, which sealgate no longer writes
// (docs/FORMAT.md §6). [Open]
// authenticates an object (header MAC, metadata, END: two small reads) and
// [Object.Range] returns any plaintext range through one upstream read.
// [EncryptedSize] and [DecryptedSize] convert sizes exactly, so listings need
// no reads.
//
// Contracts:
//   - Nothing unauthenticated is released: a chunk's bytes are returned only
//     after the chunk verified, and every open verifies END, so a truncated,
//     extended, reordered, spliced or swapped object fails, range reads
//     included. Every such failure wraps [ErrIntegrity].
//   - An object is bound to its (user id, bucket, key) by the header MAC;
//     its keys depend only on the epoch key, a random salt and the fixed
//     header fields, never on its name.
//   - Writers hold a few chunks of memory whatever the object's size; the
//     upstream copy is valid only when Close returned nil.
//   - Errors never contain keys, passwords or plaintext.
//
// # Names and keys
//
// The name cipher encrypts each '/'-separated segment deterministically
// (docs/format-names.md). The keystore seals users, their credentials,
// password verifiers, root keys and epoch keys under the gateway root key
// (docs/format-keys.md): [KeystoreRecord] is the upstream's record (format
// v2, or v3 once an account has security settings, §6b/§6c);
// [OpenKeystore] still reads a first-release keystore file (v1) for
// its migration. [SealExport] seals the root key and the keystore under a
// passphrase for backups.
//
// # Records
//
// [SealRecord] seals the gateway's small records that live in the
// upstream (bucket records, multipart state, properties, shared records),
// each bound to a context that names its place (docs/upstream-layout.md).
package cryptolayer
