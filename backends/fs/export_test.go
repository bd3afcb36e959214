package fs

// WalkOnly makes s use the portable path-walking reads, as on kernels
// without openat2, so that tests cover both.
func WalkOnly(s *Store) { s.noOpenat2.Store(true) }

// SetFaults installs the write path's test seam (see Store.faults). Set
// it before the store is used.
func SetFaults(s *Store, faults func(op string) error) { s.faults = faults }
