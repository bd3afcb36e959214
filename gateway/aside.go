package gateway

import (
	"context"
	"io"
	"sync"

	"github.com/sealgate/sealgate/backends"
)

// put stores r (size bytes, or -1) at up as the write's new version, under
// the commit's condition vw.cond, and maps the upstream's error
// (commitErr). A current version to keep (vw.aside) is set aside first:
// the new version may only become current once the old one is durable
// under its noncurrent name, or a crash between the two would lose it.
//
// With a store that can hold a Put's commit (backends.GatedPutter, the fs
// store) the copy runs while the body is sealed and stored, and the commit
// waits for it: the set-aside's link and directory fsync overlap the new
// file's write and fsync instead of preceding them. The order on
// disk is the same. Otherwise the copy runs before the Put. Either way an
// error of the copy is the answer, and nothing new is committed.
func (vw versionWrite) put(ctx context.Context, n *userNS, up string, r io.Reader, size int64) (backends.ObjectInfo, error) {
	store := n.svc.store
	g, gated := store.(backends.GatedPutter)
	var info backends.ObjectInfo
	var err error
	switch {
	case vw.aside == nil:
		info, err = store.Put(ctx, up, r, size, vw.cond)
	case !gated:
		if aerr := vw.aside(ctx); aerr != nil {
			return backends.ObjectInfo{}, aerr
		}
		info, err = store.Put(ctx, up, r, size, vw.cond)
	default:
		done := make(chan error, 1)
		go func() { done <- vw.aside(ctx) }()
		aside := sync.OnceValue(func() error { return <-done })
		info, err = g.PutGated(ctx, up, r, size, vw.cond, aside)
		if aerr := aside(); aerr != nil { // waits for the copy, whether or not the gate was reached
			return backends.ObjectInfo{}, aerr
		}
	}
	if err != nil {
		return backends.ObjectInfo{}, vw.commitErr(err)
	}
	return info, nil
}
