package main

import (
	"context"
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
