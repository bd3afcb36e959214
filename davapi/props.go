package davapi

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
)

// maxPropsBytes bounds a sidecar (all dead properties of one resource).
const maxPropsBytes = 64 << 10

// errPropsTooLarge: a PROPPATCH would exceed maxPropsBytes.
var errPropsTooLarge = errors.New("davapi: dead properties too large")

// storedProp is one dead property in a sidecar (JSON).
type storedProp struct {
	Space string `json:"ns"`
	Local string `json:"local"`
	Lang  string `json:"lang,omitempty"`
	XML   []byte `json:"xml"`
}

// propsHolder implements webdav.DeadPropsHolder for one resource over its
// sidecar object; the resource's data is never rewritten.
type propsHolder struct {
	fs   *davFS
	ctx  context.Context
	t    target
	info *fileInfo
}

func (h propsHolder) key() string { return propsKey(h.t.key, h.info.dir) }

// DeadProps reads the sidecar, unless a listing showed there is none.
func (h propsHolder) DeadProps() (map[xml.Name]webdav.Property, error) {
	if h.t.isRoot() || h.info.props == propsNone {
		return map[xml.Name]webdav.Property{}, nil
	}
	m, err := loadProps(h.ctx, h.fs.ns(h.ctx), h.t.bucket, h.key())
	if err != nil {
		return nil, fsErr(stateOf(h.ctx), "props", h.t.name, err)
	}
	return m, nil
}

// Patch applies all patches or none and writes the sidecar.
func (h propsHolder) Patch(patches []webdav.Proppatch) ([]webdav.Propstat, error) {
	if h.t.isRoot() {
		return patchStatus(patches, http.StatusForbidden), nil
	}
	m, err := h.DeadProps()
	if err != nil {
		return nil, err
	}
	applyPatches(m, patches)
	err = saveProps(h.ctx, h.fs.ns(h.ctx), h.t.bucket, h.key(), m)
	if errors.Is(err, errPropsTooLarge) {
		return patchStatus(patches, http.StatusInsufficientStorage), nil
	}
	if err != nil {
		return nil, fsErr(stateOf(h.ctx), "proppatch", h.t.name, err)
	}
	h.info.props = propsUnknown
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

func loadProps(ctx context.Context, ns gateway.Namespace, bucket, key string) (map[xml.Name]webdav.Property, error) {
	m := map[xml.Name]webdav.Property{}
	or, err := ns.GetObject(ctx, bucket, key, gateway.GetOptions{})
	if errors.Is(err, gateway.ErrNoSuchKey) {
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	defer func() { _ = or.Body.Close() }()
	data, err := io.ReadAll(io.LimitReader(or.Body, maxPropsBytes+1))
	if err != nil {
		return nil, err
	}
	var list []storedProp
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("davapi: props sidecar %w: %v", gateway.ErrIntegrity, err)
	}
	for _, p := range list {
		n := xml.Name{Space: p.Space, Local: p.Local}
		m[n] = webdav.Property{XMLName: n, Lang: p.Lang, InnerXML: p.XML}
	}
	return m, nil
}

// saveProps writes the sidecar, or deletes it when m is empty.
func saveProps(ctx context.Context, ns gateway.Namespace, bucket, key string, m map[xml.Name]webdav.Property) error {
	if len(m) == 0 {
		return ns.DeleteObject(ctx, bucket, key)
	}
	list := make([]storedProp, 0, len(m))
	for n, p := range m {
		list = append(list, storedProp{Space: n.Space, Local: n.Local, Lang: p.Lang, XML: p.InnerXML})
	}
	data, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if len(data) > maxPropsBytes {
		return errPropsTooLarge
	}
	_, err = ns.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)),
		gateway.PutOptions{Meta: gateway.Meta{"content-type": "application/json"}})
	return err
}
