package gateway

import (
	"crypto/md5" //nolint:gosec // S3 names a customer key by its MD5; it is no integrity check
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Customer keys (S3's SSE-C): an object written with one has its content
// sealed under a key mixed with it (cryptolayer, header flag 0x01), and its
// sealed metadata records base64(MD5(key)), which S3 echoes and against
// which a read's key is checked before any chunk is opened: a wrong key is
// an access error, not an integrity failure. The gateway never stores the
// key itself. The metadata, sizes, ETag and checksum stay readable without
// it (listings need them), as on S3.

// Errors of customer keys.
var (
	ErrCustomerKeyRequired      = errors.New("gateway: the object needs its customer key")
	ErrCustomerKeyMismatch      = errors.New("gateway: the customer key does not match the object's")
	ErrCustomerKeyNotApplicable = errors.New("gateway: the object has no customer key")
	// ErrNotImplemented: a combination the gateway does not serve.
	ErrNotImplemented = errors.New("gateway: not implemented")
)

func customerKeyMD5(k *[32]byte) string {
	sum := md5.Sum(k[:]) //nolint:gosec // see the import
	return base64.StdEncoding.EncodeToString(sum[:])
}

// checkCustomerKey checks a read's key against the object's.
func checkCustomerKey(info ObjectInfo, key *[32]byte) error {
	switch {
	case info.CustomerKeyMD5 == "" && key != nil:
		return ErrCustomerKeyNotApplicable
	case info.CustomerKeyMD5 == "":
		return nil
	case key == nil:
		return ErrCustomerKeyRequired
	case subtle.ConstantTimeCompare([]byte(customerKeyMD5(key)), []byte(info.CustomerKeyMD5)) != 1:
		return ErrCustomerKeyMismatch
	}
	return nil
}

// useCustomerKey checks a read's key and gives it to the opened object.
func useCustomerKey(obj *cryptolayer.Object, info ObjectInfo, key *[32]byte) error {
	if err := checkCustomerKey(info, key); err != nil {
		return err
	}
	if !obj.NeedsCustomerKey() {
		return nil
	}
	if err := obj.UseCustomerKey(key[:]); err != nil {
		return fmt.Errorf("%w: %w", ErrCustomerKeyMismatch, err)
	}
	return nil
}

// uploadWithKey checks a multipart request's customer key against the
// upload's and returns u set to seal and open its parts with it. A
// multipart upload with a customer key needs it on every UploadPart and
// UploadPartCopy, and on the Complete, which re-seals the parts
// (multipart_complete.go).
func uploadWithKey(st *uploadState, u cryptolayer.Upload, key *[32]byte) (cryptolayer.Upload, error) {
	if err := checkCustomerKey(ObjectInfo{CustomerKeyMD5: st.CustomerKeyMD5}, key); err != nil {
		return u, fmt.Errorf("%w: multipart upload", err)
	}
	if key == nil {
		return u, nil
	}
	return u.WithCustomerKey(key[:])
}
