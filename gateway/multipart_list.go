package gateway

import (
	"context"
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
// progress, by key then upload id, after the markers.
func (n *userNS) ListMultipartUploads(ctx context.Context, bucket, prefix, keyMarker, idMarker string, limit int) ([]UploadInfo, bool, error) {
	if err := n.needBucket(ctx, bucket); err != nil {
		return nil, false, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	all, err := n.uploads(ctx)
	if err != nil {
		return nil, false, err
	}
	var out []UploadInfo
	for _, u := range all {
		if u.bucket != bucket || !strings.HasPrefix(u.Key, prefix) {
			continue
		}
		if keyMarker != "" && (u.Key < keyMarker || (u.Key == keyMarker && (idMarker == "" || u.UploadID <= idMarker))) {
			continue
		}
		out = append(out, u.UploadInfo)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].UploadID < out[j].UploadID
	})
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
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
