//go:build !linux

package main

import "errors"

// evictCache is Linux-only; elsewhere the from-disk row is left out.
func evictCache(string) error { return errors.New("bench: page-cache eviction needs Linux") }
