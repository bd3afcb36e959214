package s3

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/backends"
)

var _ backends.Retainer = (*Store)(nil)

// Retain implements backends.Retainer with S3 Object Lock on the upstream
// bucket: the retention of the key's current upstream version, then its
// legal hold. Whether the bucket has Object Lock is asked once; without
// it, every call is backends.ErrNoRetention.
func (s *Store) Retain(ctx context.Context, key, mode string, until time.Time, hold bool) error {
	if err := backends.CheckKey(key); err != nil {
		return err
	}
	if !s.lockable(ctx) {
		return backends.ErrNoRetention
	}
	if mode != "" {
		_, err := s.client.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: &s.cfg.Bucket, Key: s.obj(key),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionMode(mode), RetainUntilDate: aws.Time(until)}})
		if err != nil {
			return mapErr(ctx, "retain", key, err)
		}
	}
	status := types.ObjectLockLegalHoldStatusOff
	if hold {
		status = types.ObjectLockLegalHoldStatusOn
	}
	_, err := s.client.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: &s.cfg.Bucket, Key: s.obj(key),
		LegalHold: &types.ObjectLockLegalHold{Status: status}})
	return mapErr(ctx, "legal hold", key, err)
}

// lockable reports (asking the upstream the first time it answers)
// whether the bucket has Object Lock.
func (s *Store) lockable(ctx context.Context) bool {
	s.lockOnce.Lock()
	defer s.lockOnce.Unlock()
	if s.lockKnown {
		return s.lockOn
	}
	out, err := s.client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &s.cfg.Bucket})
	var ae interface{ ErrorCode() string }
	switch {
	case err == nil:
		s.lockOn = out.ObjectLockConfiguration != nil && out.ObjectLockConfiguration.ObjectLockEnabled == types.ObjectLockEnabledEnabled
	case errors.As(err, &ae) && ae.ErrorCode() == "ObjectLockConfigurationNotFoundError":
		s.lockOn = false
	default:
		return false // ask again next time
	}
	s.lockKnown = true
	return s.lockOn
}
