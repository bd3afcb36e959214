package etagtest

import "testing"

// The expected ETags were computed with coreutils, e.g. for parts "abc"
// and "defg":
//
//	(printf abc | md5sum; printf defg | md5sum) | cut -c1-32 | xxd -r -p | md5sum
func TestMultipart(t *testing.T) {
	data := []byte("abcdefg")
	cases := []struct{ name, got, want string }{
		{"one part", Multipart(data, []int{7}), "a0103fc872cf964bf91ad5f2198ab494-1"},
		{"sizes 3, 4", Multipart(data, []int64{3, 4}), "2c965f10c4ffa837ae1b9f66d61f950e-2"},
		{"even by 3", Even(data, 3), "d322b115ece92a45e0909788b142235c-3"},
		{"even by 3, exact", Even(data[:6], 3), "4c8e93283780e078db9e0c6b9b3f8043-2"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

func TestMultipartSizesMustCoverData(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("sizes that do not cover the data did not panic")
		}
	}()
	Multipart([]byte("abcdefg"), []int{3})
}
