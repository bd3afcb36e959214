package s3api

import (
	"encoding/xml"
	"net/http"

	"github.com/johannesboyne/gofakes3"
)

// maxDeleteKeys is DeleteObjects' limit of keys per request.
const maxDeleteKeys = 1000

// deleteObject serves DELETE /bucket/key: 204 whether or not the key
// existed, as S3 answers.
func (s *server) deleteObject(rc *reqCtx) error {
	if err := rc.user.NS.DeleteObject(rc.r.Context(), rc.bucket, rc.key); err != nil {
		return err
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
	keys := make([]string, len(in.Objects))
	for i, o := range in.Objects {
		if o.VersionID != "" && o.VersionID != "null" {
			return errMsg("InvalidArgument", "Invalid version id specified")
		}
		keys[i] = o.Key
	}
	out := gofakes3.MultiDeleteResult{Deleted: []gofakes3.ObjectID{}}
	for _, r := range rc.user.NS.DeleteObjects(rc.r.Context(), rc.bucket, keys) {
		if r.Err == nil {
			if !in.Quiet {
				out.Deleted = append(out.Deleted, gofakes3.ObjectID{Key: r.Key})
			}
			continue
		}
		e := rc.apiError(r.Err, rc.r)
		if e.status >= 500 {
			rc.logErr(r.Err)
		}
		out.Error = append(out.Error, gofakes3.ErrorResult{Key: r.Key, Code: gofakes3.ErrorCode(e.Code), Message: e.Message})
	}
	return writeXML(rc, http.StatusOK, out)
}
