package gateway

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ListParts implements Namespace: the parts uploaded so far, by number,
// after marker, at most max (0 or more than 1000 means 1000). Record names
// are zero-padded part numbers, so the upstream listing is in part order
// and the run stops after one page's worth of records.
func (n *userNS) ListParts(ctx context.Context, bucket, key, id string, marker, limit int) (PartsPage, error) {
	st, _, err := n.loadUpload(ctx, bucket, key, id, false)
	if err != nil {
		return PartsPage{}, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	dir := n.uploadDir(id)
	var out []PartInfo
	truncated := false
	prefix := dir + "i"
	err = n.svc.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
		num, err := strconv.Atoi(strings.TrimPrefix(o.Key, prefix))
		name := partName(num)
		if err != nil || num <= marker || num > cryptolayer.MaxParts || o.Key != prefix+name {
			return nil // only the canonical "i00001" names (a listing could repeat a part)
		}
		if len(out) == limit {
			truncated = true
			return errStopPaging
		}
		var rec partRecord
		if _, err := n.getRecord(ctx, o.Key, "part\x00"+id+"\x00"+name, &rec, ErrNoSuchUpload); err != nil {
			return passOver(err) // deleted meanwhile, or failed authentication (counted)
		}
		out = append(out, partInfo(num, rec, st))
		return nil
	})
	if err != nil {
		return PartsPage{}, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return PartsPage{Upload: uploadInfo(id, st), Parts: out, Truncated: truncated}, nil
}

// ListMultipartUploads implements Namespace: the bucket's uploads in
// progress, by key, then in the order they began (as S3 lists them), after
// the markers. idMarker (with keyMarker) must be an upload of keyMarker's
// key: one of another key, or no upload ID at all, is ErrInvalidArgument;
// a well-formed one that is not in progress (completed or aborted since
// the page that named it) lists the key's uploads from the first, so that
// none is skipped.
func (n *userNS) ListMultipartUploads(ctx context.Context, bucket, prefix, keyMarker, idMarker string, limit int) ([]UploadInfo, bool, error) {
	if err := n.needBucket(ctx, bucket); err != nil {
		return nil, false, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	if keyMarker == "" {
		idMarker = ""
	}
	if idMarker != "" && !validUploadID(idMarker) {
		return nil, false, fmt.Errorf("%w: upload-id-marker %q is no upload ID", ErrInvalidArgument, idMarker)
	}
	all, err := n.uploads(ctx)
	if err != nil {
		return nil, false, err
	}
	var out []UploadInfo
	for _, u := range all {
		if idMarker != "" && u.UploadID == idMarker && (u.bucket != bucket || u.Key != keyMarker) {
			return nil, false, fmt.Errorf("%w: upload-id-marker %q is not an upload of the key-marker", ErrInvalidArgument, idMarker)
		}
		if u.bucket == bucket && strings.HasPrefix(u.Key, prefix) && (u.Key > keyMarker || u.Key == keyMarker && idMarker != "") {
			out = append(out, u.UploadInfo)
		}
	}
	sortUploads(out)
	if idMarker != "" {
		// out starts with keyMarker's uploads, if any: drop those up to the marker
		for i := 0; i < len(out) && out[i].Key == keyMarker; i++ {
			if out[i].UploadID == idMarker {
				out = out[i+1:]
				break
			}
		}
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// sortUploads orders uploads by key, then by the time they began (then by
// ID, for uploads begun in the same nanosecond).
func sortUploads(ups []UploadInfo) {
	sort.Slice(ups, func(i, j int) bool {
		a, b := ups[i], ups[j]
		switch {
		case a.Key != b.Key:
			return a.Key < b.Key
		case !a.Initiated.Equal(b.Initiated):
			return a.Initiated.Before(b.Initiated)
		}
		return a.UploadID < b.UploadID
	})
}

type userUpload struct {
	UploadInfo
	bucket string
}

// uploads reads the state of every upload of the user (done uploads excluded).
// A state that cannot be read for a reason other than absence or tampering
// is an error: a listing must not silently omit an upload.
func (n *userNS) uploads(ctx context.Context) ([]userUpload, error) {
	var out []userUpload
	prefix := ".sealgate/mp/" + n.dir + "/"
	err := n.svc.forEachPage(ctx, backends.ListOptions{Prefix: prefix, Delimiter: "/"}, func(page backends.ListPage) error {
		for _, p := range page.Prefixes {
			id := strings.TrimSuffix(strings.TrimPrefix(p, prefix), "/")
			var st uploadState
			if _, err := n.getRecord(ctx, p+"state", "upload\x00"+id, &st, ErrNoSuchUpload); err != nil {
				if err := passOver(err); err != nil {
					return err
				}
				continue // done, aborted or tampered
			}
			out = append(out, userUpload{uploadInfo(id, &st), st.Bucket})
		}
		return nil
	})
	return out, err
}
