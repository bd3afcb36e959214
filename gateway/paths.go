package gateway

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Upstream layout of one user (docs/upstream-layout.md):
//
//	<dir>/<enc(bucket), object kind>        sealed bucket record
//	<dir>/<enc(bucket), folder kind>/<enc segments…>   objects
//	.sealgate/mp/<dir>/<upload id>/…        multipart upload state and parts
//	.sealgate/props/<upstream key>          properties (props.go)
//	.sealgate/shared/<dir>/<MAC of name>    shared records (shared.go)
//	.sealgate/cors/<dir>/<MAC of name>      CORS preflight markers (cors_cache.go)
//	.sealgate/links/<MAC of a link id>     share links, not per user (share.go)
//
// <dir> is the user's UpstreamDir (a MAC of the random user id).

// userNS is one user's Namespace.
type userNS struct {
	svc     *Service
	user    *cryptolayer.User
	dir     string
	buckets *cryptolayer.NameCipher
}

var _ Namespace = (*userNS)(nil)

// bucketRecordKey is the upstream key of a bucket's record.
func (n *userNS) bucketRecordKey(bucket string) string {
	return n.dir + "/" + n.buckets.EncryptSegment("", bucket, cryptolayer.KindObject)
}

// bucketPrefix is the upstream prefix of a bucket's objects (ends in '/').
func (n *userNS) bucketPrefix(bucket string) string {
	return n.dir + "/" + n.buckets.EncryptSegment("", bucket, cryptolayer.KindFolder) + "/"
}

// names returns the name cipher of a bucket's object keys.
func (n *userNS) names(bucket string) *cryptolayer.NameCipher {
	return n.svc.nameCipher(n.user, n.dir, bucket)
}

// objectKey maps a plaintext key to its upstream key.
func (n *userNS) objectKey(bucket, key string) (string, error) {
	if err := checkObjectKey(key); err != nil {
		return "", err
	}
	enc, err := n.names(bucket).EncryptPath(key)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrKeyTooLong, err)
	}
	up := n.bucketPrefix(bucket) + enc
	if len(up) > backends.MaxKeyLen {
		return "", fmt.Errorf("%w: %d bytes upstream", ErrKeyTooLong, len(up))
	}
	return up, nil
}

// binding is what an object's header MAC binds it to.
func (n *userNS) binding(bucket, key string) cryptolayer.Binding {
	return cryptolayer.Binding{UserID: n.user.ID[:], Bucket: bucket, Key: key}
}

// MaxKeyBytes is S3's limit on object keys.
const MaxKeyBytes = 1024

// checkObjectKey enforces S3's key rules: 1..1024 bytes of UTF-8; NUL is
// refused (XML cannot carry it). Everything else, "..", "a//b", "dir/",
// leading '/', is a valid S3 key and is stored as such.
func checkObjectKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyBytes:
		return fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	case !utf8.ValidString(key) || strings.ContainsRune(key, 0):
		return fmt.Errorf("%w: not UTF-8 or contains NUL", ErrInvalidKey)
	}
	return nil
}

// CheckBucketName enforces S3's bucket naming rules: 3..63 characters of
// lower-case letters, digits, '.' and '-', starting and ending with a letter
// or digit, no "..", not an IP address, not the reserved "xn--" prefix or
// "-s3alias" suffix. Both doors use it.
func CheckBucketName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w: %q: %s", ErrInvalidBucketName, name, why) }
	if len(name) < 3 || len(name) > 63 {
		return bad("must be 3 to 63 characters")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return bad("only lower-case letters, digits, '.' and '-'")
		}
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return bad("must start and end with a letter or digit")
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		return bad("no adjacent periods or period-hyphen")
	}
	if looksLikeIP(name) {
		return bad("must not look like an IP address")
	}
	if strings.HasPrefix(name, "xn--") || strings.HasSuffix(name, "-s3alias") {
		return bad("reserved prefix or suffix")
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func looksLikeIP(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// keys is the user's content key ring for reading objects: the snapshot's
// epochs, and for an epoch the snapshot lacks, the current record's
// (Config.Fresh), so an object sealed after a rotation through another
// gateway is not mistaken for a forgery.
func (n *userNS) keys() cryptolayer.KeyRing {
	return epochKeys{u: n.user, fresh: n.svc.cfg.Fresh}
}

type epochKeys struct {
	u     *cryptolayer.User
	fresh func(id [16]byte) *cryptolayer.User
}

func (k epochKeys) EpochKey(id uint32) (cryptolayer.Key, error) {
	key, err := k.u.EpochKey(id)
	if !errors.Is(err, cryptolayer.ErrUnknownEpoch) || k.fresh == nil {
		return key, err
	}
	if u := k.fresh(k.u.ID); u != nil {
		return u.EpochKey(id)
	}
	return key, err
}

// epochCurrent fails (ErrUnavailable: retry) unless epoch is the user's
// current content epoch in the newest record this gateway knows
// (Config.Current). Writes check it at their commit: once every gateway
// knows of a rotation (one poll), nothing new is committed under the old
// epoch, so the re-encryption that `user rotate` runs after waiting that
// long finds every object still under it, and an epoch it finds unused
// can be dropped without losing an object written meanwhile.
func (n *userNS) epochCurrent(epoch uint32) error {
	if n.svc.cfg.Current == nil {
		return nil
	}
	if u := n.svc.cfg.Current(n.user.ID); u != nil && u.CurrentEpoch != epoch {
		return fmt.Errorf("%w: the account's keys were rotated while this was written (epoch %d is not current): retry", ErrUnavailable, epoch)
	}
	return nil
}
