package s3api

import (
	"context"

	"github.com/sealgate/sealgate/gateway"
)

// usersCORS finds preflight rules over the test users' namespaces, as
// gateway.Service.PreflightCORS does over the accounts.
type usersCORS []Namespace

func (u usersCORS) PreflightCORS(ctx context.Context, bucket string) ([]gateway.CORSRule, error) {
	var out []gateway.CORSRule
	for _, ns := range u {
		rules, err := ns.CORSRules(ctx, bucket)
		if err != nil {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}
