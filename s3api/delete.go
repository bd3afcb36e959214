package s3api

import (
	"encoding/xml"
	"net/http"
	"strconv"

	"github.com/johannesboyne/gofakes3"

	"github.com/sealgate/sealgate/gateway"
)

// maxDeleteKeys is DeleteObjects' limit of keys per request.
const maxDeleteKeys = 1000

// deleteObject serves DELETE /bucket/key: 204 whether or not the key
// existed, as S3 answers.
func (s *server) deleteObject(rc *reqCtx) error {
	vid, err := versionParam(rc.r.URL.Query())
	if err != nil {
		return err
	}
	conds, err := deleteConditions(rc.r.Header)
	if err != nil {
		return err
	}
	r, err := rc.user.NS.DeleteVersion(rc.r.Context(), rc.bucket, rc.key, vid, gateway.DeleteOptions{BypassGovernance: bypassGovernance(rc.r), Conditions: conds})
	if err != nil {
		return err
	}
	h := rc.w.Header()
	if r.DeleteMarker {
		h.Set("x-amz-delete-marker", "true")
	}
	if vid != "" {
		h.Set("x-amz-version-id", vid)
	} else {
		setVersionID(h, r.DeleteMarkerVersionID)
	}
	rc.w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteObjects serves POST /bucket?delete. The body is read whole and
// verified (its signature or payload hash, at EOF) before any key is
// deleted; at most 1000 keys (none is a valid, empty request, as
// versitygw and gofakes3 answer it). Each key reports its own result; in quiet
// mode only the failures are listed.
func (s *server) deleteObjects(rc *reqCtx) error {
	body, err := readVerifiedBody(rc)
	if err != nil {
		return err
	}
	var in gofakes3.DeleteRequest
	if err := xml.Unmarshal(body, &in); err != nil || len(in.Objects) > maxDeleteKeys {
		return errCode("MalformedXML")
	}
	objs := make([]gateway.ObjectVersion, len(in.Objects))
	for i, o := range in.Objects {
		objs[i] = gateway.ObjectVersion{Key: o.Key, VersionID: o.VersionID}
	}
	out := deleteResult{Xmlns: s3ns, Deleted: []deletedEntry{}}
	for _, r := range rc.user.NS.DeleteObjects(rc.r.Context(), rc.bucket, objs, gateway.DeleteOptions{BypassGovernance: bypassGovernance(rc.r)}) {
		if r.Err == nil {
			if !in.Quiet {
				out.Deleted = append(out.Deleted, deletedEntry{Key: r.Key, VersionID: r.VersionID,
					DeleteMarker: r.DeleteMarker, DeleteMarkerVersionID: r.DeleteMarkerVersionID})
			}
			continue
		}
		e := rc.apiError(r.Err, rc.r)
		if e.status >= 500 {
			rc.logErr(r.Err)
		}
		out.Error = append(out.Error, deleteError{Key: r.Key, VersionID: r.VersionID, Code: e.Code, Message: e.Message})
	}
	return writeXML(rc, http.StatusOK, out)
}

// deleteConditions reads DeleteObject's conditions: If-Match,
// x-amz-if-match-size and x-amz-if-match-last-modified-time (an HTTP
// date); a value that does not parse is InvalidArgument.
func deleteConditions(h http.Header) (gateway.DeleteConditions, error) {
	c := gateway.DeleteConditions{IfMatch: h.Get("If-Match")}
	if v := h.Get("X-Amz-If-Match-Size"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, errArg("x-amz-if-match-size", v, "Invalid argument for x-amz-if-match-size")
		}
		c.Size = &n
	}
	if v := h.Get("X-Amz-If-Match-Last-Modified-Time"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return c, errArg("x-amz-if-match-last-modified-time", v, "Invalid argument for x-amz-if-match-last-modified-time")
		}
		c.ModifiedAt = t
	}
	return c, nil
}
