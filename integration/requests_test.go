package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/davapi"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/countstore"
	"github.com/sealgate/sealgate/s3api"
)

// requestRig is one gateway whose upstream requests are counted, and a
// second gateway over the same upstream (uncounted) that writes "elsewhere".
type requestRig struct {
	t        *testing.T
	count    *countstore.Store
	here     *s3.Client // through the counted gateway
	other    *s3.Client // through the other gateway
	dav      string     // the counted gateway's WebDAV door
	accts    *accounts.Accounts
	otherAcc *accounts.Accounts
}

func newRequestRig(t *testing.T) *requestRig {
	base := mem.New()
	r := &requestRig{t: t, count: countstore.New(base)}
	root := cryptolayer.NewKey()
	open := func(s backends.Store) *accounts.Accounts {
		a, err := accounts.Open(context.Background(), accounts.Config{Store: s, DataDir: t.TempDir(), Root: root, Create: true,
			PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		return a
	}
	r.accts, r.otherAcc = open(r.count), open(base)
	cr, err := r.otherAcc.Create(context.Background(), "ann", []byte("ann password"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.accts.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.here = r.door(r.accts, r.count, cr)
	r.other = r.door(r.otherAcc, base, cr)
	return r
}

// door serves S3 (and, for the counted gateway, WebDAV: one Service for
// both doors, as serve runs them) over store.
func (r *requestRig) door(acc *accounts.Accounts, store backends.Store, cr accounts.Credentials) *s3.Client {
	// The quota record is re-read every QuotaRefresh (2 s by default): an
	// hour keeps that read on the account's first write, where the table
	// says it is, however long the rows before took.
	svc, err := gateway.NewService(gateway.Config{Store: store, QuotaRefresh: time.Hour})
	if err != nil {
		r.t.Fatal(err)
	}
	h, err := s3api.New(s3api.Config{Users: gatewayUsers{acc, svc}, Region: "us-east-1", Logger: zerolog.Nop()})
	if err != nil {
		r.t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	r.t.Cleanup(srv.Close)
	if store == r.count {
		d, err := davapi.New(davapi.Config{Logins: davLogins{acc, svc}, Logger: zerolog.Nop()})
		if err != nil {
			r.t.Fatal(err)
		}
		ds := httptest.NewServer(d)
		r.t.Cleanup(ds.Close)
		r.dav = ds.URL
	}
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(cr.AccessKeyID, string(cr.SecretAccessKey), "")})
}

type davLogins struct {
	acc *accounts.Accounts
	svc *gateway.Service
}

func (d davLogins) Login(name string, pw []byte) (davapi.User, error) {
	a, err := d.acc.Login(name, pw)
	if err != nil {
		return davapi.User{}, err
	}
	return davapi.User{Name: a.Name(), NS: d.svc.Namespace(a)}, nil
}

// davDo sends one WebDAV request as ann and returns its status.
func (r *requestRig) davDo(method, path, body string, hdr ...string) (int, http.Header) {
	req, _ := http.NewRequest(method, r.dav+path, strings.NewReader(body))
	req.SetBasicAuth("ann", "ann password")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// row is one measured operation.
type row struct {
	what string
	n    map[string]int
}

var requestKinds = []string{"GET", "HEAD", "PUT", "LIST", "DELETE"}

// render is the markdown table of rows.
func render(rows []row) string {
	var b strings.Builder
	b.WriteString("| client operation | " + strings.Join(requestKinds, " | ") + " | total |\n|---|")
	b.WriteString(strings.Repeat("---|", len(requestKinds)+1) + "\n")
	for _, r := range rows {
		total := 0
		fmt.Fprintf(&b, "| %s |", r.what)
		for _, k := range requestKinds {
			total += r.n[k]
			if r.n[k] == 0 {
				b.WriteString(" |")
			} else {
				fmt.Fprintf(&b, " %d |", r.n[k])
			}
		}
		fmt.Fprintf(&b, " %d |\n", total)
	}
	return b.String()
}

const (
	requestsDoc   = "../docs/upstream-requests.md"
	tableBegin    = "<!-- begin: measured by TestUpstreamRequests in integration/requests_test.go -->\n"
	tableEnd      = "<!-- end -->\n"
	envWriteTable = "SEALGATE_WRITE_REQUESTS_TABLE"
)

// TestUpstreamRequests measures the upstream requests of each client
// operation through a gateway over a counting store, and checks them
// against the table in docs/upstream-requests.md (what a deployment on a
// paid S3 service pays per request). With SEALGATE_WRITE_REQUESTS_TABLE=1
// it writes the measured table into the doc instead.
func TestUpstreamRequests(t *testing.T) {
	r := newRequestRig(t)
	rows := append(r.s3Rows(), r.davRows()...)
	rows = append(rows, r.accountRows()...)
	got := render(rows)
	doc, err := os.ReadFile(requestsDoc)
	if err != nil {
		t.Fatal(err)
	}
	i, j := bytes.Index(doc, []byte(tableBegin)), bytes.Index(doc, []byte(tableEnd))
	if i < 0 || j < i {
		t.Fatalf("%s lacks the markers %q … %q", requestsDoc, tableBegin, tableEnd)
	}
	have := string(doc[i+len(tableBegin) : j])
	if have == got {
		return
	}
	if os.Getenv(envWriteTable) == "1" {
		out := append(append(append([]byte(nil), doc[:i+len(tableBegin)]...), got...), doc[j:]...)
		if err := os.WriteFile(requestsDoc, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s is out of date (rerun with %s=1 to write it); measured:\n%s", requestsDoc, envWriteTable, got)
}

// measure runs do and returns a row of what it cost upstream.
func (r *requestRig) measure(what string, do func() error) row {
	r.t.Helper()
	r.count.Take()
	if err := do(); err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
	return row{what: what, n: r.count.Take()}
}

func (r *requestRig) s3Rows() []row {
	ctx := context.Background()
	b, big, small := aws.String("bkt"), randomBytes(3, 64*mib), randomBytes(4, 4096)
	put := func(c *s3.Client, key string, body []byte) func() error {
		return func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(key), Body: bytes.NewReader(body)})
			return err
		}
	}
	get := func(key string, rng *string) func() error {
		return func() error {
			out, err := r.here.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: aws.String(key), Range: rng})
			if err == nil {
				_, err = io.Copy(io.Discard, out.Body)
				_ = out.Body.Close()
			}
			return err
		}
	}
	head := func(key string) func() error {
		return func() error {
			_, err := r.here.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: aws.String(key)})
			return err
		}
	}
	var rows []row
	rows = append(rows, r.measure("CreateBucket", func() error { _, err := r.here.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}); return err }))
	rows = append(rows, r.measure("HeadBucket", func() error { _, err := r.here.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); return err }))
	rows = append(rows, r.measure("PutObject 4 KiB (the account's first write: +1 GET of its quota record, then one per 2 s)", put(r.here, "small", small)))
	rows = append(rows, r.measure("PutObject 64 MiB (one upstream PUT; see below)", put(r.here, "big", big)))
	rows = append(rows, r.measure("GetObject 4 KiB", get("small", nil)))
	rows = append(rows, r.measure("GetObject 64 MiB", get("big", nil)))
	rows = append(rows, r.measure("GetObject, a 1 MiB range of 64 MiB", get("big", aws.String("bytes=10485760-11534335"))))
	rows = append(rows, r.measure("HeadObject", head("small")))
	_ = put(r.other, "theirs", small)()
	rows = append(rows, r.measure("HeadObject, written by another gateway (first time)", head("theirs")))
	rows = append(rows, r.measure("GetObject of a missing key", func() error {
		if err := get("missing", nil)(); err == nil {
			return fmt.Errorf("found")
		}
		return nil
	}))
	rows = append(rows, r.listRows(ctx, b)...)
	rows = append(rows, r.multipartRows(ctx, b)...)
	rows = append(rows, r.measure("DeleteObject", func() error {
		_, err := r.here.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: aws.String("small")})
		return err
	}))
	return rows
}

func (r *requestRig) listRows(ctx context.Context, b *string) []row {
	for i := range 2500 {
		if _, err := r.other.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String(fmt.Sprintf("list/%05d", i)),
			Body: bytes.NewReader([]byte("x"))}); err != nil {
			r.t.Fatal(err)
		}
	}
	var token *string
	list := func() error {
		out, err := r.here.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b, Prefix: aws.String("list/"), ContinuationToken: token})
		if err == nil {
			token = out.NextContinuationToken
		}
		return err
	}
	rows := []row{r.measure("ListObjectsV2, first page of 1000, written by another gateway (cold)", list)}
	rows = append(rows, r.measure("ListObjectsV2, next page", list))
	token = nil
	rows = append(rows, r.measure("ListObjectsV2, first page again (warm)", list))
	return rows
}

func (r *requestRig) multipartRows(ctx context.Context, b *string) []row {
	key := aws.String("mp")
	var id *string
	var parts []types.CompletedPart
	rows := []row{r.measure("CreateMultipartUpload", func() error {
		out, err := r.here.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: key})
		if err == nil {
			id = out.UploadId
		}
		return err
	})}
	for i, size := range []int{5 * mib, mib} {
		what := "UploadPart 5 MiB"
		if i == 1 {
			what = "UploadPart, last part (1 MiB)"
		}
		rows = append(rows, r.measure(what, func() error {
			out, err := r.here.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: key, UploadId: id, PartNumber: aws.Int32(int32(i + 1)),
				Body: bytes.NewReader(randomBytes(uint64(10+i), size))})
			if err == nil {
				parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
			}
			return err
		}))
	}
	rows = append(rows, r.measure("ListParts", func() error {
		_, err := r.here.ListParts(ctx, &s3.ListPartsInput{Bucket: b, Key: key, UploadId: id})
		return err
	}))
	rows = append(rows, r.measure("CompleteMultipartUpload, 2 parts", func() error {
		_, err := r.here.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: b, Key: key, UploadId: id,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
		return err
	}))
	out, err := r.here.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("aborted")})
	if err != nil {
		r.t.Fatal(err)
	}
	return append(rows, r.measure("AbortMultipartUpload", func() error {
		_, err := r.here.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: b, Key: aws.String("aborted"), UploadId: out.UploadId})
		return err
	}))
}

func (r *requestRig) davRows() []row {
	want := func(code int, st int) error {
		if st != code {
			return fmt.Errorf("status %d, want %d", st, code)
		}
		return nil
	}
	live := `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getcontentlength/><D:getlastmodified/>` +
		`<D:resourcetype/><D:getetag/></D:prop></D:propfind>`
	rows := []row{
		r.measure("WebDAV PROPFIND (live properties) of a folder of 2500, depth 1", func() error {
			st, _ := r.davDo("PROPFIND", "/bkt/list/", live, "Depth", "1")
			return want(207, st)
		}),
		r.measure("WebDAV PROPFIND allprop of that folder (reads each file's dead properties)", func() error {
			st, _ := r.davDo("PROPFIND", "/bkt/list/", "", "Depth", "1")
			return want(207, st)
		}),
		r.measure("WebDAV PUT 4 KiB (new file)", func() error {
			st, _ := r.davDo("PUT", "/bkt/dav.txt", string(randomBytes(5, 4096)))
			return want(201, st)
		}),
		r.measure("WebDAV GET 4 KiB", func() error { st, _ := r.davDo("GET", "/bkt/dav.txt", ""); return want(200, st) }),
	}
	var token string
	rows = append(rows, r.measure("WebDAV LOCK", func() error {
		st, h := r.davDo("LOCK", "/bkt/dav.txt", `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>`+
			`<D:locktype><D:write/></D:locktype></D:lockinfo>`)
		token = h.Get("Lock-Token")
		return want(200, st)
	}))
	rows = append(rows, r.measure("WebDAV UNLOCK", func() error {
		st, _ := r.davDo("UNLOCK", "/bkt/dav.txt", "", "Lock-Token", token)
		return want(204, st)
	}))
	return rows
}

func (r *requestRig) accountRows() []row {
	ctx := context.Background()
	rows := []row{
		r.measure("ListBuckets (the account lookup of a known key costs nothing)", func() error {
			_, err := r.here.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}),
		r.measure("account poll, nothing changed (every accounts.poll_interval: 60 a minute)", func() error { return r.accts.Refresh(ctx) }),
	}
	if _, err := r.otherAcc.Create(ctx, "bob", []byte("bob password")); err != nil {
		r.t.Fatal(err)
	}
	rows = append(rows, r.measure("account poll after a change elsewhere", func() error { return r.accts.Refresh(ctx) }))
	rows = append(rows, r.measure("account change (user add, passwd, keys, delete)", func() error {
		_, err := r.accts.Create(ctx, "carol", []byte("carol password"))
		return err
	}))
	return rows
}
