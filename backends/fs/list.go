package fs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sealgate/sealgate/backends"
)

// errPageFull stops a walk once the page is full and one more entry exists.
var errPageFull = errors.New("page full")

// widePageLimit is the largest page List serves (see PageLimit).
const widePageLimit = 100_000

// PageLimit implements [backends.WidePager]: every List call reads (and
// sorts) the directories on its way, so a caller that wants a whole large
// directory gets it in pages of up to 100,000 entries, not 1,000.
func (s *Store) PageLimit() int { return widePageLimit }

// List implements [backends.Store]; the package documentation gives its cost.
func (s *Store) List(ctx context.Context, opts backends.ListOptions) (backends.ListPage, error) {
	limit, err := backends.CheckListOptionsUpTo(opts, widePageLimit)
	if err != nil {
		return backends.ListPage{}, fmt.Errorf("fs: list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return backends.ListPage{}, err
	}
	i := strings.LastIndex(opts.Prefix, "/") + 1
	dir, namePrefix := opts.Prefix[:i], opts.Prefix[i:]
	l := &lister{s: s, ctx: ctx, opts: opts, limit: limit}
	if !s.realDir(dir) {
		return l.page, nil // no key can start with this prefix
	}
	err = l.walk(dir, namePrefix)
	switch {
	case errors.Is(err, errPageFull):
		l.page.NextToken = l.last
	case err != nil:
		return backends.ListPage{}, fmt.Errorf("fs: list %q: %w", opts.Prefix, err)
	}
	return l.page, nil
}

// realDir reports whether dir ("" or a key prefix ending in "/") is a valid
// folder name reached through real directories only.
func (s *Store) realDir(dir string) bool {
	if dir == "" {
		return true
	}
	key := strings.TrimSuffix(dir, "/")
	rel, err := objectPath(key)
	if err != nil || s.checkParents(key, rel, backends.ErrNotExist) != nil {
		return false
	}
	fi, err := s.root.Lstat(rel)
	return err == nil && fi.IsDir()
}

// lister accumulates one page of a walk in key order.
type lister struct {
	s     *Store
	ctx   context.Context
	opts  backends.ListOptions
	limit int
	n     int    // entries on the page
	last  string // last key or prefix on the page
	page  backends.ListPage
}

// entry is a directory entry with the name it sorts by in key order.
type entry struct {
	name, sortKey string
	dir           bool
}

// walk lists the entries of folder dir whose names start with namePrefix,
// recursing into sub-folders unless a delimiter rolls them up.
func (l *lister) walk(dir, namePrefix string) error {
	if err := l.ctx.Err(); err != nil {
		return err
	}
	d, entries, err := l.s.readDir(dir)
	if err != nil || d == nil {
		return err
	}
	defer func() { _ = d.Close() }() // read-only directory handle
	start, _ := slices.BinarySearchFunc(entries, namePrefix, func(e entry, p string) int { return cmp.Compare(e.sortKey, p) })
	for _, e := range entries[start:] {
		if !strings.HasPrefix(e.name, namePrefix) {
			break
		}
		if err := l.visit(d, dir, e); err != nil {
			return err
		}
	}
	return nil
}

// visit handles one entry of folder dir (opened as d).
func (l *lister) visit(d *os.Root, dir string, e entry) error {
	key, tok := dir+e.name, l.opts.Token
	switch {
	case !e.dir:
		if key <= tok || !visible(key) {
			return nil
		}
		fi, err := d.Lstat(e.name)
		if err != nil || !fi.Mode().IsRegular() {
			return nil // deleted or replaced since the directory was read
		}
		return l.add(key, &fi)
	case l.opts.Delimiter != "":
		p := key + "/"
		if p <= tok || !l.s.hasObject(d, e.name, p) {
			return nil
		}
		return l.add(p, nil)
	default:
		p := key + "/"
		if tok >= p && !strings.HasPrefix(tok, p) {
			return nil // the whole subtree sorts before the token
		}
		return l.walk(p, "")
	}
}

// add appends an object (fi != nil) or a prefix to the page.
func (l *lister) add(name string, fi *fs.FileInfo) error {
	if l.n == l.limit {
		return errPageFull
	}
	if fi != nil {
		l.page.Objects = append(l.page.Objects, objectInfo(name, *fi))
	} else {
		l.page.Prefixes = append(l.page.Prefixes, name)
	}
	l.n, l.last = l.n+1, name
	return nil
}

// readDir opens folder dir and returns its regular files and real
// directories, sorted in key order. Symlinks and other types are skipped.
func (s *Store) readDir(dir string) (*os.Root, []entry, error) {
	d, err := s.root.OpenRoot(filepath.Join(dataDir, filepath.FromSlash(dir)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = nil // pruned meanwhile: an empty folder
			d = nil
		}
		return d, nil, err
	}
	entries, err := readEntries(d)
	if err != nil {
		_ = d.Close()
		return nil, nil, err
	}
	return d, entries, nil
}

func readEntries(d *os.Root) ([]entry, error) {
	f, err := d.Open(".")
	if err != nil {
		return nil, err
	}
	des, err := f.ReadDir(-1)
	_ = f.Close()
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		switch t := de.Type(); {
		case t.IsRegular():
			entries = append(entries, entry{name: de.Name(), sortKey: de.Name()})
		case t.IsDir():
			entries = append(entries, entry{name: de.Name(), sortKey: de.Name() + "/", dir: true})
		}
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.sortKey, b.sortKey) })
	return entries, nil
}

// hasObject reports whether the real directory name in d, the folder
// prefix, holds at least one visible object at any depth.
func (s *Store) hasObject(d *os.Root, name, prefix string) bool {
	sub, err := d.OpenRoot(name)
	if err != nil {
		return false
	}
	defer func() { _ = sub.Close() }() // read-only directory handle
	entries, err := readEntries(sub)
	if err != nil {
		return false
	}
	for _, e := range entries {
		switch {
		case !e.dir && visible(prefix+e.name):
			return true
		case e.dir && s.hasObject(sub, e.name, prefix+e.name+"/"):
			return true
		}
	}
	return false
}

// visible reports whether a file's key is a valid key of this store; files
// with other names were not written by it and are not listed.
func visible(key string) bool {
	_, err := objectPath(key)
	return err == nil
}
