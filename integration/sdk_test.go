package integration

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// The aws-sdk-go-v2 client is the tests' independent view of a server: it
// creates what a driver needs and checks what a driver did.

// httpClient trusts the target's CA (HTTPS) and never uses a proxy.
func httpClient(tb testing.TB, tg target) *http.Client {
	tb.Helper()
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
	if tg.CAFile != "" {
		pem, err := os.ReadFile(tg.CAFile)
		if err != nil {
			tb.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			tb.Fatalf("no certificate in %s", tg.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute}
}

func sdkClient(tb testing.TB, tg target) *s3.Client {
	tb.Helper()
	region := tg.Region
	if region == "" {
		region = "us-east-1"
	}
	return s3.New(s3.Options{
		Region: region, BaseEndpoint: aws.String(tg.Endpoint), UsePathStyle: true,
		HTTPClient:  httpClient(tb, tg),
		Credentials: credentials.NewStaticCredentialsProvider(tg.AccessKey, tg.Secret, ""),
	})
}

func sdkCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	return ctx
}

// uniqueBucket is a fresh valid bucket name with a readable prefix.
func uniqueBucket(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func sdkCreateBucket(tb testing.TB, tg target, bucket string) {
	tb.Helper()
	if _, err := sdkClient(tb, tg).CreateBucket(sdkCtx(tb), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		tb.Fatalf("%s: create bucket %s: %v", tg.Name, bucket, err)
	}
}

func sdkPut(tb testing.TB, tg target, bucket, key string, body []byte, meta map[string]string) string {
	tb.Helper()
	out, err := sdkClient(tb, tg).PutObject(sdkCtx(tb), &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, Body: strings.NewReader(string(body)), Metadata: meta,
	})
	if err != nil {
		tb.Fatalf("%s: put %s/%s: %v", tg.Name, bucket, key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// sdkGet returns an object's body and ETag (unquoted).
func sdkGet(tb testing.TB, tg target, bucket, key string) ([]byte, string) {
	tb.Helper()
	out, err := sdkClient(tb, tg).GetObject(sdkCtx(tb), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		tb.Fatalf("%s: get %s/%s: %v", tg.Name, bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		tb.Fatalf("%s: read %s/%s: %v", tg.Name, bucket, key, err)
	}
	return b, strings.Trim(aws.ToString(out.ETag), `"`)
}

// sdkKeys lists every key under prefix.
func sdkKeys(tb testing.TB, tg target, bucket, prefix string) []string {
	tb.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(sdkClient(tb, tg), &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(sdkCtx(tb))
		if err != nil {
			tb.Fatalf("%s: list %s/%s: %v", tg.Name, bucket, prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// errorCode is the S3 error code of an SDK error ("" if none).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus is the HTTP status of an SDK error (0 if none).
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// xmlCode is the <Code> of an S3 XML error body ("" if none).
func xmlCode(body []byte) string {
	var e struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Code
}
