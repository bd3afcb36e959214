package s3api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"testing"

	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

func (e *testEnv) minio(t *testing.T, tls bool) *minio.Client {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	c, err := minio.New(u.Host, &minio.Options{
		Creds: miniocreds.NewStaticV4(aliceAK, aliceSK, ""), Secure: tls, Region: "us-east-1",
		Transport: e.srv.Client().Transport, BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// minio-go signs streaming chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)
// over HTTP and uses trailer checksums over HTTPS.
func TestMinioClient(t *testing.T) { testMinioClient(t, envOpts{}) }

func testMinioClient(t *testing.T, o envOpts) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			e := newEnv(t, withTLS(o, tls))
			c := e.minio(t, tls)
			ctx := context.Background()
			if err := c.MakeBucket(ctx, "mio", minio.MakeBucketOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, size := range []int{0, 1000, 6<<20 + 17} {
				data := payload(size)
				key := fmt.Sprintf("obj-%d", size)
				_, err := c.PutObject(ctx, "mio", key, bytes.NewReader(data), int64(size),
					minio.PutObjectOptions{PartSize: 5 << 20, UserMetadata: map[string]string{"who": "minio"}})
				if err != nil {
					t.Fatalf("put %d: %v", size, err)
				}
				obj, err := c.GetObject(ctx, "mio", key, minio.GetObjectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(obj)
				_ = obj.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("get %d: %v (%d bytes)", size, err, len(got))
				}
				st, err := c.StatObject(ctx, "mio", key, minio.StatObjectOptions{})
				if err != nil || st.UserMetadata["Who"] != "minio" {
					t.Fatalf("stat: %v %+v", err, st.UserMetadata)
				}
			}
			n := 0
			for obj := range c.ListObjects(ctx, "mio", minio.ListObjectsOptions{Recursive: true}) {
				if obj.Err != nil {
					t.Fatal(obj.Err)
				}
				n++
			}
			if n != 3 {
				t.Fatalf("listed %d", n)
			}
		})
	}
}
