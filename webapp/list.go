package webapp

import (
	"net/http"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// maxSmallBody bounds the JSON body of a request that is not an upload.
const maxSmallBody = 64 << 10

type bucketJSON struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// listBuckets answers the account's buckets.
func listBuckets(w http.ResponseWriter, r *http.Request, s *session) error {
	bs, err := s.user.NS.ListBuckets(r.Context())
	if err != nil {
		return err
	}
	out := make([]bucketJSON, 0, len(bs))
	for _, b := range bs {
		out = append(out, bucketJSON{Name: b.Name, Created: b.Created})
	}
	writeJSON(w, http.StatusOK, map[string]any{"buckets": out})
	return nil
}

// createBucket makes a bucket: {"name": "..."}.
func createBucket(w http.ResponseWriter, r *http.Request, s *session) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, maxSmallBody, &in); err != nil {
		return err
	}
	if err := s.user.NS.CreateBucket(r.Context(), in.Name); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"name": in.Name})
	return nil
}

// fileJSON is a file of a listing.
type fileJSON struct {
	Name     string    `json:"name"` // the last segment of the key
	Key      string    `json:"key"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// folderJSON is a sub-folder of a listing.
type folderJSON struct {
	Name   string `json:"name"`
	Prefix string `json:"prefix"` // the folder's key prefix, ending in "/"
}

// pageJSON continues a listing: pass both back as marker and snapshot.
type pageJSON struct {
	Marker   string `json:"marker"`
	Snapshot string `json:"snapshot"`
}

type listJSON struct {
	Bucket  string       `json:"bucket"`
	Prefix  string       `json:"prefix"`
	Folders []folderJSON `json:"folders"`
	Files   []fileJSON   `json:"files"`
	Next    *pageJSON    `json:"next,omitempty"`
}

// listPage is the page size of folder listings (the gateway's maximum).
const listPage = 1000

// listFolder answers one page of a folder:
// ?bucket=&prefix=[&marker=&snapshot=]. The prefix is "" (the bucket) or
// ends with "/"; the folder's own marker object is not listed. A folder
// that does not exist is 404.
func listFolder(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	bucket, prefix := q.Get("bucket"), q.Get("prefix")
	if err := checkFolder(bucket, prefix); err != nil {
		return err
	}
	lq := gateway.ListQuery{Prefix: prefix, Delimiter: "/", Marker: q.Get("marker"), Snapshot: q.Get("snapshot"), MaxKeys: listPage}
	res, err := s.user.NS.ListObjects(r.Context(), bucket, lq)
	if err != nil {
		return err
	}
	if prefix != "" && lq.Marker == "" && len(res.Objects) == 0 && len(res.CommonPrefixes) == 0 {
		if _, err := s.user.NS.HeadFolder(r.Context(), bucket, prefix); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, listOf(bucket, prefix, res))
	return nil
}

func listOf(bucket, prefix string, res gateway.ListResult) listJSON {
	out := listJSON{Bucket: bucket, Prefix: prefix, Folders: []folderJSON{}, Files: []fileJSON{}}
	for _, p := range res.CommonPrefixes {
		out.Folders = append(out.Folders, folderJSON{Name: strings.TrimSuffix(p[len(prefix):], "/"), Prefix: p})
	}
	for _, o := range res.Objects {
		if o.Key == prefix {
			continue // the folder's marker
		}
		out.Files = append(out.Files, fileJSON{Name: o.Key[len(prefix):], Key: o.Key, Size: o.Size, Modified: o.LastModified})
	}
	if res.IsTruncated {
		out.Next = &pageJSON{Marker: res.NextMarker, Snapshot: res.Snapshot}
	}
	return out
}

// checkFolder checks the parameters naming a folder.
func checkFolder(bucket, prefix string) error {
	if bucket == "" {
		return badRequest("bucket is required")
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		return badRequest("a folder prefix ends with /")
	}
	return nil
}

// checkObject checks the parameters naming a file.
func checkObject(bucket, key string) error {
	switch {
	case bucket == "":
		return badRequest("bucket is required")
	case key == "":
		return badRequest("key is required")
	case strings.HasSuffix(key, "/"):
		return badRequest("a file name does not end with /")
	}
	return nil
}
