package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// davClient drives sealgate's WebDAV door with Basic auth.
type davClient struct {
	base, user, pw string
	hc             *http.Client
}

func newDAV(p *proc) *davClient {
	return &davClient{base: p.dav, user: p.user, pw: p.pw,
		hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}}
}

func (d *davClient) do(ctx context.Context, method, path string, body io.Reader, size int64) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = size
	req.SetBasicAuth(d.user, d.pw)
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	n, err := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return n, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return n, err
}

func (d *davClient) bigPut(ctx context.Context, path string, size int64) (float64, error) {
	settle()
	start := time.Now()
	_, err := d.do(ctx, http.MethodPut, path, newGen(size), size)
	return mbps(size, time.Since(start)), err
}

func (d *davClient) bigGet(ctx context.Context, path string) (float64, error) {
	start := time.Now()
	n, err := d.do(ctx, http.MethodGet, path, nil, 0)
	return mbps(n, time.Since(start)), err
}

func (d *davClient) smallOps(ctx context.Context, dir string, ops, conc int, get bool) (float64, error) {
	body := bytes.Repeat([]byte("x"), 4096)
	return parallel(ops, conc, func(i int) error {
		path := fmt.Sprintf("%s/%06d", dir, i)
		if get {
			_, err := d.do(ctx, http.MethodGet, path, nil, 0)
			return err
		}
		_, err := d.do(ctx, http.MethodPut, path, bytes.NewReader(body), int64(len(body)))
		return err
	})
}

// propfind lists a collection (Depth 1, the live properties clients such
// as davfs2 and rclone ask for) and returns the response size.
func (d *davClient) propfind(ctx context.Context, path string) (int64, error) {
	body := `<?xml version="1.0"?><propfind xmlns="DAV:"><prop><resourcetype/><getcontentlength/>` +
		`<getlastmodified/><getetag/></prop></propfind>`
	req, err := http.NewRequestWithContext(ctx, "PROPFIND", d.base+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Depth", "1")
	req.Header.Set("Content-Type", "application/xml")
	req.SetBasicAuth(d.user, d.pw)
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	n, err := io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 207 {
		return n, fmt.Errorf("PROPFIND %s: %s", path, resp.Status)
	}
	return n, err
}
