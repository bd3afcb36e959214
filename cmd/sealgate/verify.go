package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/sealgate/sealgate/gateway"
)

// errVerifyFailed: some objects failed to verify (exit status 1).
var errVerifyFailed = errors.New("verification failed")

// cmdVerify reads and authenticates every object of every account (or one
// user, one bucket), with a running count and a summary.
func cmdVerify(ctx context.Context, args []string, e env) error {
	f := newFlags("verify", e.stderr)
	user := f.fs.String("user", "", "verify only this account")
	bucket := f.fs.String("bucket", "", "verify only this bucket (needs --user)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	if *bucket != "" && *user == "" {
		return fmt.Errorf("%w: --bucket needs --user", errUsage)
	}
	c, err := f.config(e.getenv)
	if err != nil {
		return err
	}
	accts, svc, closeAll, err := openService(ctx, c, e)
	if err != nil {
		return err
	}
	defer closeAll()
	names := []string{*user}
	if *user == "" {
		names = names[:0]
		for _, a := range accts.List() {
			names = append(names, a.Name)
		}
	}
	var total gateway.VerifyReport
	for _, name := range names {
		a, err := accts.Get(name)
		if err != nil {
			return err
		}
		rep, err := svc.Verify(ctx, a, *bucket, func(r gateway.VerifyReport) {
			if r.Objects%50 == 0 {
				_, _ = fmt.Fprintf(e.stderr, "\r%s: %d objects, %d MiB verified", name, total.Objects+r.Objects, (total.Bytes+r.Bytes)>>20)
			}
		})
		merge(&total, rep)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	_, _ = fmt.Fprintf(e.stderr, "\r")
	return printVerify(e, total)
}

func merge(t *gateway.VerifyReport, r gateway.VerifyReport) {
	t.Objects += r.Objects
	t.Bytes += r.Bytes
	for k, v := range r.Failures {
		if t.Failures == nil {
			t.Failures = map[string]int64{}
		}
		t.Failures[k] += v
	}
	t.Failed = append(t.Failed, r.Failed...)
}

func printVerify(e env, r gateway.VerifyReport) error {
	_, _ = fmt.Fprintf(e.stdout, "verified: %d objects, %d bytes\n", r.Objects, r.Bytes)
	if len(r.Failures) == 0 {
		_, _ = fmt.Fprintln(e.stdout, "failures: none")
		return nil
	}
	kinds := make([]string, 0, len(r.Failures))
	for k := range r.Failures {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		_, _ = fmt.Fprintf(e.stdout, "failed (%s): %d\n", k, r.Failures[k])
	}
	for _, f := range r.Failed {
		_, _ = fmt.Fprintln(e.stdout, "  "+f)
	}
	return errVerifyFailed
}

// openService opens the data dir's accounts and the upstream (for commands
// that work on data while a server may be running).
func openService(ctx context.Context, c *config, e env) (*gateway.Accounts, *gateway.Service, func(), error) {
	root, err := openDataDir(c, e.getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	accts, err := gateway.OpenAccounts(gateway.AccountsConfig{Dir: c.DataDir, Root: root})
	if err != nil {
		return nil, nil, nil, err
	}
	svc, closeSvc, err := upstreamService(ctx, c)
	if err != nil {
		_ = accts.Close()
		return nil, nil, nil, err
	}
	return accts, svc, func() { _ = accts.Close(); closeSvc() }, nil
}

// upstreamService opens the configured upstream and a gateway service over
// it (for commands that act on stored data); the func closes the upstream.
func upstreamService(ctx context.Context, c *config) (*gateway.Service, func(), error) {
	store, err := openUpstream(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return svc, func() { _ = store.Close() }, nil
}
