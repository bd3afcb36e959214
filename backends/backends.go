// Package backends is the seam between sealgate and the untrusted upstream store.
//
// A [Store] keeps opaque objects (already encrypted by the layers above) under
// string keys in one flat key space, like an S3 bucket. Implementations live in
// sub-packages: fs (a local directory, the embedded default), s3 (any
// S3-compatible service) and mem (tests). Every implementation passes the one
// conformance suite in backends/storetest.
//
// # Keys
//
// A key is a non-empty UTF-8 string of at most [MaxKeyLen] bytes made of
// '/'-separated segments. No segment may be empty, "." or "..", and no key may
// contain NUL or '\\', start with '/' or end with '/'. Other keys are rejected
// with [ErrInvalidKey] before anything is touched. Stores that map keys onto a
// hierarchy (fs) may also refuse, with [ErrInvalidKey], a key whose segment is
// already used as an object name at the same level ("a" and "a/b"), and
// segments longer than 255 bytes (a file name's limit). Callers keep object
// and folder names distinct and segments short (sealgate's encrypted names do).
//
// # Contracts shared by all methods
//
//   - Errors wrap the sentinels below with %w; test them with errors.Is.
//   - A Put is atomic: readers see the old object or the new one, never a part.
//     If the reader fails, the context is cancelled or the size does not match,
//     Put returns an error and the old object is untouched.
//   - ObjectInfo.ETag is the upstream's version identity of an object: it
//     changes whenever the stored bytes change (on S3 it is the MD5 of the
//     bytes, so rewriting identical bytes may keep it; sealgate never writes
//     identical ciphertext twice). It is opaque.
//   - Arguments outside the documented ranges (size < -1, both PutOptions
//     fields set, a bad delimiter) are errors wrapping [ErrInvalidArgument];
//     a negative Get offset is [ErrInvalidRange].
//   - Listings are in byte order of the keys (S3 order).
package backends

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxKeyLen is the longest key a Store must accept, in bytes (S3's limit).
const MaxKeyLen = 1024

// MaxListLimit is the largest page a List call returns.
const MaxListLimit = 1000

// Sentinel errors. Implementations wrap them with %w.
var (
	// ErrNotExist: no object under that key.
	ErrNotExist = errors.New("backends: object does not exist")
	// ErrPreconditionFailed: a conditional Put found the object in another state.
	ErrPreconditionFailed = errors.New("backends: precondition failed")
	// ErrInvalidKey: the key breaks the rules in the package documentation.
	ErrInvalidKey = errors.New("backends: invalid key")
	// ErrInvalidRange: the requested range starts beyond the end of the object.
	ErrInvalidRange = errors.New("backends: invalid range")
	// ErrSizeMismatch: the body was shorter or longer than the announced size.
	ErrSizeMismatch = errors.New("backends: body size does not match")
	// ErrInvalidArgument: an argument outside its documented range.
	ErrInvalidArgument = errors.New("backends: invalid argument")
	// ErrUnavailable: the upstream could not be reached or answered with a
	// server error after retries.
	ErrUnavailable = errors.New("backends: upstream unavailable")
	// ErrNoSpace: the upstream refused a write for lack of space or quota
	// (ENOSPC, EDQUOT; an S3 upstream's 507). Retrying the same write will
	// not help until space is freed.
	ErrNoSpace = errors.New("backends: upstream out of space")
	// ErrNoConditionalWrites: the store accepted a write that its condition
	// (IfAbsent, IfMatch) should have refused; see [CheckConditional].
	ErrNoConditionalWrites = errors.New("backends: upstream does not enforce conditional writes")
)

// ObjectInfo describes one stored object.
type ObjectInfo struct {
	Key     string    // the object's key
	Size    int64     // stored size in bytes
	ETag    string    // upstream version identity (opaque, changes on every replace)
	ModTime time.Time // last modification as the upstream reports it
}

// PutOptions makes a Put conditional. At most one of the fields may be set.
type PutOptions struct {
	// IfAbsent: store only if no object exists under the key, else
	// ErrPreconditionFailed.
	IfAbsent bool
	// IfMatch: store only if the current object's ETag equals this, else
	// ErrPreconditionFailed (also when no object exists).
	IfMatch string
}

// ListOptions selects one page of a listing.
type ListOptions struct {
	// Prefix limits the listing to keys that start with it.
	Prefix string
	// Delimiter is "" (list every key under Prefix) or "/" (roll keys that
	// contain a further '/' after Prefix up into Prefixes). No other value is
	// accepted.
	Delimiter string
	// Token continues a listing; "" starts at the beginning. Only a
	// NextToken from the same listing (same Prefix and Delimiter) is valid.
	Token string
	// Limit is the page size: objects plus prefixes. 0 means MaxListLimit;
	// more than the store's page limit (MaxListLimit, or a WidePager's
	// PageLimit) means that limit.
	Limit int
}

// WidePager is implemented by a store whose List serves pages larger than
// MaxListLimit, up to PageLimit entries. A local directory is read whole on
// every List call, so paging a directory of N entries by MaxListLimit
// costs O(N²/MaxListLimit) entries read; callers that read a whole listing
// anyway (the gateway does) ask such a store for wide pages.
type WidePager interface {
	PageLimit() int
}

// ListPage is one page of a listing. Objects and Prefixes are each in byte
// order; together they hold at most Limit entries.
type ListPage struct {
	Objects  []ObjectInfo
	Prefixes []string // each ends with the delimiter
	// NextToken is "" when the listing is complete; otherwise pass it as
	// ListOptions.Token to get the next page.
	NextToken string
}

// Store is an upstream object store. Implementations are safe for concurrent use.
type Store interface {
	// Put stores the bytes read from r under key, atomically. size is the exact
	// number of bytes r yields, or -1 when unknown; a body of another size
	// fails with ErrSizeMismatch and stores nothing.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (ObjectInfo, error)

	// Get returns the bytes [off, off+n) of the object, or [off, end) when
	// n < 0; a range running past the end is cut at the end, and n == 0 is an
	// empty read. off beyond the size (or off == size > 0) is
	// ErrInvalidRange; on an empty object only off == 0 is valid. The caller
	// closes the reader. The ObjectInfo describes the whole object read.
	Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, ObjectInfo, error)

	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (ObjectInfo, error)

	// Delete removes the object. Deleting an absent key succeeds.
	Delete(ctx context.Context, key string) error

	// List returns one page of the keys selected by opts.
	List(ctx context.Context, opts ListOptions) (ListPage, error)

	// Close releases the store's resources.
	Close() error
}

// Copier is an optional capability: a copy that does not move the bytes
// through sealgate (S3 CopyObject). Copy stores a copy of the version of
// src whose ETag is srcETag under dst (unconditionally), or fails with
// ErrPreconditionFailed if src is no longer that version; ErrTooLarge for
// a source the store cannot copy this way (the caller streams it).
type Copier interface {
	Copy(ctx context.Context, src, srcETag, dst string) (ObjectInfo, error)
}

// GatedPutter is an optional capability: a Put whose commit waits for the
// caller. PutGated stores the body as Put does, durably but not yet under
// key, then calls gate once; the object is committed under key only if
// gate returns nil, and gate's error is returned (wrapped) otherwise,
// with nothing stored. gate is not called when the body fails, and it is
// called under none of the store's locks, so it may use the store.
//
// The gateway sets a key's current version aside (a Copy) while the new
// version's body is stored, and commits the new one only once the copy is
// durable: the two writes overlap, and their order on disk still holds.
type GatedPutter interface {
	PutGated(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions, gate func() error) (ObjectInfo, error)
}

// ErrTooLarge is Copy's error for a source beyond the store's copy limit.
var ErrTooLarge = errors.New("backends: object too large to copy in place")

// Retainer is an optional capability: WORM retention of the current
// version of an upstream object (S3 Object Lock on the upstream bucket),
// which then holds against anyone with the upstream's credentials, the
// gateway included: that upstream version cannot be deleted or changed
// before until (mode "GOVERNANCE" or "COMPLIANCE"), or while hold is on.
// Callers find it with a type assertion. ErrNoRetention: the upstream
// offers none (its bucket has no Object Lock).
type Retainer interface {
	Retain(ctx context.Context, key, mode string, until time.Time, hold bool) error
}

// ErrNoRetention is Retain's error for an upstream without Object Lock.
var ErrNoRetention = errors.New("backends: the upstream keeps no retention")

// CheckKey reports whether key follows the rules in the package
// documentation, returning an error wrapping ErrInvalidKey if not.
func CheckKey(key string) error {
	switch {
	case key == "":
		return invalidKey(key, "empty")
	case len(key) > MaxKeyLen:
		return invalidKey(key, "too long")
	case strings.ContainsAny(key, "\x00\\"):
		return invalidKey(key, "contains NUL or backslash")
	case !utf8.ValidString(key):
		return invalidKey(key, "not UTF-8")
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return invalidKey(key, "empty, '.' or '..' segment")
		}
	}
	return nil
}

// CheckPut validates the arguments of a write: the key, the size (-1 for
// unknown, else at least 0) and the options.
func CheckPut(key string, size int64, opts PutOptions) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if size < -1 {
		return fmt.Errorf("put %q: negative size %d: %w", key, size, ErrInvalidArgument)
	}
	if err := CheckPutOptions(opts); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// CheckPutOptions reports whether opts is valid (at most one condition).
func CheckPutOptions(opts PutOptions) error {
	if opts.IfAbsent && opts.IfMatch != "" {
		return fmt.Errorf("%w: IfAbsent and IfMatch together", ErrInvalidArgument)
	}
	return nil
}

// CheckListOptions validates opts and returns the effective page size.
func CheckListOptions(opts ListOptions) (int, error) {
	return CheckListOptionsUpTo(opts, MaxListLimit)
}

// CheckListOptionsUpTo is CheckListOptions for a store whose page limit is
// pageLimit (a WidePager's).
func CheckListOptionsUpTo(opts ListOptions, pageLimit int) (int, error) {
	if opts.Delimiter != "" && opts.Delimiter != "/" {
		return 0, fmt.Errorf("%w: delimiter must be empty or \"/\"", ErrInvalidArgument)
	}
	switch {
	case opts.Limit <= 0:
		return min(MaxListLimit, pageLimit), nil
	case opts.Limit > pageLimit:
		return pageLimit, nil
	}
	return opts.Limit, nil
}

type keyError struct {
	key, why string
}

func (e *keyError) Error() string {
	k := e.key
	if len(k) > 64 {
		k = k[:64] + "…"
	}
	return "backends: invalid key " + strconv.Quote(k) + ": " + e.why
}

func (e *keyError) Unwrap() error { return ErrInvalidKey }

func invalidKey(key, why string) error { return &keyError{key: key, why: why} }
