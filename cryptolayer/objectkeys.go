package cryptolayer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeyRing gives the content key of an epoch. A user's key record implements
// it; an unknown epoch is an error (the object is then unreadable, exactly
// as crypto-shredding intends).
type KeyRing interface {
	EpochKey(epoch uint32) (Key, error)
}

// ContentKey is the key of one content epoch: what new objects are sealed with.
type ContentKey struct {
	Epoch uint32
	Key   Key
}

// EpochKey lets a single ContentKey serve as a KeyRing.
func (c ContentKey) EpochKey(epoch uint32) (Key, error) {
	if epoch != c.Epoch {
		return Key{}, fmt.Errorf("cryptolayer: unknown epoch %d", epoch)
	}
	return c.Key, nil
}

// Binding is what an object is bound to: the header MAC covers these, so an
// object moved to another key, bucket, user or version fails to open.
type Binding struct {
	UserID []byte // the user's random immutable id (never the name)
	Bucket string
	Key    string
	// Version is the S3 version id. "" and NullVersion (the null version of
	// an unversioned or suspended bucket) add nothing to the MAC input, so
	// every object sealed before versioning existed still opens.
	Version string
}

// NullVersion is S3's version id of an object written while versioning was
// never enabled or suspended.
const NullVersion = "null"

// AnyVersion opens an object under the version its sealed metadata names
// (MetaVersion; the null version if none): for the current object of a
// key, whose version the reader cannot know in advance. Object.Version
// reports which it was. It binds less than a named version: any version
// of the same user, bucket and key opens, so a caller asked for a
// particular version must name it. Nothing can be sealed under it.
const AnyVersion = "\x00any"

// MetaVersion is the metadata entry in which a writer records the version
// id it sealed under (only for a version other than "" and NullVersion).
const MetaVersion = "sg:version"

// withVersion returns meta with MetaVersion set for a non-null version
// (a copy; meta itself is not changed).
func withVersion(meta Metadata, version string) Metadata {
	if version == "" || version == NullVersion {
		return meta
	}
	m := make(Metadata, len(meta)+1)
	for k, v := range meta {
		m[k] = v
	}
	m[MetaVersion] = version
	return m
}

// objectKeys are the per-object subkeys. They depend on the epoch key, the
// salt and the fixed header fields, never on the object's name (the header
// MAC binds the name).
type objectKeys struct {
	data, meta cipher.AEAD
	// chunk seals the chunks: data, or for an object with a customer key a
	// key derived from the data key and that key (nil until it is given).
	chunk    cipher.AEAD
	customer *Key // the data key, kept to derive chunk (customer-key objects only)
	suite    Suite
	mac      Key
	id       [16]byte // object id, in every chunk's and END's AAD
}

// CustomerKeySize is the length of an S3 SSE-C key (AES-256).
const CustomerKeySize = 32

// useCustomerKey derives the chunk key of a customer-key object. END and
// the metadata stay under the gateway's keys: sizes, ETag and checksum are
// readable without the customer key; the content is not.
func (k *objectKeys) useCustomerKey(ck []byte) error {
	if len(ck) != CustomerKeySize {
		return fmt.Errorf("%w: %d bytes", ErrCustomerKey, len(ck))
	}
	if k.customer == nil {
		return fmt.Errorf("%w: the object has no customer key", ErrCustomerKey)
	}
	ckey := deriveKey(k.customer[:], ck, "customer chunks")
	defer clear(ckey[:])
	a, err := newAEAD(k.suite, ckey)
	if err != nil {
		return err
	}
	k.chunk = a
	return nil
}

// objectRand is the randomness of salts and nonces. Tests replace it to make
// golden files; nothing else may.
var objectRand io.Reader = rand.Reader

func randomBytes(b []byte) {
	if _, err := io.ReadFull(objectRand, b); err != nil {
		panic("cryptolayer: randomness failed: " + err.Error()) // never fall back
	}
}

func deriveObjectKeys(h *header, epochKey Key) (*objectKeys, error) {
	fixed := h.marshalBody()[:12] // magic, version, suite, chunk size, flags, epoch
	ok := derive(epochKey[:], h.salt[:], KeySize, "object", fixed)
	defer clear(ok)
	k := &objectKeys{mac: deriveKey(ok, nil, "header mac"), suite: h.suite}
	copy(k.id[:], derive(ok, nil, 16, "object id"))
	var err error
	dk, mk := deriveKey(ok, nil, "data"), deriveKey(ok, nil, "meta")
	if k.data, err = newAEAD(h.suite, dk); err != nil {
		return nil, err
	}
	if k.meta, err = newAEAD(h.suite, mk); err != nil {
		return nil, err
	}
	if h.flags&flagCustomerKey != 0 {
		k.customer = &dk // chunk stays nil until the customer key is given
	} else {
		k.chunk = k.data
	}
	return k, nil
}

func newAEAD(s Suite, k Key) (cipher.AEAD, error) {
	switch s {
	case AES256GCM:
		b, err := aes.NewCipher(k[:])
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(b)
	case ChaCha20Poly1305:
		return chacha20poly1305.New(k[:])
	}
	return nil, fmt.Errorf("%w: suite %d", ErrUnsupportedFormat, s)
}

// headerMAC = HMAC-SHA256(K_mac, "SGWh" || header[0:48] || lp(user id) || lp(bucket) || lp(key)
// [|| lp(version)]), the last term only for a version other than "" and NullVersion.
func (k *objectKeys) headerMAC(body []byte, b Binding) [32]byte {
	m := hmac.New(sha256.New, k.mac[:])
	m.Write([]byte("SGWh"))
	m.Write(body)
	m.Write(appendLP(nil, b.UserID))
	m.Write(appendLP(nil, []byte(b.Bucket)))
	m.Write(appendLP(nil, []byte(b.Key)))
	if b.Version != "" && b.Version != NullVersion {
		m.Write(appendLP(nil, []byte(b.Version)))
	}
	var out [32]byte
	copy(out[:], m.Sum(nil))
	return out
}

// seal appends nonce || AEAD(pt, aad) || tag to dst, with a fresh random nonce.
func seal(a cipher.AEAD, dst, pt, aad []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, 12)...)
	randomBytes(dst[n:])
	return a.Seal(dst, dst[n:n+12], pt, aad)
}

// open authenticates and decrypts nonce || ct || tag, appending to dst.
func open(a cipher.AEAD, dst, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < ChunkOverhead {
		return nil, ErrIntegrity
	}
	return a.Open(dst, sealed[:12], sealed[12:], aad)
}
