package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// FolderInfo describes a folder: a key prefix ending in '/'.
type FolderInfo struct {
	Marker   bool      // a marker object ("dir/") exists
	Modified time.Time // the marker's time; zero without one
}

// HeadFolder implements Namespace: the folder exists if its marker does
// or any object lies under it. It costs at most two small upstream calls
// when the folder exists, whatever the folder holds (a listing would read
// the whole directory), and a third, the bucket's record, when it does not.
func (n *userNS) HeadFolder(ctx context.Context, bucket, prefix string) (FolderInfo, error) {
	if !strings.HasSuffix(prefix, "/") {
		return FolderInfo{}, fmt.Errorf("%w: folder %q must end with /", ErrInvalidArgument, prefix)
	}
	up, err := n.readKey(ctx, bucket, prefix)
	if err != nil {
		return FolderInfo{}, err
	}
	info, err := retryChanged(func() (ObjectInfo, error) {
		st, err := n.svc.store.Stat(ctx, up)
		if err != nil {
			return ObjectInfo{}, upstreamErr(err, ErrNoSuchKey)
		}
		if isMarkerSize(st.Size) {
			return ObjectInfo{}, fmt.Errorf("%w: deleted folder marker", ErrNoSuchKey)
		}
		return n.objectInfo(ctx, bucket, prefix, up, st)
	})
	if err == nil {
		return FolderInfo{Marker: true, Modified: info.LastModified}, nil
	}
	if !errors.Is(err, ErrNoSuchKey) {
		return FolderInfo{}, err
	}
	enc, err := n.names(bucket).EncryptDir(prefix)
	if err != nil {
		return FolderInfo{}, fmt.Errorf("%w: %w", ErrKeyTooLong, err)
	}
	page, err := n.svc.store.List(ctx, backends.ListOptions{Prefix: n.bucketPrefix(bucket) + enc, Limit: 1})
	if err != nil {
		return FolderInfo{}, upstreamErr(err, ErrNoSuchBucket)
	}
	live := len(page.Objects) > 0
	if live && isMarkerSize(page.Objects[0].Size) { // a versioned bucket's deleted key
		if live, err = n.holdsLiveObject(ctx, n.bucketPrefix(bucket)+enc); err != nil {
			return FolderInfo{}, err
		}
	}
	if !live {
		return FolderInfo{}, n.orNoBucket(ctx, bucket, fmt.Errorf("%w: folder %s", ErrNoSuchKey, prefix))
	}
	return FolderInfo{}, nil
}
