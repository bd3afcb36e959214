package cryptolayer

import "errors"

// Sentinel errors of the object format. Every error returned by the object
// reader and writer wraps one of them (test with errors.Is).
var (
	// ErrIntegrity: the object failed authentication or is inconsistent: a
	// tampered, truncated, extended, swapped or foreign object. Callers treat
	// every ErrIntegrity the same way and tell the client nothing more.
	ErrIntegrity = errors.New("cryptolayer: object failed authentication")
	// ErrUnsupportedFormat: the object is in a format version or suite this
	// build does not read. It also wraps ErrIntegrity, because an attacker can
	// write any version byte.
	ErrUnsupportedFormat = errors.New("cryptolayer: unsupported object format")
	// ErrMetadataTooLarge: the encoded metadata does not fit the slot.
	ErrMetadataTooLarge = errors.New("cryptolayer: metadata too large")
	// ErrInvalidMetadata: a metadata name is empty or the encoding is not canonical.
	ErrInvalidMetadata = errors.New("cryptolayer: invalid metadata")
	// ErrRange: a plaintext range lies outside the object.
	ErrRange = errors.New("cryptolayer: range not satisfiable")
	// ErrPartLayout: multipart parts that the uniform layout cannot hold
	// (gaps in numbering, unequal sizes, unaligned part size, empty parts).
	// The caller may re-seal such an upload into the uniform layout.
	ErrPartLayout = errors.New("cryptolayer: parts do not fit the uniform layout")
	// ErrWriterState: a Writer method was called out of order (after Close,
	// or Close without the digest it was promised).
	ErrWriterState = errors.New("cryptolayer: writer used out of order")
	// ErrCustomerKey: an object sealed with a customer key (SSE-C) read
	// without it, or a customer key of the wrong length.
	ErrCustomerKey = errors.New("cryptolayer: customer key missing or invalid")
	// ErrTooLarge: an object or part larger than the format can count.
	ErrTooLarge = errors.New("cryptolayer: object too large")
)

// IntegrityError tells which region of an object failed (for metrics and
// the verify command). It unwraps to ErrIntegrity and, when the cause was a
// key lookup or an unsupported format, to that error too. It never holds key
// material or plaintext.
type IntegrityError struct {
	Region string // "header", "metadata", "chunk", "end" or "size"
	Err    error  // optional cause
}

func (e *IntegrityError) Error() string {
	msg := "cryptolayer: object failed authentication (" + e.Region + ")"
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns ErrIntegrity and the cause.
func (e *IntegrityError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrIntegrity}
	}
	return []error{ErrIntegrity, e.Err}
}

func integrity(region string, cause error) error {
	return &IntegrityError{Region: region, Err: cause}
}
