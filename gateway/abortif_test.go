package gateway

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestAbortIfInitiated: an upload is aborted only if it began at the time
// given (second precision).
func TestAbortIfInitiated(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	id, err := n.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ups, _, err := n.ListMultipartUploads(ctx, "bkt", "", "", "", 0)
	if err != nil || len(ups) != 1 {
		t.Fatal(ups, err)
	}
	began := ups[0].Initiated
	for _, tc := range []struct {
		name string
		at   time.Time
		want error
	}{
		{"a year before", began.AddDate(-1, 0, 0), ErrPreconditionFailed},
		{"a year after", began.AddDate(1, 0, 0), ErrPreconditionFailed},
		{"another key", began, ErrNoSuchUpload},
		{"the second it began", began.Truncate(time.Second), nil},
		{"gone", began, ErrNoSuchUpload},
	} {
		key := "k"
		if tc.name == "another key" {
			key = "other"
		}
		if err := n.AbortMultipartUploadIf(ctx, "bkt", key, id, tc.at); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
