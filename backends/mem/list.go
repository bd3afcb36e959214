package mem

import (
	"context"
	"fmt"
	"strings"

	"github.com/sealgate/sealgate/backends"
)

// List implements [backends.Store]. The token is the last key or prefix
// returned. Each call sorts all keys: O(N log N), fine for a test store.
func (s *Store) List(ctx context.Context, opts backends.ListOptions) (backends.ListPage, error) {
	limit, err := backends.CheckListOptions(opts)
	if err != nil {
		return backends.ListPage{}, fmt.Errorf("mem: list: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return backends.ListPage{}, err
	}
	var page backends.ListPage
	n, last := 0, ""
	for _, key := range s.keys() {
		unit, isPrefix := listUnit(key, opts.Prefix, opts.Delimiter)
		if !strings.HasPrefix(key, opts.Prefix) || unit <= opts.Token || unit == last {
			continue
		}
		if n == limit {
			page.NextToken = last
			break
		}
		if !addUnit(&page, s, key, unit, isPrefix) {
			continue // deleted since keys() was taken
		}
		n, last = n+1, unit
	}
	return page, nil
}

// listUnit returns what key contributes to a listing: the key itself, or
// with a delimiter the common prefix that rolls it up.
func listUnit(key, prefix, delim string) (string, bool) {
	if delim == "" || !strings.HasPrefix(key, prefix) {
		return key, false
	}
	i := strings.Index(key[len(prefix):], delim)
	if i < 0 {
		return key, false
	}
	return key[:len(prefix)+i+len(delim)], true
}

func addUnit(page *backends.ListPage, s *Store, key, unit string, isPrefix bool) bool {
	if isPrefix {
		page.Prefixes = append(page.Prefixes, unit)
		return true
	}
	info, ok := s.info(key)
	if ok {
		page.Objects = append(page.Objects, info)
	}
	return ok
}
