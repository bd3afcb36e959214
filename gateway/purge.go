package gateway

import (
	"context"

	"github.com/sealgate/sealgate/backends"
)

// PurgeUser deletes, best effort, every upstream object of a deleted
// account: its namespace under upstreamDir, its multipart uploads, its
// properties, its shared records and its CORS markers. The account's keys are already
// destroyed (Accounts.Delete), so these objects are noise to anyone;
// deleting them also removes what sizes and names leak. progress, if set, is called with the running count.
func (s *Service) PurgeUser(ctx context.Context, upstreamDir string, progress func(deleted int)) (int, error) {
	n := 0
	prefixes := []string{upstreamDir + "/", ".sealgate/mp/" + upstreamDir + "/",
		".sealgate/props/" + upstreamDir + "/", ".sealgate/shared/" + upstreamDir + "/",
		versionsRoot + upstreamDir + "/", locksRoot + upstreamDir + "/", tagsRoot + upstreamDir + "/", corsRoot + upstreamDir + "/"}
	for _, prefix := range prefixes {
		err := s.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
			if err := s.store.Delete(ctx, o.Key); err != nil {
				return upstreamErr(err, ErrNoSuchKey)
			}
			n++
			if progress != nil {
				progress(n)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	s.lists.invalidateUnder(upstreamDir + "/")
	return n, nil
}
