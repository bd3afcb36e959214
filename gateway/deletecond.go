package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DeleteConditions are S3's conditional delete headers: the version is
// deleted only if it matches every condition given (If-Match,
// x-amz-if-match-size, x-amz-if-match-last-modified-time, at second
// precision); otherwise ErrPreconditionFailed. A version that does not
// exist (or a delete marker) passes, as in S3: the delete answers 204.
// The check reads the version before the delete, which is not atomic
// with it: the upstream has no conditional delete.
type DeleteConditions struct {
	IfMatch    string
	Size       *int64
	ModifiedAt time.Time
}

func (c DeleteConditions) any() bool {
	return c.IfMatch != "" || c.Size != nil || !c.ModifiedAt.IsZero()
}

// checkDeleteConditions applies c to the version of key a delete removes
// (versionID, or the current one).
func (n *userNS) checkDeleteConditions(ctx context.Context, bucket, key, versionID string, c DeleteConditions) error {
	if !c.any() {
		return nil
	}
	up, st, err := n.stat(ctx, bucket, key, versionID)
	var dm *DeleteMarkerError
	switch {
	case errors.As(err, &dm), errors.Is(err, ErrNoSuchKey), errors.Is(err, ErrNoSuchVersion):
		return nil
	case err != nil:
		return err
	}
	info, err := n.objectInfo(ctx, bucket, key, up, st)
	if err != nil {
		return err
	}
	switch {
	case c.IfMatch != "" && !etagListMatches(c.IfMatch, info.ETag):
		return fmt.Errorf("%w: If-Match", ErrPreconditionFailed)
	case c.Size != nil && *c.Size != info.Size:
		return fmt.Errorf("%w: x-amz-if-match-size", ErrPreconditionFailed)
	case !c.ModifiedAt.IsZero() && !c.ModifiedAt.Truncate(time.Second).Equal(info.LastModified.Truncate(time.Second)):
		return fmt.Errorf("%w: x-amz-if-match-last-modified-time", ErrPreconditionFailed)
	}
	return nil
}
