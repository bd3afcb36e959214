package faultcheck

import (
	"errors"
	"testing"
)

// TestOracle: what a key may hold after acknowledged and failed writes,
// and which bodies a GET may return.
func TestOracle(t *testing.T) {
	failed := errors.New("upstream unavailable")
	v1 := version{data: []byte("first version"), etag: md5Hex([]byte("first version"))}
	v2 := version{data: []byte("second!"), etag: md5Hex([]byte("second!"))}
	o := newOracle([]string{"k"})
	o.record("k", nil, v1)    // acknowledged: k holds v1
	o.record("k", failed, v2) // failed: k holds v1 or v2
	tests := []struct {
		name       string
		start, end int64
		got        string
		complete   bool
		ok         bool
	}{
		{"old version", 0, -1, "first version", true, true},
		{"new version", 0, -1, "second!", true, true},
		{"short body", 0, -1, "first", true, false},
		{"torn body", 0, -1, "second!ersion", true, false},
		{"range", 6, 8, "ver", true, true},
		{"range cut at the end", 3, 100, "ond!", true, true},
		{"prefix before an error", 0, -1, "first", false, true},
		{"wrong prefix before an error", 0, -1, "firsT", false, false},
		{"nothing before an error", 0, -1, "", false, true},
	}
	for _, tc := range tests {
		_, err := o.checkBody("k", tc.start, tc.end, []byte(tc.got), tc.complete)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	if o.mayBeAbsent("k") {
		t.Error("k may be absent after an acknowledged write")
	}
	if err := o.checkInfo("k", int64(len(v2.data)), v2.etag); err != nil {
		t.Error(err)
	}
	if err := o.checkInfo("k", int64(len(v2.data)), v1.etag); err == nil {
		t.Error("size of one version with the ETag of another accepted")
	}
	o.record("k", nil, version{absent: true})
	if !o.mayBeAbsent("k") || len(o.present("k")) != 0 {
		t.Error("an acknowledged delete left versions")
	}
}
