package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// cmdGC removes expired multipart uploads and orphaned records.
func cmdGC(ctx context.Context, args []string, e env) error {
	f := newFlags("gc", e.stderr)
	dry := f.fs.Bool("dry-run", false, "report what would be removed, remove nothing")
	older := f.fs.Duration("older-than", 7*24*time.Hour, "expire multipart uploads older than this")
	if _, err := f.parse(args); err != nil {
		return err
	}
	accts, svc, closeAll, err := openService(ctx, f, e)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := svc.GC(ctx, gateway.GCOptions{OlderThan: *older, DryRun: *dry, KnownDirs: knownDirs(accts)})
	if err != nil {
		return err
	}
	verb := "removed"
	if *dry {
		verb = "would remove"
	}
	_, _ = fmt.Fprintf(e.stdout, "gc: %s %d upstream objects: %d expired uploads, %d orphaned property records\n",
		verb, rep.Objects, rep.ExpiredUploads, rep.OrphanProps)
	for _, d := range rep.UnknownDirs {
		_, _ = fmt.Fprintf(e.stdout, "gc: upstream dir %s belongs to no account (left in place; a deleted account whose purge stopped?)\n", d)
	}
	return nil
}

func knownDirs(accts *accounts.Accounts) map[string]bool {
	return gateway.KnownDirs(accts.Accounts())
}

// expireUploads runs gc's upload expiry every hour while serving.
func expireUploads(ctx context.Context, svc *gateway.Service, log zerolog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rep, err := svc.GC(ctx, gateway.GCOptions{})
			if err != nil {
				log.Warn().Err(err).Msg("upload expiry failed")
			} else if rep.Objects > 0 {
				log.Info().Int("uploads", rep.ExpiredUploads).Int("objects", rep.Objects).Msg("expired multipart uploads removed")
			}
		}
	}
}

// applyLifecycle applies every account's lifecycle rules every interval,
// for the accounts whose lease no other gateway holds; it logs and counts
// what each run did (never a key name).
func applyLifecycle(ctx context.Context, svc *gateway.Service, accts *accounts.Accounts, interval time.Duration, m *metrics, log zerolog.Logger) {
	holder := rand.Text() // this process, in the accounts' leases
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, a := range accts.Accounts() {
				rep, ran, err := svc.ApplyLifecycle(ctx, a, holder, 2*interval)
				if err != nil {
					log.Warn().Err(err).Str("user", a.Name()).Msg("lifecycle run failed")
				}
				if ran && rep.Total()+rep.Locked > 0 {
					countLifecycle(m, rep)
					log.Info().Str("user", a.Name()).Int("expired", rep.Expired).Int("markers_removed", rep.MarkersRemoved).
						Int("noncurrent_removed", rep.NoncurrentRemoved).Int("uploads_aborted", rep.UploadsAborted).
						Int("kept_locked", rep.Locked).Msg("lifecycle rules applied")
				}
			}
		}
	}
}

func countLifecycle(m *metrics, rep gateway.LifecycleReport) {
	for action, n := range map[string]int{"expired": rep.Expired, "marker_removed": rep.MarkersRemoved,
		"noncurrent_removed": rep.NoncurrentRemoved, "upload_aborted": rep.UploadsAborted, "kept_locked": rep.Locked} {
		m.lifecycle.WithLabelValues(action).Add(float64(n))
	}
}
