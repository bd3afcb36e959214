package cryptolayer

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
)

// Keystore record format v2 (docs/format-keys.md §6b): the keystore as it
// lives in the untrusted upstream, shared by every gateway of a deployment.
//
//	record = header || nonce[12] || AES-256-GCM(K_ks, nonce, body, aad = header)
//	header = "SGWK" || 0x02 || rootID[8] || deployment[16] || u32 generation || u64 version
//	body   = v1 body || lp(nextRoot)          (nextRoot: empty, or a 32-byte key)
//
// Format v3 (§6c) is the same with 0x03 in the header and the settings
// section (keystore_settings.go) after the v2 body. Readers take both;
// writers write v2 while no account has settings (so a deployment that
// uses none stays readable by older gateways) and v3 otherwise.
//
// The header is in clear so that a gateway knows which root key to try and
// how new a record claims to be before it opens it, and it is authenticated
// as the AAD: a record whose version was changed does not open. rootID
// names the root key (RootKeyID), never revealing it.

const (
	keystoreRecordVersion = 2
	keystoreSettingsVer   = 3
	// keystoreRecordHeader is the length of the clear header.
	keystoreRecordHeader = keystoreHdrLen + 8 + 16 + 4 + 8
	labelRootID          = "root id"
	labelRootKey         = "root key"
)

// RootID names a gateway root key without revealing it: the first 8 bytes
// of HKDF(root, "sgw1 root id"). Printed as hex in messages.
type RootID [8]byte

// String is the hex form.
func (id RootID) String() string { return fmt.Sprintf("%x", id[:]) }

// RootKeyID returns the id of a root key.
func RootKeyID(root Key) RootID {
	var id RootID
	k := deriveKey(root[:], nil, labelRootID)
	copy(id[:], k[:])
	clear(k[:])
	return id
}

// KeystoreHeader is what a record says of itself in clear. It is
// authenticated only once OpenKeystoreRecord accepts the record.
type KeystoreHeader struct {
	Root       RootID   // the root key that seals the record
	Deployment [16]byte // random at the deployment's creation, never changed
	Generation uint32   // raised only by an accepted restore of an older record
	Version    uint64   // raised by every change
}

// Compare orders headers of one deployment by (Generation, Version): -1 if
// h is older than o, 0 if they claim the same version, +1 if newer.
func (h KeystoreHeader) Compare(o KeystoreHeader) int {
	switch {
	case h.Generation != o.Generation:
		return cmpUint(uint64(h.Generation), uint64(o.Generation))
	default:
		return cmpUint(h.Version, o.Version)
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// KeystoreRecord is one version of a deployment's keystore.
type KeystoreRecord struct {
	Deployment [16]byte
	Generation uint32
	Version    uint64
	Keystore   *Keystore
	// NextRoot is the root key a pending rotation moves to, or nil. It is
	// sealed under the current root key, like every user key in the record.
	NextRoot *Key
}

// Header returns the record's header when sealed under root.
func (r *KeystoreRecord) Header(root Key) KeystoreHeader {
	return KeystoreHeader{Root: RootKeyID(root), Deployment: r.Deployment, Generation: r.Generation, Version: r.Version}
}

// Clone returns a deep copy.
func (r *KeystoreRecord) Clone() *KeystoreRecord {
	c := *r
	c.Keystore = r.Keystore.Clone()
	if r.NextRoot != nil {
		k := *r.NextRoot
		c.NextRoot = &k
	}
	return &c
}

// NewDeploymentID returns a random deployment id.
func NewDeploymentID() [16]byte {
	var id [16]byte
	_, _ = rand.Read(id[:])
	return id
}

// SealKeystoreRecord validates r and seals it under root with a fresh
// nonce. Errors wrap ErrKeystoreFormat.
func SealKeystoreRecord(root Key, r *KeystoreRecord) ([]byte, error) {
	return sealKeystoreRecord(root, r, rand.Reader)
}

// sealKeystoreRecord is SealKeystoreRecord with the nonce from rnd (golden tests).
func sealKeystoreRecord(root Key, r *KeystoreRecord, rnd io.Reader) ([]byte, error) {
	body, err := marshalRecordBody(r)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	ver := byte(keystoreRecordVersion)
	if hasSettings(r.Keystore) {
		ver = keystoreSettingsVer
	}
	return sealKeystoreBody(root, appendKeystoreHeader(nil, ver, r.Header(root)), body, rnd)
}

func appendKeystoreHeader(b []byte, ver byte, h KeystoreHeader) []byte {
	b = append(b, keystoreMagic...)
	b = append(b, ver)
	b = append(b, h.Root[:]...)
	b = append(b, h.Deployment[:]...)
	b = binary.BigEndian.AppendUint32(b, h.Generation)
	return binary.BigEndian.AppendUint64(b, h.Version)
}

// ReadKeystoreHeader parses a record's clear header without authenticating
// it. Errors wrap ErrKeystoreFormat (not a keystore record, or too short)
// or ErrUnsupportedVersion (another format version, v1 included).
func ReadKeystoreHeader(data []byte) (KeystoreHeader, error) {
	var h KeystoreHeader
	if len(data) < keystoreHdrLen || string(data[:len(keystoreMagic)]) != keystoreMagic {
		return h, fmt.Errorf("%w: not a keystore", ErrKeystoreFormat)
	}
	if v := data[len(keystoreMagic)]; v != keystoreRecordVersion && v != keystoreSettingsVer {
		return h, fmt.Errorf("%w: version %d", ErrUnsupportedVersion, v)
	}
	if len(data) < keystoreRecordHeader+keystoreNonce+keystoreTag {
		return h, fmt.Errorf("%w: truncated", ErrKeystoreFormat)
	}
	b := data[keystoreHdrLen:keystoreRecordHeader]
	copy(h.Root[:], b[:8])
	copy(h.Deployment[:], b[8:24])
	h.Generation = binary.BigEndian.Uint32(b[24:28])
	h.Version = binary.BigEndian.Uint64(b[28:36])
	return h, nil
}

// OpenKeystoreRecord authenticates and parses a record sealed under root.
// Errors wrap ErrKeystoreFormat, ErrUnsupportedVersion, or ErrKeystoreAuth
// (another root key — compare RootKeyID with the header to tell — or any
// changed, missing or extra byte).
func OpenKeystoreRecord(root Key, data []byte) (*KeystoreRecord, error) {
	h, err := ReadKeystoreHeader(data)
	if err != nil {
		return nil, err
	}
	if h.Root != RootKeyID(root) {
		return nil, fmt.Errorf("%w: sealed under root key %s, not %s", ErrKeystoreAuth, h.Root, RootKeyID(root))
	}
	body, err := openKeystoreBody(root, data, keystoreRecordHeader)
	if err != nil {
		return nil, err
	}
	defer clear(body)
	return parseRecordBody(h, data[len(keystoreMagic)] == keystoreSettingsVer, body)
}

// marshalRecordBody returns the canonical body of a valid record: the v1
// body, then lp(next root key), then (v3: when an account has settings)
// the settings section.
func marshalRecordBody(r *KeystoreRecord) ([]byte, error) {
	body, err := marshalKeystoreBody(r.Keystore)
	if err != nil {
		return nil, err
	}
	var next []byte
	if r.NextRoot != nil {
		if *r.NextRoot == (Key{}) {
			return nil, fmt.Errorf("%w: zero next root key", ErrKeystoreFormat)
		}
		next = r.NextRoot[:]
	}
	body = appendLP(body, next)
	if hasSettings(r.Keystore) {
		body = appendSettings(body, r.Keystore)
	}
	return body, nil
}

// parseRecordBody parses the v1 body and the next-root field after it,
// and with v3 the settings section.
func parseRecordBody(h KeystoreHeader, v3 bool, body []byte) (*KeystoreRecord, error) {
	r := &ksReader{b: body}
	n := r.u32()
	ks := &Keystore{}
	for i := uint32(0); i < n && r.err == nil; i++ {
		ks.Users = append(ks.Users, r.user())
	}
	next := r.lp(KeySize)
	if v3 {
		r.readSettings(ks)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeystoreFormat, r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrKeystoreFormat, len(r.b))
	}
	if err := ks.Validate(); err != nil {
		return nil, err
	}
	rec := &KeystoreRecord{Deployment: h.Deployment, Generation: h.Generation, Version: h.Version, Keystore: ks}
	switch len(next) {
	case 0:
	case KeySize:
		k := Key(next)
		if k == (Key{}) {
			return nil, fmt.Errorf("%w: zero next root key", ErrKeystoreFormat)
		}
		rec.NextRoot = &k
		clear(next)
	default:
		return nil, fmt.Errorf("%w: next root key of %d bytes", ErrKeystoreFormat, len(next))
	}
	return rec, nil
}

// DeriveRootKey returns a key for one deployment-wide purpose of the
// gateway, such as "rotation ack": HKDF(root, "sgw1 root key" || lp(label)).
// label must not be empty (it panics: a programming error).
func DeriveRootKey(root Key, label string) Key {
	if label == "" {
		panic("cryptolayer: DeriveRootKey: empty label")
	}
	return deriveKey(root[:], nil, labelRootKey, []byte(label))
}
