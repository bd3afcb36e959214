package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// quotaRefresh is how old a gateway's copy of a quota record gets before a
// request re-reads it (gateway.Config.QuotaRefresh's default): `user
// quota` waits that long before recounting a newly limited account.
const quotaRefresh = 2 * time.Second

// sizeUnits are the units `user quota` takes, decimal and binary.
var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "pb": 1e15,
	"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40, "pib": 1 << 50,
}

// parseSize reads a quota: "none" (0), or a number with an optional unit
// (10GiB, 500MB, 1.5TB, 123456).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "none") {
		return 0, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(s)
	}
	num, unit := s[:i], strings.ToLower(strings.TrimSpace(s[i:]))
	mult, ok := sizeUnits[unit]
	v, err := strconv.ParseFloat(num, 64)
	if !ok || err != nil || v <= 0 || v*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("%w: size %q: want a positive number with an optional unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB) or none", errUsage, s)
	}
	return int64(v * float64(mult)), nil
}

// formatSize writes bytes in binary units.
func formatSize(n int64) string {
	if n < 1024 && n > -1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, units := float64(n), []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := -1
	for (v >= 1024 || v <= -1024) && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
}

// parseCount reads --objects: "" (not given), "none" (0) or a positive
// whole number.
func parseCount(s string) (n int64, given bool, err error) {
	switch s = strings.TrimSpace(s); {
	case s == "":
		return 0, false, nil
	case strings.EqualFold(s, "none"):
		return 0, true, nil
	}
	n, err = strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false, fmt.Errorf("%w: --objects %q: want a positive whole number or none", errUsage, s)
	}
	return n, true, nil
}

// quota sets an account's quota of bytes, and of objects with --objects.
// An account that had no quota, or gets its first quota of objects, has
// its usage recounted once every gateway has seen the limit and flushed
// what it counted (until then, their writes were not counted, or counted
// without objects).
func (u userCmd) quota(ctx context.Context, name, size string) error {
	limit, err := parseSize(size)
	if err != nil {
		return err
	}
	objects, setObjects, err := parseCount(u.objects)
	if err != nil {
		return err
	}
	a, svc, err := u.accountService(name)
	if err != nil {
		return err
	}
	prev, err := svc.QuotaUsage(ctx, a)
	if err != nil {
		return err
	}
	if !setObjects {
		objects = prev.ObjectLimit
	}
	us, err := svc.SetQuota(ctx, a, gateway.Quota{Bytes: limit, Objects: objects})
	if err != nil {
		return err
	}
	if us.Limit == 0 && us.ObjectLimit == 0 {
		_, _ = fmt.Fprintf(u.e.stdout, "sealgate: %s has no quota now\n", name)
		return nil
	}
	if prev.Limit == 0 && prev.ObjectLimit == 0 || prev.ObjectLimit == 0 && us.ObjectLimit > 0 {
		_, _ = fmt.Fprintf(u.e.stderr, "sealgate: waiting %v for every gateway to take the quota, then counting %s's usage\n", quotaRefresh+time.Second/2, name)
		select {
		case <-time.After(quotaRefresh + time.Second/2):
		case <-ctx.Done():
			return ctx.Err()
		}
		if us, err = svc.RecountUsage(ctx, a); err != nil {
			return err
		}
	}
	_, _ = fmt.Fprintf(u.e.stdout, "sealgate: quota of %s set to %s; every gateway applies it within %v\n",
		name, describeQuota(us), quotaRefresh)
	return nil
}

// describeQuota says an account's limits and usage: "10.0 GiB (1.2 GiB in
// use), 1000 objects (340 in use)".
func describeQuota(us gateway.Usage) string {
	var parts []string
	if us.Limit > 0 {
		parts = append(parts, fmt.Sprintf("%s (%s in use)", formatSize(us.Limit), formatSize(us.Bytes)))
	}
	if us.ObjectLimit > 0 {
		parts = append(parts, fmt.Sprintf("%d objects (%d in use)", us.ObjectLimit, us.Objects))
	}
	return strings.Join(parts, ", ")
}

// listedAccount is one line of `user list --json`.
type listedAccount struct {
	accounts.AccountSummary
	QuotaBytes   int64  // 0: none
	UsedBytes    *int64 // nil: never counted
	QuotaObjects int64  // 0: none
	UsedObjects  *int64 // nil: never counted
}

// usages returns the accounts with their quotas and usage (as the shared
// records have them); an account whose record cannot be read has none.
func (u userCmd) usages(ctx context.Context) []listedAccount {
	var svc *gateway.Service
	if s, err := u.d.service(); err == nil {
		svc = s
	}
	var out []listedAccount
	for _, s := range u.accts.List() {
		la := listedAccount{AccountSummary: s}
		if a, err := u.accts.Get(s.Name); err == nil && svc != nil {
			if us, err := svc.QuotaUsage(ctx, a); err == nil {
				la.QuotaBytes, la.QuotaObjects = us.Limit, us.ObjectLimit
				if us.Limit > 0 || us.ObjectLimit > 0 || !us.Reconciled.IsZero() {
					la.UsedBytes, la.UsedObjects = &us.Bytes, &us.Objects
				}
			}
		}
		out = append(out, la)
	}
	return out
}

// quotaColumns are the USED, QUOTA, OBJECTS and OBJECT QUOTA columns of
// `user list`.
func (la listedAccount) quotaColumns() [4]string {
	c := [4]string{"-", "none", "-", "none"}
	if la.UsedBytes != nil {
		c[0], c[2] = formatSize(*la.UsedBytes), strconv.FormatInt(*la.UsedObjects, 10)
	}
	if la.QuotaBytes > 0 {
		c[1] = formatSize(la.QuotaBytes)
	}
	if la.QuotaObjects > 0 {
		c[3] = strconv.FormatInt(la.QuotaObjects, 10)
	}
	return c
}

// keepUsage flushes this gateway's pending usage deltas every quotaRefresh
// and recounts every account's usage every interval, for the accounts
// whose usage lease no other gateway holds.
func keepUsage(ctx context.Context, svc *gateway.Service, accts *accounts.Accounts, interval time.Duration, log zerolog.Logger) {
	holder := rand.Text()
	flush, recount := time.NewTicker(quotaRefresh), time.NewTicker(interval)
	defer flush.Stop()
	defer recount.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-flush.C:
			if err := svc.FlushUsage(ctx); err != nil {
				log.Warn().Err(err).Msg("usage flush failed")
			}
		case <-recount.C:
			for _, a := range accts.Accounts() {
				if _, _, err := svc.ReconcileUsage(ctx, a, holder, 2*interval); err != nil {
					log.Warn().Err(err).Str("user", a.Name()).Msg("usage recount failed")
				}
			}
		}
	}
}

// flushUsageAtExit flushes the pending usage deltas once the doors have
// stopped: what a gateway stopped cleanly counted is not lost.
func flushUsageAtExit(ctx context.Context, svc *gateway.Service, log zerolog.Logger) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := svc.FlushUsage(fctx); err != nil {
		log.Warn().Err(err).Msg("usage flush at shutdown failed")
	}
}
