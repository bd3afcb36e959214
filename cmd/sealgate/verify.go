package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
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
	accts, svc, closeAll, err := openService(ctx, f, e)
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

// openService loads the configuration of a command's flags and opens the
// deployment and a gateway service over its upstream (for commands that
// work on data while gateways run).
func openService(ctx context.Context, f *commonFlags, e env) (*accounts.Accounts, *gateway.Service, func(), error) {
	c, err := f.config(e.getenv)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := openDeployment(ctx, c, e, openOpts{})
	if err != nil {
		return nil, nil, nil, err
	}
	svc, err := d.service()
	if err != nil {
		d.Close()
		return nil, nil, nil, err
	}
	return d.accts, svc, d.Close, nil
}
