package gateway

import "fmt"

// UploadChecksum is the checksum a multipart upload declared at its start:
// Algorithm ChecksumNone if none (the object then gets a FULL_OBJECT
// CRC64NVME, computed by the gateway, as on S3).
type UploadChecksum struct {
	Algorithm ChecksumAlgorithm
	Composite bool
}

// ChecksumMode is the checksum type a CompleteMultipartUpload names.
type ChecksumMode uint8

// The checksum modes.
const (
	ChecksumModeUnset ChecksumMode = iota
	ChecksumModeFullObject
	ChecksumModeComposite
)

// PartOptions describe an UploadPart's checksum.
type PartOptions struct {
	// Algorithm is the checksum the request carries (a header or a
	// trailer, verified by the door), ChecksumNone if none.
	Algorithm ChecksumAlgorithm
	// Strict refuses a part without a checksum for a COMPOSITE upload (an
	// UploadPart request); otherwise (a copied part) the gateway computes
	// it.
	Strict bool
	// CustomerKey is the request's customer key (SSE-C): it must be the
	// upload's (ErrCustomerKeyRequired, ErrCustomerKeyMismatch,
	// ErrCustomerKeyNotApplicable otherwise).
	CustomerKey *[32]byte
}

// ChecksumAlgorithmError is the refusal of a part whose checksum algorithm
// (Got, ChecksumNone if it has none) is not the upload's (Want). It wraps
// ErrInvalidArgument.
type ChecksumAlgorithmError struct{ Want, Got ChecksumAlgorithm }

func (e *ChecksumAlgorithmError) Error() string {
	return fmt.Sprintf("gateway: part checksum algorithm %d, the upload's is %d", e.Got, e.Want)
}

func (e *ChecksumAlgorithmError) Unwrap() error { return ErrInvalidArgument }

// PartChecksumError is the refusal of a Complete that names, for part Part,
// no checksum (Got ChecksumNone) where the upload needs one, or one of
// another algorithm than the upload's (Want). Missing wraps
// ErrInvalidArgument, another algorithm ErrInvalidPart.
type PartChecksumError struct {
	Part      int
	Want, Got ChecksumAlgorithm
}

func (e *PartChecksumError) Error() string {
	return fmt.Sprintf("gateway: part %d checksum algorithm %d, the upload's is %d", e.Part, e.Got, e.Want)
}

func (e *PartChecksumError) Unwrap() error {
	if e.Got == ChecksumNone {
		return ErrInvalidArgument
	}
	return ErrInvalidPart
}

// ChecksumModeError is the refusal of a Complete that names another
// checksum type than the upload's (Composite). It wraps ErrInvalidArgument.
type ChecksumModeError struct{ Composite bool }

func (e *ChecksumModeError) Error() string {
	return fmt.Sprintf("gateway: the upload's checksum type is composite=%v", e.Composite)
}

func (e *ChecksumModeError) Unwrap() error { return ErrInvalidArgument }

// ChecksumValueError is the refusal of a Complete whose whole object's
// checksum the client expects is not the one computed, of the upload's
// Algorithm. It wraps ErrInvalidArgument (the doors word it).
type ChecksumValueError struct{ Algorithm ChecksumAlgorithm }

func (e *ChecksumValueError) Error() string {
	return fmt.Sprintf("gateway: object checksum (algorithm %d) differs", e.Algorithm)
}

func (e *ChecksumValueError) Unwrap() error { return ErrInvalidArgument }

// ObjectSizeError is the refusal of a Complete whose object size the client
// expects (Want) is not the parts' total (Got). It wraps
// ErrInvalidArgument.
type ObjectSizeError struct{ Want, Got int64 }

func (e *ObjectSizeError) Error() string {
	return fmt.Sprintf("gateway: object size %d expected, the parts make %d", e.Want, e.Got)
}

func (e *ObjectSizeError) Unwrap() error { return ErrInvalidArgument }
