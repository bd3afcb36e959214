package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// upstreamErr maps a backends or cryptolayer error to the gateway's
// sentinels, keeping the cause for logs. notExist is the error an absent
// object means in this call (ErrNoSuchKey, ErrNoSuchUpload …). An error
// that already carries a gateway sentinel is returned as it is, so
// mapping twice on the way up is harmless.
func upstreamErr(err error, notExist error) error {
	switch {
	case err == nil:
		return nil
	case isGatewayErr(err):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, backends.ErrNotExist):
		return fmt.Errorf("%w: %w", notExist, err)
	case errors.Is(err, backends.ErrPreconditionFailed):
		return fmt.Errorf("%w: %w", ErrPreconditionFailed, err)
	case errors.Is(err, cryptolayer.ErrIntegrity):
		return fmt.Errorf("%w: %w", ErrIntegrity, err)
	case errors.Is(err, backends.ErrInvalidKey):
		return fmt.Errorf("%w: %w", ErrKeyTooLong, err)
	case errors.Is(err, backends.ErrUnavailable):
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	case errors.Is(err, backends.ErrNoSpace):
		return fmt.Errorf("%w: %w", ErrInsufficientStorage, err)
	case errors.Is(err, cryptolayer.ErrMetadataTooLarge):
		return fmt.Errorf("%w: %w", ErrMetadataTooLarge, err)
	}
	return err
}

// gatewaySentinels are every error the doors map (api.go and the
// optional features). TestSentinelsComplete reads the package source and
// fails when an exported Err* variable is missing here.
var gatewaySentinels = []error{
	ErrAccessDenied, ErrNoSuchUser, ErrUserExists, ErrInvalidBucketName, ErrNoSuchBucket, ErrBucketExists,
	ErrBucketNotEmpty, ErrInvalidKey, ErrKeyTooLong, ErrNoSuchKey, ErrPreconditionFailed, ErrInvalidRange,
	ErrMetadataTooLarge, ErrIncompleteBody, ErrNoSuchUpload, ErrInvalidPart, ErrInvalidPartOrder,
	ErrEntityTooSmall, ErrEntityTooLarge, ErrInvalidArgument, ErrIntegrity, ErrUnavailable, ErrNotModified,
	ErrSlowDown, ErrPropsTooLarge, ErrInsufficientStorage, ErrNoSuchVersion, ErrMethodNotAllowed, ErrConflict,
	ErrInvalidVersionID, ErrObjectLocked, ErrNoLockConfig, ErrInvalidBucketState, ErrInvalidTag, ErrNoSuchTagSet,
	ErrNoSuchLifecycle, ErrCustomerKeyRequired, ErrCustomerKeyMismatch, ErrCustomerKeyNotApplicable, ErrNotImplemented, ErrInvalidPartNumber,
	ErrNoSuchCORS, ErrQuotaExceeded, ErrNoSuchShare,
}

// Sentinels returns every error of this package that a door must map to
// its protocol (a new copy each call). Each door tests that its error table
// covers all of them.
func Sentinels() []error { return append([]error(nil), gatewaySentinels...) }

// isGatewayErr reports whether err already carries a gateway sentinel.
func isGatewayErr(err error) bool {
	for _, s := range gatewaySentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

func isNotExist(err error) bool { return errors.Is(err, backends.ErrNotExist) }
