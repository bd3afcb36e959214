package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// GCOptions control a garbage collection run.
type GCOptions struct {
	// OlderThan: multipart uploads (and records of completed ones) whose
	// state is older than this are removed. 0 means Config.UploadExpiry.
	OlderThan time.Duration
	// DryRun reports what would be removed without removing anything.
	DryRun bool
	// KnownDirs are the upstream dirs of the existing accounts; other
	// top-level dirs are reported (never removed: a wrong keystore must not
	// cost data).
	KnownDirs map[string]bool
}

// GCReport says what a run removed (or would remove).
type GCReport struct {
	ExpiredUploads int      // uploads removed, with all their parts
	OrphanProps    int      // property records whose object is gone
	Objects        int      // upstream objects removed in all
	UnknownDirs    []string // top-level upstream dirs of no known account
}

// GC removes expired multipart uploads, their staged parts and completion
// records, and property records whose object no longer exists. It needs no
// user keys: it works on upstream names and times only, and removes nothing
// a live object or a fresh upload needs.
func (s *Service) GC(ctx context.Context, o GCOptions) (GCReport, error) {
	if o.OlderThan <= 0 {
		o.OlderThan = s.cfg.UploadExpiry
	}
	var rep GCReport
	cutoff := s.cfg.Now().Add(-o.OlderThan)
	if err := s.gcUploads(ctx, cutoff, o.DryRun, &rep); err != nil {
		return rep, err
	}
	if err := s.gcProps(ctx, o.DryRun, &rep); err != nil {
		return rep, err
	}
	return rep, s.gcUnknownDirs(ctx, o.KnownDirs, &rep)
}

// uploadDirScan follows one upload dir through the (sorted) listing.
type uploadDirScan struct {
	dir      string
	anchored bool      // has a state or done record
	newest   time.Time // of its files
}

// gcUploads removes uploads whose state (or done record) is older than
// cutoff, and dirs with neither record whose files are all older than
// cutoff: parts a racing UploadPart wrote after the upload was aborted.
func (s *Service) gcUploads(ctx context.Context, cutoff time.Time, dry bool, rep *GCReport) error {
	var cur uploadDirScan
	removeDir := func(dir string) error {
		return s.eachObject(ctx, dir, func(p backends.ObjectInfo) error { return s.gcDelete(ctx, p.Key, dry, rep) })
	}
	endDir := func() error {
		if cur.dir == "" || cur.anchored || !cur.newest.Before(cutoff) {
			return nil
		}
		return removeDir(cur.dir)
	}
	err := s.eachObject(ctx, ".sealgate/mp/", func(o backends.ObjectInfo) error {
		i := strings.LastIndexByte(o.Key, '/')
		dir, name := o.Key[:i+1], o.Key[i+1:]
		if dir != cur.dir {
			if err := endDir(); err != nil {
				return err
			}
			cur = uploadDirScan{dir: dir}
		}
		if o.ModTime.After(cur.newest) {
			cur.newest = o.ModTime
		}
		if name != "state" && name != "done" {
			return nil
		}
		cur.anchored = true
		if !o.ModTime.Before(cutoff) {
			return nil
		}
		if name == "state" {
			rep.ExpiredUploads++
		}
		return removeDir(dir)
	})
	if err != nil {
		return err
	}
	return endDir()
}

// gcProps removes property records whose object is gone.
func (s *Service) gcProps(ctx context.Context, dry bool, rep *GCReport) error {
	const prefix = ".sealgate/props/"
	return s.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
		_, err := s.store.Stat(ctx, strings.TrimPrefix(o.Key, prefix))
		if err == nil || !isNotExist(err) {
			return nil
		}
		rep.OrphanProps++
		return s.gcDelete(ctx, o.Key, dry, rep)
	})
}

func (s *Service) gcUnknownDirs(ctx context.Context, known map[string]bool, rep *GCReport) error {
	if known == nil {
		return nil
	}
	return s.forEachPage(ctx, backends.ListOptions{Delimiter: "/"}, func(page backends.ListPage) error {
		for _, p := range page.Prefixes {
			if d := strings.TrimSuffix(p, "/"); d != ".sealgate" && !known[d] {
				rep.UnknownDirs = append(rep.UnknownDirs, d)
			}
		}
		return nil
	})
}

func (s *Service) gcDelete(ctx context.Context, key string, dry bool, rep *GCReport) error {
	rep.Objects++
	if dry {
		return nil
	}
	return upstreamErr(s.store.Delete(ctx, key), ErrNoSuchKey)
}

// KnownDirs returns the upstream dirs of the given accounts (for GC).
func KnownDirs[A Account](accounts []A) map[string]bool {
	m := map[string]bool{}
	for _, a := range accounts {
		dir, _ := a.NamespaceKeys()
		m[dir] = true
	}
	return m
}
