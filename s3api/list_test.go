package s3api

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var listKeys = []string{"a b.txt", "a+b.txt", "100%.csv", "dir/x", "dir/y", "dir/sub/z", "한글/x.txt", "zz"}

func listEnv(t *testing.T, o envOpts) (*testEnv, *s3.Client) {
	t.Helper()
	e := newEnv(t, o)
	c := e.aliceClient(t)
	mustBucket(t, c, "list")
	for _, k := range listKeys {
		mustPut(t, c, "list", k, "v:"+k)
	}
	return e, c
}

func TestListV2Paging(t *testing.T) { testListV2Paging(t, envOpts{}) }

func testListV2Paging(t *testing.T, o envOpts) {
	_, c := listEnv(t, o)
	tests := []struct {
		name      string
		delimiter string
		prefix    string
		want      []string // keys then "P:" prefixes, in page order
	}{
		{"flat", "", "", sortedCopy(listKeys)},
		{"delimiter", "/", "", []string{"100%.csv", "a b.txt", "a+b.txt", "zz", "P:dir/", "P:한글/"}},
		{"prefix+delimiter", "/", "dir/", []string{"dir/x", "dir/y", "P:dir/sub/"}},
	}
	for _, tt := range tests {
		for _, max := range []int32{1, 2, 1000} {
			t.Run(tt.name, func(t *testing.T) {
				var got []string
				p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("list"),
					Delimiter: nilIfEmpty(tt.delimiter), Prefix: nilIfEmpty(tt.prefix), MaxKeys: aws.Int32(max)})
				for p.HasMorePages() {
					out, err := p.NextPage(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if int(aws.ToInt32(out.KeyCount)) != len(out.Contents)+len(out.CommonPrefixes) {
						t.Fatalf("KeyCount %d", aws.ToInt32(out.KeyCount))
					}
					for _, o := range out.Contents {
						got = append(got, aws.ToString(o.Key))
					}
					for _, cp := range out.CommonPrefixes {
						got = append(got, "P:"+aws.ToString(cp.Prefix))
					}
				}
				if !sameSet(got, tt.want) {
					t.Fatalf("max %d: got %q want %q", max, got, tt.want)
				}
			})
		}
	}
}

func TestListV1MarkerAndStartAfter(t *testing.T) { testListV1MarkerAndStartAfter(t, envOpts{}) }

func testListV1MarkerAndStartAfter(t *testing.T, o envOpts) {
	_, c := listEnv(t, o)
	ctx := context.Background()
	var got []string
	marker := ""
	for i := 0; i < 20; i++ {
		out, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("list"), Marker: nilIfEmpty(marker), MaxKeys: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if o.Owner == nil || aws.ToString(o.Owner.DisplayName) != "alice" {
				t.Fatalf("v1 owner missing")
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
	}
	if !reflect.DeepEqual(got, sortedCopy(listKeys)) {
		t.Fatalf("v1 paging: %q", got)
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("list"), StartAfter: aws.String("dir/y"), FetchOwner: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) != 2 || aws.ToString(out.Contents[0].Key) != "zz" || out.Contents[0].Owner == nil {
		t.Fatalf("start-after: %+v", out.Contents)
	}
}

func TestListEncodingTypeURL(t *testing.T) { testListEncodingTypeURL(t, envOpts{}) }

func testListEncodingTypeURL(t *testing.T, o envOpts) {
	e, _ := listEnv(t, o)
	for _, v2 := range []bool{false, true} {
		q := url.Values{"encoding-type": {"url"}, "delimiter": {"/"}}
		if v2 {
			q.Set("list-type", "2")
		}
		resp := e.signed(t, mustReq(t, http.MethodGet, e.srv.URL+"/list?"+q.Encode(), nil), aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		var res struct {
			EncodingType string   `xml:"EncodingType"`
			Keys         []string `xml:"Contents>Key"`
			Prefixes     []string `xml:"CommonPrefixes>Prefix"`
			Delimiter    string   `xml:"Delimiter"`
		}
		if err := xml.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		wantKeys := []string{"100%25.csv", "a+b.txt", "a%2Bb.txt", "zz"}
		wantPrefixes := []string{"dir/", "%ED%95%9C%EA%B8%80/"}
		if res.EncodingType != "url" || !reflect.DeepEqual(res.Keys, wantKeys) || !reflect.DeepEqual(res.Prefixes, wantPrefixes) || res.Delimiter != "/" {
			t.Fatalf("v2=%v: %s", v2, body)
		}
	}
	resp := e.signed(t, mustReq(t, http.MethodGet, e.srv.URL+"/list?encoding-type=base64", nil), aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 400 {
		t.Fatalf("bad encoding-type: %d", resp.StatusCode)
	}
}

func TestListErrors(t *testing.T) { testListErrors(t, envOpts{}) }

func testListErrors(t *testing.T, o envOpts) {
	e, c := listEnv(t, o)
	_, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("nobucket")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("list"), ContinuationToken: aws.String("!!!")})
	wantCode(t, err, "InvalidArgument", 400)
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("list"), MaxKeys: aws.Int32(5000)})
	if err != nil || aws.ToInt32(out.MaxKeys) != 1000 {
		t.Fatalf("max-keys cap: %v %v", err, out)
	}
	resp := e.signed(t, mustReq(t, http.MethodGet, e.srv.URL+"/list?max-keys=0", nil), aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.Contains(string(body), "<Contents>") {
		t.Fatalf("max-keys=0: %d %s", resp.StatusCode, body)
	}
}

func TestListObjectVersions(t *testing.T) { testListObjectVersions(t, envOpts{}) }

func testListObjectVersions(t *testing.T, o envOpts) {
	_, c := listEnv(t, o)
	out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String("list")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != len(listKeys) {
		t.Fatalf("versions: %d", len(out.Versions))
	}
	for _, v := range out.Versions {
		if aws.ToString(v.VersionId) != "null" || !aws.ToBool(v.IsLatest) || aws.ToString(v.ETag) == "" {
			t.Fatalf("version %+v", v)
		}
	}
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func sameSet(a, b []string) bool {
	return reflect.DeepEqual(sortedCopy(a), sortedCopy(b))
}

// TestV2MarkerTokens: a v2 continuation token carries the gateway's
// listing snapshot and the marker; a token of the older form (the marker
// alone) still continues; start-after starts a run without a snapshot.
func TestV2MarkerTokens(t *testing.T) {
	tok := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		query                string
		marker, snapshot     string
		wantErr, wantStartAt bool
	}{
		{query: "continuation-token=" + tok("SNAP.1a\x00dir/x"), marker: "dir/x", snapshot: "SNAP.1a"},
		{query: "continuation-token=" + tok("dir/x"), marker: "dir/x"},
		{query: "start-after=dir%2Fa", marker: "dir/a", wantStartAt: true},
		{query: "continuation-token=!!!", wantErr: true},
		{query: "continuation-token=", wantErr: true},
	} {
		q, _ := url.ParseQuery(tc.query)
		res := &listResult{}
		marker, snapshot, err := v2Marker(q, res)
		if (err != nil) != tc.wantErr || marker != tc.marker || snapshot != tc.snapshot || (res.StartAfter != "") != tc.wantStartAt {
			t.Errorf("%s: %q %q %v (start-after %q)", tc.query, marker, snapshot, err, res.StartAfter)
		}
	}
}
