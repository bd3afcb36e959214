package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/sealgate/sealgate/gateway"
)

// TestPostBodies: what is wrong with the form itself.
func TestPostBodies(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "bod")
	raw := func(ct, body string) answer {
		req := mustReq(t, http.MethodPost, e.srv.URL+"/bod", strings.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return e.send(t, req)
	}
	ae := wantPostError(t, raw("application/json", "{}"), 412, "PreconditionFailed", "")
	if ae.Condition != "Bucket POST must be of the enclosure-type multipart/form-data" {
		t.Fatalf("%+v", ae)
	}
	wantPostError(t, raw("", "x"), 412, "PreconditionFailed", "")
	wantPostError(t, raw("multipart/form-data", "x"), 400, "MalformedPOSTRequest", "")
	wantPostError(t, raw("multipart/form-data; boundary=b", "not multipart"), 400, "MalformedPOSTRequest", "")
	// Fields before the file are bounded.
	big := postUpload{bucket: "bod", key: "k", file: []byte("x"), fields: map[string]string{"x-amz-meta-big": strings.Repeat("b", maxPostFields)}}
	wantPostError(t, e.post(t, big), 400, "MaxPostPreDataLengthExceededError", "")
	var many strings.Builder
	w := multipart.NewWriter(&many)
	for i := 0; many.Len() < maxPostPreamble+1; i++ {
		_ = w.WriteField(fmt.Sprintf("x-ignore-%d", i), "")
	}
	wantPostError(t, raw(w.FormDataContentType(), many.String()), 400, "MaxPostPreDataLengthExceededError", "")
	wantPostError(t, e.post(t, postUpload{bucket: "bod", key: "k", noFile: true}), 400, "IncorrectNumberOfFilesInPostRequest", "")
	// A repeated field is refused.
	var dup strings.Builder
	w = multipart.NewWriter(&dup)
	_ = w.WriteField("key", "a")
	_ = w.WriteField("Key", "b")
	_ = w.Close()
	wantPostError(t, raw(w.FormDataContentType(), dup.String()), 400, "InvalidArgument", "POST form field key appears more than once")
	// A truncated file stores nothing; what follows the file is ignored.
	body, ct := postUpload{bucket: "bod", key: "cut", file: []byte("0123456789")}.body(t)
	end := bytes.Index(body, []byte("0123456789")) + 5
	wantPostError(t, raw(ct, string(body[:end])), 400, "IncompleteBody", "")
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bod"), Key: aws.String("cut")}); err == nil {
		t.Fatal("a truncated file was stored")
	}
	body, ct = postUpload{bucket: "bod", key: "tail", file: []byte("data")}.body(t)
	if resp := raw(ct, string(body)+"trailing garbage\r\n--x\r\n"); resp.StatusCode != 204 {
		t.Fatalf("%d", resp.StatusCode)
	}
	if got := mustGet(t, c, "bod", "tail"); got != "data" {
		t.Fatalf("%q", got)
	}
}

// TestPostChecksums: a checksum field is verified as the file streams.
func TestPostChecksums(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "cks")
	file := []byte("test data")
	ok := map[string]string{"x-amz-checksum-crc32": "0wiusg==", "x-amz-checksum-crc32c": "M3m0yg==", "x-amz-checksum-crc64nvme": "rsrzr5yYqFU=",
		"x-amz-checksum-sha1": "9I3YU4IIYIFsddVND1hNyGMyenw=", "x-amz-checksum-sha256": "kW8AJ6V1B0znKjMXd8NHjWUT94alkb2JLaGld78jNfk="}
	for name, v := range ok {
		resp := e.post(t, postUpload{bucket: "cks", key: name, file: file, fields: map[string]string{name: v}})
		if resp.StatusCode != 204 || resp.Header.Get(name) != v {
			t.Fatalf("%s: %d %v", name, resp.StatusCode, resp.Header)
		}
	}
	wantPostError(t, e.post(t, postUpload{bucket: "cks", key: "bad", file: []byte("other data"),
		fields: map[string]string{"x-amz-checksum-crc32": "0wiusg=="}}), 400, "BadDigest", "")
	wantPostError(t, e.post(t, postUpload{bucket: "cks", key: "bad", file: file, fields: map[string]string{"x-amz-checksum-blake3": "AAAA"}}),
		400, "InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid.")
	wantPostError(t, e.post(t, postUpload{bucket: "cks", key: "bad", file: file, fields: map[string]string{"x-amz-checksum-crc32": "x"}}),
		400, "InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid.")
	wantPostError(t, e.post(t, postUpload{bucket: "cks", key: "bad", file: file, fields: map[string]string{"x-amz-checksum-crc32": "0wiusg==", "x-amz-checksum-crc32c": "M3m0yg=="}}),
		400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("cks"), Key: aws.String("bad")}); err == nil {
		t.Fatal("a file that failed its checksum was stored")
	}
}

// TestPostMinioClient: minio-go's presigned POST policy, as a browser
// would send it.
func TestPostMinioClient(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "mio")
	p := minio.NewPostPolicy()
	for _, err := range []error{p.SetBucket("mio"), p.SetKeyStartsWith("user/"), p.SetExpires(time.Now().Add(time.Hour)),
		p.SetContentLengthRange(1, 1<<20), p.SetContentType("text/plain")} {
		if err != nil {
			t.Fatal(err)
		}
	}
	u, form, err := e.minio(t, false).PresignedPostPolicy(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	form["key"] = "user/${filename}"
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range form {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", "notes.txt")
	_, _ = fw.Write([]byte("from a browser"))
	_ = w.Close()
	req := mustReq(t, http.MethodPost, u.String(), &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if resp := e.send(t, req); resp.StatusCode != 204 {
		body := resp.Body
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got := mustGet(t, e.aliceClient(t), "mio", "user/notes.txt"); got != "from a browser" {
		t.Fatalf("%q", got)
	}
}

// discardNS stores nothing: its PutObject reads the body to its end,
// counting and hashing, and signals once it has read the first MiB.
type discardNS struct {
	gateway.Namespace
	n       int64
	sum     hash.Hash
	started chan struct{}
}

func (d *discardNS) PutObject(_ context.Context, _, key string, body io.Reader, _ int64, _ gateway.PutOptions) (gateway.ObjectInfo, error) {
	buf := make([]byte, 32<<10)
	for {
		n, err := body.Read(buf)
		d.sum.Write(buf[:n])
		if d.n < 1<<20 && d.n+int64(n) >= 1<<20 {
			close(d.started)
		}
		d.n += int64(n)
		if err == io.EOF {
			return gateway.ObjectInfo{Key: key, Size: d.n, ETag: hex.EncodeToString(d.sum.Sum(nil))}, nil
		}
		if err != nil {
			return gateway.ObjectInfo{}, err
		}
	}
}

// TestPostStreamsFile: a large file streams into PutObject as it arrives
// (the gateway starts reading it before the client has sent it all), with
// memory that does not grow with the file.
func TestPostStreamsFile(t *testing.T) {
	const size = 256 << 20
	d := &discardNS{Namespace: newFakeNS(), sum: md5.New(), started: make(chan struct{})}
	e := newEnv(t, envOpts{newNS: func(_ *testing.T, user string) gateway.Namespace {
		if user == "alice" {
			return d
		}
		return newFakeNS()
	}})
	if err := d.Namespace.CreateBucket(context.Background(), "big"); err != nil {
		t.Fatal(err)
	}
	head, ct := postUpload{bucket: "big", key: "k", file: []byte{}}.body(t)
	closing := bytes.LastIndex(head, []byte("\r\n--"))
	pr, pw := io.Pipe()
	want := md5.New()
	go func() {
		chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
		_, _ = pw.Write(head[:closing])
		for sent := 0; sent < size; sent += len(chunk) {
			if sent == 2<<20 {
				select { // the server must be reading the file before it all arrived
				case <-d.started:
				case <-time.After(20 * time.Second):
					pw.CloseWithError(fmt.Errorf("the file was not streamed"))
					return
				}
			}
			want.Write(chunk)
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		_, _ = pw.Write(head[closing:])
		_ = pw.Close()
	}()
	req := mustReq(t, http.MethodPost, e.srv.URL+"/big", pr)
	req.Header.Set("Content-Type", ct)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	resp := e.send(t, req)
	runtime.ReadMemStats(&after)
	if resp.StatusCode != 204 || d.n != size || resp.Header.Get("ETag") != `"`+hex.EncodeToString(want.Sum(nil))+`"` {
		t.Fatalf("%d %s: %d bytes, ETag %s", resp.StatusCode, resp.Body, d.n, resp.Header.Get("ETag"))
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a %d MiB upload allocated %d KiB", size>>20, alloc>>10)
	if alloc > 8<<20 {
		t.Fatalf("a %d MiB upload allocated %d MiB", size>>20, alloc>>20)
	}
}
