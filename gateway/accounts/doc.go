// Package accounts is sealgate's keystore of accounts, shared by every
// gateway of a deployment through the upstream, and the authentication of
// requests against it.
//
// # Where the keystore lives
//
// One sealed record in the upstream's reserved area, RecordKey
// (".sealgate/keystore"), holds every account: name, status, S3 key pair,
// password verifier, user root key and content epoch keys
// (cryptolayer.KeystoreRecord, docs/format-keys.md §6b). It is sealed under
// the gateway root key, and its clear header — the id of that root key, the
// deployment id, a generation and a version — is authenticated. Every
// gateway of a deployment is started with the same root key and the same
// upstream. A first-release keystore file in the data dir (format v1) is
// moved into the upstream at Open (migrate.go); Export and Import carry the
// newest verified record and its root key to a new data dir.
//
// Every change is a compare-and-swap: read the record, change a copy, seal
// it with the version raised by one, and put it only if the upstream still
// holds what was read (backends.PutOptions.IfMatch on its ETag; IfAbsent
// for the first). A lost race is retried with jitter, so concurrent changes
// through several gateways and the CLI all land; none is lost. Argon2id runs
// before the loop, never in it.
//
// # The upstream is not trusted
//
// Each gateway keeps in its data dir, as local trusted state, the newest
// record it has verified (the file "keystore.seen": its header is the
// high-water mark, its body what the gateway serves from when the upstream
// misbehaves). A record from the upstream is accepted only if it opens
// under a root key this gateway holds, belongs to the same deployment, and
// is newer (generation, then version); an older one (a rollback), another
// record claiming the same version (a fork), one of another deployment or
// one that fails authentication is refused: the gateway keeps serving the
// newest it verified and reports an integrity Event (once per upstream
// ETag). A change made while the upstream serves an older record starts
// from the newest verified one, so it heals the upstream. A deliberate
// restore of an older upstream is accepted only by AcceptRestore, which
// raises the generation. Rollback across gateways that never saw each
// other's versions is not detectable (fork consistency, as SUNDR defines
// it).
//
// # Propagation
//
// A running gateway polls the record every Config.PollInterval (default
// 1 s) with one Stat, and reads it (one Get) only when its upstream ETag
// changed: a change made through any gateway applies on every gateway
// within about a second. A lookup that misses (an unknown access key or
// name) reads the record at once, at most every 200 ms.
//
// # Root-key rotation
//
// Deleting an account destroys its keys in the current record, but old
// copies of the record (upstream versioning, backups, a hostile provider)
// still hold them, sealed under the root key. A root-key rotation finishes
// the job: BeginRootRotation stores a new root key in the record (sealed
// under the current one); every running gateway learns it within a poll,
// keeps it in its data dir ("root.key.next") and acknowledges it with a
// record sealed under the new key; FinishRootRotation re-seals the
// keystore under the new key, and every gateway then makes it its root key
// (Config.OnRootKey) and destroys the old one where it can. No copy sealed
// under the old key opens once the old key is gone everywhere.
//
// # Account security (totp.go, apppasswords.go, s3keys.go)
//
// Each account's settings — TOTP secret, the last accepted time step,
// recovery code hashes, app passwords, extra S3 key pairs — are in the
// keystore record (format v3, docs/format-keys.md §6c), under its
// high-water mark: an upstream cannot turn two-factor sign-in off or bring
// back a revoked app password or key by deleting or rolling back records.
// Turning TOTP on is two steps: BeginTOTP returns a secret and stores
// nothing; ConfirmTOTP stores it once a code proves the app has it and
// returns ten recovery codes, once. VerifyCode accepts a TOTP code (RFC
// 6238, SHA-1, 6 digits, 30 s, ±1 step) only for a time step newer than
// the stored one, and stores that step by a compare-and-swap on the
// record: a code accepted on one gateway is refused on every gateway
// (the CAS fails over to the fresh record), and so is any older one. The
// cost is one keystore write per code sign-in (web sign-ins are rare) and
// a new record version every gateway then reads at its next poll. A
// recovery code is deleted when used.
//
// LoginDAV is the WebDAV rule: with TOTP on only app passwords open
// WebDAV (the account password fails, after the same Argon2id run as a
// wrong one); without it the account password (Login) and app passwords
// both do. App passwords never open the web app (it calls Login). App
// passwords are checked against the current snapshot on every request
// (HMAC, no cache; a failed login re-reads the upstream, at most every
// 200 ms, so one made through another gateway works at once), and Login's
// cache depends on the password verifier,
// the keys, the status and the TOTP flag, so a password change, a
// revocation or turning 2FA on through any gateway applies here at the
// next poll (about a second). The original S3 key pair can be revoked only
// while an extra one exists, which then becomes the original: an account
// always keeps one pair.
//
// # Contracts
//
//   - An Account is an immutable snapshot; changes publish new snapshots.
//   - Errors wrap gateway's ErrNoSuchUser, ErrUserExists, ErrAccessDenied,
//     ErrSlowDown and this package's sentinels; messages never contain a
//     password, a secret or key material.
//   - Login costs one Argon2id run unless cached (see Login).
package accounts
