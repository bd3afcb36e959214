package gateway

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Share links: public links to one file or one folder of an account,
// served by the web app to people without an account. A public request
// carries only the link's id, so the gateway finds everything from it:
//
//   - The id is 16 random bytes (128 bits), in URLs as 22 characters of
//     unpadded base64url (ShareID). It never prints (String redacts it),
//     and no upstream key or record holds it.
//   - The link's record lives at
//
//     .sealgate/links/<locator>
//
//     where the locator is base32 of the first 16 bytes of
//     HMAC-SHA256(key = id, "sgw1 share link locator"): one-way, so the
//     upstream learns nothing from it and cannot find a link's record
//     without the id.
//   - The record is sealed twice. Outside, cryptolayer.SealRecord under
//     HMAC-SHA256(key = id, "sgw1 share link record") (the link's record
//     key), bound to the locator, holding the owner's user id and the
//     inner record. Inside, SealRecord under the owner's user key
//     ("share link"), bound to the locator, holding the link (ShareLink
//     as JSON: bucket, the bucket's creation time, key, the file's ETag,
//     times, limit, uses, password verifier). Without the id nobody reads
//     the record; without the owner's user key nobody forges or alters
//     one, so knowing (or choosing) an id gives no access to anybody's
//     files. No deployment
//     key is involved: a root-key rotation keeps every link working.
//   - Every use finds the owner by id (ShareConfig.Owner: the account
//     must exist and be active), opens the inner record with the owner's
//     key, and reads the target by name from the owner's namespace. A
//     file link is bound to the file's ETag at creation: a file replaced,
//     deleted or renamed kills the link (the same bytes stored again keep
//     it: nothing new is disclosed). A folder link serves what is under
//     the folder at each use. Every link is bound to its bucket's
//     creation time: deleting the bucket kills it, and a bucket made
//     again under that name does not revive it.
//   - The owner's shared record "web-shares" lists the owner's links (the
//     locator and the record key, never the id), for "my links" and
//     revocation. Revoking deletes the link's record and its entry;
//     RevokeAll, before an account is deleted, deletes them all.
//   - Every download through a link increments its counter with
//     compare-and-swap on the record (ShareLinks.Use): a limit of N allows
//     at most N downloads over all gateways of an honest upstream.
//
// What an untrusted upstream can do: delete a record (the link dies),
// keep or restore an older version of it (a revoked link comes back
// until it expires, a rolled-back counter allows extra downloads up to
// the limit again; no gateway keeps a high-water mark for links), and
// see when a link is used (its record is read, and written on a counted
// use). It cannot read a link, find one without its id, forge or alter
// one, or point one at another file. Whoever has both a link's id and the
// upstream reads its record, the password verifier too, and can guess the
// password offline at Argon2id's cost.

// ErrNoSuchShare is the error for a link that does not exist, expired,
// was revoked, reached its download limit, whose owner is gone or
// disabled, whose file changed, or whose record failed authentication:
// callers answer all of these alike, so that links cannot be probed.
var ErrNoSuchShare = errors.New("gateway: no such share link")

// Limits of share links.
const (
	// MaxSharesPerAccount bounds an account's links.
	MaxSharesPerAccount = 1000
	// MaxShareLimit bounds a link's download limit.
	MaxShareLimit = 1_000_000
	shareRoot     = ".sealgate/links/"
	shareList     = "web-shares"
	maxShareBytes = 16 << 10
	shareAttempts = 8
)

// ShareID is a link's secret id. It never prints.
type ShareID [16]byte

// NewShareID returns a random id.
func NewShareID() ShareID {
	var id ShareID
	_, _ = rand.Read(id[:])
	return id
}

var shareB64 = base64.RawURLEncoding.Strict()

// ParseShareID reads the URL form of an id (22 characters of unpadded
// base64url); anything else is ErrNoSuchShare.
func ParseShareID(s string) (ShareID, error) {
	var id ShareID
	if len(s) != 22 {
		return id, ErrNoSuchShare
	}
	b, err := shareB64.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, ErrNoSuchShare
	}
	copy(id[:], b)
	return id, nil
}

// Encode is the id's URL form.
func (id ShareID) Encode() string { return shareB64.EncodeToString(id[:]) }

// String returns "[REDACTED]".
func (ShareID) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (ShareID) GoString() string { return "[REDACTED]" }

// locator is the link's upstream name (without shareRoot).
func (id ShareID) locator() string {
	m := shareMAC(id[:], "sgw1 share link locator")
	return sharedB32.EncodeToString(m[:16])
}

// recordKey is the key of the link's outer record.
func (id ShareID) recordKey() cryptolayer.Key {
	return cryptolayer.Key(shareMAC(id[:], "sgw1 share link record"))
}

func shareMAC(key []byte, msg string) [32]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// ShareLink is one link as stored: times in UTC.
type ShareLink struct {
	Bucket string `json:"b"`
	// Key is the file's key, or the folder's prefix ending in "/" (""
	// for a whole bucket).
	Key string `json:"k"`
	// ETag is the file's ETag when the link was made ("" for a folder).
	ETag string `json:"e,omitempty"`
	// BucketCreated is when the link's bucket was created: a bucket
	// deleted and made again under its name is another bucket, and the
	// link died with the first. Zero in links made before it was kept:
	// not checked.
	BucketCreated time.Time `json:"bc,omitzero"`
	Created       time.Time `json:"c"`
	Expires       time.Time `json:"x"`
	// Limit is the number of downloads allowed (0: no limit); Uses the
	// downloads so far.
	Limit    int64          `json:"l,omitempty"`
	Uses     int64          `json:"u,omitempty"`
	Password *SharePassword `json:"p,omitempty"`
}

// Folder reports whether the link is to a folder.
func (l ShareLink) Folder() bool { return l.Key == "" || l.Key[len(l.Key)-1] == '/' }

// usable reports whether the link may be used at now.
func (l ShareLink) usable(now time.Time) bool {
	return now.Before(l.Expires) && (l.Limit == 0 || l.Uses < l.Limit)
}

// SharePassword is a link password's verifier: Argon2id with the
// account passwords' parameters (cryptolayer.PasswordVerifier), bound to
// the link's locator. It never prints.
type SharePassword struct {
	Time      uint32   `json:"t"`
	MemoryKiB uint32   `json:"m"`
	Threads   uint8    `json:"n"`
	Salt      [16]byte `json:"s"`
	Hash      [32]byte `json:"h"`
}

// String returns "[REDACTED]".
func (SharePassword) String() string { return "[REDACTED]" }

func newSharePassword(pw []byte, p cryptolayer.PasswordParams, loc string) (*SharePassword, error) {
	v, err := cryptolayer.NewPasswordVerifier(pw, p, shareContext(loc), [16]byte{})
	if err != nil {
		return nil, fmt.Errorf("%w: share link password: %w", ErrInvalidArgument, err)
	}
	return &SharePassword{Time: v.Time, MemoryKiB: v.MemoryKiB, Threads: v.Threads, Salt: v.Salt, Hash: v.Hash}, nil
}

func (p *SharePassword) verify(pw []byte, loc string) bool {
	v := cryptolayer.PasswordVerifier{Salt: p.Salt, Hash: p.Hash,
		PasswordParams: cryptolayer.PasswordParams{Time: p.Time, MemoryKiB: p.MemoryKiB, Threads: p.Threads}}
	return v.Verify(pw, shareContext(loc), [16]byte{})
}

// shareContext binds a link's records and password to its locator.
func shareContext(loc string) string { return "share link\x00" + loc }
