package davapi

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// errPropsTooLarge: a PROPPATCH would exceed gateway.MaxPropsBytes.
var errPropsTooLarge = errors.New("davapi: dead properties too large")

// storedProp is one dead property in a resource's properties document
// (JSON, sealed and stored by Namespace.SetProps).
type storedProp struct {
	Space string `json:"ns"`
	Local string `json:"local"`
	Lang  string `json:"lang,omitempty"`
	XML   []byte `json:"xml"`
}

// propsHolder implements webdav.DeadPropsHolder for one resource over the
// gateway's properties API; the resource's data is never rewritten.
type propsHolder struct {
	fs   *davFS
	ctx  context.Context
	t    target
	info *fileInfo
}

// propsKeyOf is the gateway properties key of a resource: a file's key, a
// folder's marker key "dir/", or "" for a bucket.
func propsKeyOf(t target, dir bool) string {
	if dir && t.key != "" {
		return t.key + "/"
	}
	return t.key
}

func (h propsHolder) key() string { return propsKeyOf(h.t, h.info.dir) }

// DeadProps reads the resource's properties, unless the request asks only
// for live properties (a PROPFIND naming DAV: live properties only).
func (h propsHolder) DeadProps() (map[xml.Name]webdav.Property, error) {
	if h.t.isRoot() || stateOf(h.ctx).liveOnly() {
		return map[xml.Name]webdav.Property{}, nil
	}
	m, err := loadProps(h.ctx, h.fs.ns(h.ctx), h.t.bucket, h.key())
	if err != nil {
		return nil, fsErr(stateOf(h.ctx), "props", h.t.name, err)
	}
	return m, nil
}

// Patch applies all patches or none and stores the properties. A folder
// without a marker gets one first, so that deleting the folder (its marker)
// deletes its properties.
func (h propsHolder) Patch(patches []webdav.Proppatch) ([]webdav.Propstat, error) {
	if h.t.isRoot() {
		return patchStatus(patches, http.StatusForbidden), nil
	}
	if h.info.dir && !h.t.isBucket() {
		if err := h.fs.ensureMarker(h.ctx, h.t, h.info); err != nil {
			return nil, fsErr(stateOf(h.ctx), "proppatch", h.t.name, err)
		}
	}
	m, err := h.DeadProps()
	if err != nil {
		return nil, err
	}
	applyPatches(m, patches)
	err = saveProps(h.ctx, h.fs.ns(h.ctx), h.t.bucket, h.key(), m)
	if errors.Is(err, errPropsTooLarge) || errors.Is(err, gateway.ErrPropsTooLarge) {
		return patchStatus(patches, http.StatusInsufficientStorage), nil
	}
	if err != nil {
		return nil, fsErr(stateOf(h.ctx), "proppatch", h.t.name, err)
	}
	return patchStatus(patches, http.StatusOK), nil
}

func applyPatches(m map[xml.Name]webdav.Property, patches []webdav.Proppatch) {
	for _, p := range patches {
		for _, pr := range p.Props {
			if p.Remove {
				delete(m, pr.XMLName)
			} else {
				m[pr.XMLName] = pr
			}
		}
	}
}

// patchStatus is one propstat naming every patched property.
func patchStatus(patches []webdav.Proppatch, status int) []webdav.Propstat {
	ps := webdav.Propstat{Status: status}
	for _, p := range patches {
		for _, pr := range p.Props {
			ps.Props = append(ps.Props, webdav.Property{XMLName: pr.XMLName})
		}
	}
	return []webdav.Propstat{ps}
}

// loadProps reads a resource's dead properties (none is an empty map).
func loadProps(ctx context.Context, ns gateway.Namespace, bucket, key string) (map[xml.Name]webdav.Property, error) {
	m := map[xml.Name]webdav.Property{}
	data, err := ns.GetProps(ctx, bucket, key)
	if err != nil || len(data) == 0 {
		return m, err
	}
	var list []storedProp
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("davapi: properties %w: %v", gateway.ErrIntegrity, err)
	}
	for _, p := range list {
		n := xml.Name{Space: p.Space, Local: p.Local}
		m[n] = webdav.Property{XMLName: n, Lang: p.Lang, InnerXML: p.XML}
	}
	return m, nil
}

// saveProps stores a resource's dead properties, or removes them when m is
// empty.
func saveProps(ctx context.Context, ns gateway.Namespace, bucket, key string, m map[xml.Name]webdav.Property) error {
	if len(m) == 0 {
		return ns.SetProps(ctx, bucket, key, nil)
	}
	list := make([]storedProp, 0, len(m))
	for n, p := range m {
		list = append(list, storedProp{Space: n.Space, Local: n.Local, Lang: p.Lang, XML: p.InnerXML})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if len(data) > gateway.MaxPropsBytes {
		return errPropsTooLarge
	}
	return ns.SetProps(ctx, bucket, key, data)
}

// copyProps gives the destination resource the source's properties (MOVE
// and COPY of trees). A source without properties leaves the destination,
// which is new, without any.
func copyProps(ctx context.Context, ns gateway.Namespace, sb, sk, db, dk string) error {
	data, err := ns.GetProps(ctx, sb, sk)
	if err != nil || len(data) == 0 {
		return err
	}
	return ns.SetProps(ctx, db, dk, data)
}
