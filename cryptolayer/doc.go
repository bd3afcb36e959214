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
// [NewWriter] seals a whole object from a stream; [Upload] with
// [Upload.NewPartWriter] and [Upload.Complete] seals the parts of a
// multipart upload independently and assembles END at completion. [Open]
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
//     its data key depends only on the epoch key and a random salt, so
//     [Object.Rebind] moves an object by rewriting its 4176-byte prefix.
//   - Writers hold a few chunks of memory whatever the object's size; the
//     upstream copy is valid only when Close returned nil.
//   - Errors never contain keys, passwords or plaintext.
//
// # Names and keys
//
// The name cipher encrypts each '/'-separated segment deterministically
// (docs/format-names.md); the keystore seals users, their credentials,
// password verifiers, root keys and epoch keys under the gateway root key
// (docs/format-keys.md).
package cryptolayer
