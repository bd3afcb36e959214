package davapi

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// liveNames are the properties x/net/webdav computes itself and refuses to
// PROPPATCH, so no resource has a dead property of these names.
var liveNames = map[xml.Name]bool{
	{Space: "DAV:", Local: "resourcetype"}:       true,
	{Space: "DAV:", Local: "displayname"}:        true,
	{Space: "DAV:", Local: "getcontentlength"}:   true,
	{Space: "DAV:", Local: "getlastmodified"}:    true,
	{Space: "DAV:", Local: "creationdate"}:       true,
	{Space: "DAV:", Local: "getcontentlanguage"}: true,
	{Space: "DAV:", Local: "getcontenttype"}:     true,
	{Space: "DAV:", Local: "getetag"}:            true,
	{Space: "DAV:", Local: "lockdiscovery"}:      true,
	{Space: "DAV:", Local: "supportedlock"}:      true,
}

// propfindBody is what davapi needs of a PROPFIND body.
type propfindBody struct {
	XMLName  xml.Name  `xml:"DAV: propfind"`
	Allprop  *struct{} `xml:"DAV: allprop"`
	Propname *struct{} `xml:"DAV: propname"`
	Prop     *struct {
		Names []struct {
			XMLName xml.Name
		} `xml:",any"`
	} `xml:"DAV: prop"`
}

// liveOnlyBody tells whether a PROPFIND body names live properties only
// (what rclone, davfs2, Finder and Windows list folders with): then no
// resource's dead properties need to be read. An empty body is allprop.
func liveOnlyBody(data []byte) bool {
	if len(bytes.TrimSpace(data)) == 0 {
		return false
	}
	var pf propfindBody
	if err := xml.Unmarshal(data, &pf); err != nil {
		return false
	}
	if pf.Allprop != nil || pf.Propname != nil || pf.Prop == nil {
		return false
	}
	for _, n := range pf.Prop.Names {
		if !liveNames[n.XMLName] {
			return false
		}
	}
	return true
}

// setLiveOnly records whether the PROPFIND body names live properties only.
func (st *reqState) setLiveOnly(body []byte) {
	if st != nil {
		st.live = liveOnlyBody(body)
	}
}

// liveOnly: this request never shows dead properties.
func (st *reqState) liveOnly() bool { return st != nil && st.live }

// copySource is the source of a collection that this COPY creates at name.
func (st *reqState) copySource(name string) (string, bool) {
	if st == nil || st.method != "COPY" || st.copyDest == "" || st.copyDest == "/" {
		return "", false
	}
	if name == st.copyDest {
		return st.path, true
	}
	if rest, ok := strings.CutPrefix(name, st.copyDest+"/"); ok {
		return st.path + "/" + rest, true
	}
	return "", false
}
