package fs

// WalkOnly makes s use the portable path-walking reads, as on kernels
// without openat2, so that tests cover both.
func WalkOnly(s *Store) { s.noOpenat2.Store(true) }
