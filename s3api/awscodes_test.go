package s3api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/gateway"
)

// Tag keys and values take AWS's characters only, in XML and in the
// x-amz-tagging header, with AWS's messages.
func TestTagCharacters(t *testing.T) {
	const badKey, badValue = "The TagKey you have provided is invalid", "The TagValue you have provided is invalid"
	for _, tt := range []struct{ key, value, want string }{
		{"key@:/.+-=_ ü1", "val@:/.+-=_ é2", ""},
		{"user!name", "v", badKey}, {"foo#bar", "v", badKey}, {"data%20", "v", badKey}, {"a*b", "v", badKey},
		{"k", "name?test", badValue}, {"k", "`path", badValue}, {"k", "comma,separated", badValue},
		{"k", "semicolon;test", badValue}, {"k", "(parentheses)", badValue},
	} {
		_, err := tagging{TagSet: []tag{{tt.key, tt.value}}}.tagSet(gateway.MaxObjectTags)
		if got := msgOf(err); got != tt.want {
			t.Errorf("XML %q=%q: %q, want %q", tt.key, tt.value, got, tt.want)
		}
	}
	for _, tt := range []struct{ header, want string }{
		{"key@=val@", ""}, {"key1&key2", ""}, {"&&&", ""},
		{"key?=val", badKey}, {"key$=val", badKey}, {"key=val!", badValue}, {"key=val*", badValue},
		{"=", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
	} {
		_, err := tagsFromHeader(http.Header{"X-Amz-Tagging": {tt.header}})
		if got := msgOf(err); got != tt.want {
			t.Errorf("header %q: %q, want %q", tt.header, got, tt.want)
		}
	}
}

func msgOf(err error) string {
	if err == nil {
		return ""
	}
	return toAPIError(err, "us-east-1").Message
}

// CreateBucket's configuration: AWS's location rule, and its Tags checked
// then kept as the bucket's tags.
func TestCreateBucketConfiguration(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	create := func(name string, cfg *types.CreateBucketConfiguration) error {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), CreateBucketConfiguration: cfg})
		return err
	}
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")}
	}
	for _, tt := range []struct {
		name string
		cfg  types.CreateBucketConfiguration
		code string
	}{
		{"us-east-1 named", types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}, "InvalidLocationConstraint"},
		{"other region", types.CreateBucketConfiguration{LocationConstraint: "us-west-1"}, "InvalidLocationConstraint"},
		{"duplicate tag", types.CreateBucketConfiguration{Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("a")}, {Key: aws.String("k"), Value: aws.String("b")}}}, "InvalidTag"},
		{"bad tag key", types.CreateBucketConfiguration{Tags: []types.Tag{{Key: aws.String("a*b"), Value: aws.String("a")}}}, "InvalidTag"},
		{"51 tags", types.CreateBucketConfiguration{Tags: many}, "BadRequest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, create("refused", &tt.cfg), tt.code, 400)
		})
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("refused")}); err == nil {
		t.Fatal("a refused CreateBucket created the bucket")
	}
	if err := create("tagged", &types.CreateBucketConfiguration{Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged")})
	if err != nil || len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Value) != "ops" {
		t.Fatalf("tags %+v, %v", out, err)
	}
}

// Some operations word a fault as AWS does in them only.
func TestOpMessages(t *testing.T) {
	for _, tt := range []struct {
		op   string
		err  error
		want string
	}{
		{"PutObject", gateway.ErrNoLockConfig, "Bucket is missing ObjectLockConfiguration"},
		{"CreateMultipartUpload", fmt.Errorf("x: %w", gateway.ErrNoLockConfig), "Bucket is missing ObjectLockConfiguration"},
		{"PutObjectRetention", gateway.ErrNoLockConfig, ""},
		{"PutObject", gateway.ErrNoSuchKey, ""},
	} {
		if got, _ := opMessage(tt.op, tt.err); got != tt.want {
			t.Errorf("%s %v: %q", tt.op, tt.err, got)
		}
	}
}

// Part uploads: NoSuchBucket before NoSuchUpload or a bad copy source, and
// AWS's InvalidArgument for a copy range past the source's end.
func TestPartUploadCodes(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "parts")
	mustPut(t, c, "parts", "src", "0123456789")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("nobucket"), Key: aws.String("k"), UploadId: aws.String("x"), PartNumber: aws.Int32(1)})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: aws.String("x"), PartNumber: aws.Int32(1)})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("nobucket"), Key: aws.String("k"), UploadId: aws.String("x"),
		PartNumber: aws.Int32(1), CopySource: aws.String("Copy-Source")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String("parts/src"), CopySourceRange: aws.String("bytes=5-10")})
	wantCode(t, err, "InvalidArgument", 400)
	if err == nil || !strings.Contains(err.Error(), "Range specified is not valid for source object of size: 10") {
		t.Fatalf("message: %v", err)
	}
}

// Page arguments: AWS's messages, naming the argument and its value.
func TestPageArgumentErrors(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "pages")
	for _, tt := range []struct{ query, msg, name, value string }{
		{"max-keys=-5", "Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", "-5"},
		{"list-type=2&max-keys=abc", "Provided max-keys not an integer or within integer range", "maxKeys", "abc"},
		{"versions&max-keys=-1", "max-keys cannot be negative", "maxKeys", "-1"},
		{"versions&max-keys=x", "Provided max-keys not an integer or within integer range", "maxKeys", "x"},
		{"uploads&max-uploads=-3", "Argument max-uploads must be an integer between 0 and 2147483647", "max-uploads", "-3"},
		{"uploads&max-uploads=2157483647", "Provided max-uploads not an integer or within integer range", "max-uploads", "2157483647"},
		{"uploads&max-uploads=ten", "Provided max-uploads not an integer or within integer range", "max-uploads", "ten"},
		{"/k?uploadId=u&part-number-marker=invalid", "Provided part-number-marker not an integer or within integer range", "part-number-marker", "invalid"},
		{"/k?uploadId=u&part-number-marker=2736457823532448723", "Provided part-number-marker not an integer or within integer range", "part-number-marker", "2736457823532448723"},
		{"/k?uploadId=u&part-number-marker=-14", "Argument part-number-marker must be an integer between 0 and 2147483647", "part-number-marker", "-14"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			target := e.srv.URL + "/pages?" + tt.query
			if strings.HasPrefix(tt.query, "/") { // an object's subresource
				target = e.srv.URL + "/pages" + tt.query
			}
			resp := e.signed(t, mustReq(t, http.MethodGet, target, nil), aliceAK, aliceSK)
			defer func() { _ = resp.Body.Close() }()
			got := readAPIError(t, resp)
			if got.Code != "InvalidArgument" || got.Message != tt.msg || got.ArgumentName != tt.name || got.ArgumentValue != tt.value {
				t.Fatalf("%+v", got)
			}
		})
	}
}

// ListBuckets pages as AWS: max-buckets 1..10000, a continuation token,
// a prefix.
func TestListBucketsPages(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	for _, b := range []string{"lb-a", "lb-b", "lb-c", "other"} {
		mustBucket(t, c, b)
	}
	for _, n := range []int32{-3, 0, 2000000} {
		_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(n)})
		wantCode(t, err, "InvalidArgument", 400)
	}
	var names []string
	var token *string
	for range 3 {
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("lb-"), ContinuationToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range out.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		if token = out.ContinuationToken; token == nil {
			break
		}
	}
	if strings.Join(names, ",") != "lb-a,lb-b,lb-c" || token != nil {
		t.Fatalf("pages: %v, token %v", names, token)
	}
}

func FuzzParseBucketPage(f *testing.F) {
	f.Add("2", "bGItYg", "lb-")
	f.Add("-1", "%%", "")
	f.Fuzz(func(t *testing.T, maxBuckets, token, prefix string) {
		p, err := parseBucketPage(map[string][]string{"max-buckets": {maxBuckets}, "continuation-token": {token}, "prefix": {prefix}})
		if err == nil && (p.max < 1 || p.max > 10000 || p.prefix != prefix) {
			t.Fatalf("%q %q: %+v", maxBuckets, token, p)
		}
	})
}
