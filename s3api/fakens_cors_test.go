package s3api

import (
	"context"

	"github.com/sealgate/sealgate/gateway"
)

// The fake keeps a bucket's CORS rules with the bucket (no cache: every
// change applies at once).

func (f *fakeNS) GetBucketCORS(_ context.Context, bucket string) ([]gateway.CORSRule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return nil, err
	}
	if b.cors == nil {
		return nil, gateway.ErrNoSuchCORS
	}
	return b.cors, nil
}

func (f *fakeNS) PutBucketCORS(_ context.Context, bucket string, rules []gateway.CORSRule) error {
	if len(rules) > 0 {
		if err := gateway.CheckCORS(rules); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := f.bucket(bucket)
	if err != nil {
		return err
	}
	b.cors = rules
	if len(rules) == 0 {
		b.cors = nil
	}
	return nil
}

func (f *fakeNS) CORSRules(ctx context.Context, bucket string) ([]gateway.CORSRule, error) {
	rules, err := f.GetBucketCORS(ctx, bucket)
	if err != nil {
		return nil, nil
	}
	return rules, nil
}
