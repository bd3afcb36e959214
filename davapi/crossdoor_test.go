package davapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

func TestCrossDoorPutReadByS3(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/x-door", "")
	data := strings.Repeat("cross door ", 30000)
	_, h := e.must(201, "alice", "PUT", "/x-door/n%C3%A4me%20x.csv", data, "Content-Type", "text/csv")
	b, info, err := e.get("alice", "x-door", "näme x.csv")
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum([]byte(data))
	if !bytes.Equal(b, []byte(data)) || info.ETag != hex.EncodeToString(sum[:]) || h.Get("ETag") != `"`+info.ETag+`"` {
		t.Fatalf("S3 view differs: %d bytes, ETag %s vs PUT %s", len(b), info.ETag, h.Get("ETag"))
	}
	if info.Meta["content-type"] != "text/csv" {
		t.Fatalf("content type %q", info.Meta["content-type"])
	}
	body, _ := e.must(207, "alice", "PROPFIND", "/x-door/n%C3%A4me%20x.csv", propfindAll, "Depth", "0")
	if !strings.Contains(body, `"`+info.ETag+`"`) || !strings.Contains(body, "text/csv") {
		t.Fatalf("PROPFIND: %s", body)
	}
}

func TestCrossDoorMultipartReadWithRanges(t *testing.T) {
	e := newEnv(t)
	ns, ctx := e.ns("alice"), context.Background()
	if err := ns.CreateBucket(ctx, "mp-b"); err != nil {
		t.Fatal(err)
	}
	id, err := ns.CreateMultipartUpload(ctx, "mp-b", "big.bin", gateway.PutOptions{Meta: gateway.Meta{"content-type": "application/x-big"}})
	if err != nil {
		t.Fatal(err)
	}
	const part = 5 << 20
	var all bytes.Buffer
	var parts []gateway.CompletedPart
	for i := 1; i <= 3; i++ {
		p := bytes.Repeat([]byte{byte('a' + i)}, part)
		if i == 3 {
			p = []byte(fmt.Sprintf("tail-%d", i))
		}
		etag, err := ns.UploadPart(ctx, "mp-b", "big.bin", id, i, bytes.NewReader(p), int64(len(p)))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(p)
		parts = append(parts, gateway.CompletedPart{Number: i, ETag: etag})
	}
	info, err := ns.CompleteMultipartUpload(ctx, "mp-b", "big.bin", id, parts, gateway.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := all.Bytes()
	tests := []struct {
		rng        string
		start, end int
	}{
		{"bytes=0-9", 0, 10},
		{fmt.Sprintf("bytes=%d-%d", part-5, part+5), part - 5, part + 6},
		{"bytes=-6", len(data) - 6, len(data)},
		{fmt.Sprintf("bytes=%d-", 2*part-3), 2*part - 3, len(data)},
	}
	for _, tc := range tests {
		t.Run(tc.rng, func(t *testing.T) {
			body, h := e.must(206, "alice", "GET", "/mp-b/big.bin", "", "Range", tc.rng)
			if body != string(data[tc.start:tc.end]) {
				t.Fatalf("range %s: %q", tc.rng, body)
			}
			if h.Get("ETag") != `"`+info.ETag+`"` || h.Get("Content-Type") != "application/x-big" {
				t.Fatalf("headers %v (S3 ETag %s)", h, info.ETag)
			}
		})
	}
}
