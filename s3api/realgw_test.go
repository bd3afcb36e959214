package s3api

import (
	"context"
	"fmt"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
)

// realGateway returns namespaces of the real gateway over backends/mem,
// one account per user, all on one upstream (isolation is the gateway's).
func realGateway(t *testing.T) func(*testing.T, string) Namespace {
	t.Helper()
	return realGatewayOn(t, mem.New())
}

// realGatewayOn is realGateway over store (the accounts live in a store
// of their own, so that faults injected into store hit only the data).
func realGatewayOn(t *testing.T, store backends.Store) func(*testing.T, string) Namespace {
	t.Helper()
	accts, err := accounts.Open(context.Background(), accounts.Config{Store: mem.New(), DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = accts.Close() })
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	return func(t *testing.T, user string) Namespace {
		n++
		creds, err := accts.Create(context.Background(), fmt.Sprintf("%s%d", user, n), []byte("password-"+user))
		if err != nil {
			t.Fatal(err)
		}
		a, err := accts.ByAccessKey(creds.AccessKeyID)
		if err != nil {
			t.Fatal(err)
		}
		return svc.Namespace(a)
	}
}

// TestRealGateway runs the door's end-to-end tests against the real
// gateway (encrypting, over the in-memory upstream).
func TestRealGateway(t *testing.T) {
	tests := []struct {
		name string
		fn   func(*testing.T, envOpts)
	}{
		{"PutGetHeadDelete", testPutGetHeadDelete},
		{"RangeGet", testRangeGet},
		{"ConditionalGet", testConditionalGet},
		{"ConditionalPut", testConditionalPut},
		{"CopyObject", testCopyObject},
		{"ResponseOverrides", testResponseOverrides},
		{"ListV2Paging", testListV2Paging},
		{"ListV1MarkerAndStartAfter", testListV1MarkerAndStartAfter},
		{"ListEncodingTypeURL", testListEncodingTypeURL},
		{"ListErrors", testListErrors},
		{"ListObjectVersions", testListObjectVersions},
		{"UploadManager", testUploadManager},
		{"MultipartLowLevel", testMultipartLowLevel},
		{"MultipartAbortAndErrors", testMultipartAbortAndErrors},
		{"BadInputsKeepObject", testBadInputsKeepObject},
		{"ShortBodyKeepsObject", testShortBodyKeepsObject},
		{"PresignedGetPut", testPresignedGetPut},
		{"ReadOnlyProbes", testReadOnlyProbes},
		{"DeleteObjects", testDeleteObjects},
		{"Buckets", testBuckets},
		{"VirtualHostStyle", testVirtualHostStyle},
		{"MinioClient", testMinioClient},
		{"WebsiteRedirect", testWebsiteRedirect},
		{"SSEC", testSSEC},
		{"BadVersionInputs", testBadVersionInputs},
		{"BucketCORSConfig", testBucketCORSConfig},
		{"Preflight", testPreflight},
		{"CORSOnRequests", testCORSOnRequests},
		{"PostObject", testPostObject},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, envOpts{newNS: realGateway(t)})
		})
	}
}
