package main

import (
	"context"
	"fmt"

	"github.com/sealgate/sealgate/gateway"
)

// revokeShares deletes an account's web app share links before the
// account is deleted: afterwards nothing could find their records (they
// are found from the links' ids, and the account's list of them is sealed
// under its keys). Best effort: the links die with the account anyway, so
// a failure is reported and the deletion goes on.
func (u userCmd) revokeShares(ctx context.Context, name string) {
	a, svc, err := u.accountService(name)
	if err == nil {
		var n int
		n, err = gateway.NewShareLinks(svc, gateway.ShareConfig{}).RevokeAll(ctx, svc.Namespace(a))
		if n > 0 {
			_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %d share link(s) of %s revoked\n", n, name)
		}
	}
	if err != nil {
		_, _ = fmt.Fprintf(u.e.stderr, "sealgate: the share links of %s were not all removed (they stop working with the account): %v\n", name, err)
	}
}
