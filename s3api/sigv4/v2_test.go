package sigv4

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"
)

// parseRaw reads a raw HTTP/1.1 request as a server would.
func parseRaw(t *testing.T, raw string) *http.Request {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\n", "\r\n") + "\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The examples of AWS's "Signing and Authenticating REST Requests" (SigV2),
// with the virtual-hosted johnsmith bucket and the CNAME static.johnsmith.net.
func TestAWSV2Examples(t *testing.T) {
	tests := []struct{ name, raw, sig string }{
		{"object GET", "GET /photos/puppy.jpg HTTP/1.1\nHost: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 19:36:42 +0000",
			"bWq2s1WEIj+Ydj0vQ697zp+IXMU="},
		{"object PUT", "PUT /photos/puppy.jpg HTTP/1.1\nContent-Type: image/jpeg\nContent-Length: 0\nHost: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 21:15:45 +0000",
			"MyyxeRY7whkBe+bq8fHCL/2kKUg="},
		{"list", "GET /?prefix=photos&max-keys=50&marker=puppy HTTP/1.1\nUser-Agent: Mozilla/5.0\nHost: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 19:42:41 +0000",
			"htDYFYduRNen8P9ZfE/s9SuKy0U="},
		{"fetch acl", "GET /?acl HTTP/1.1\nHost: johnsmith.s3.amazonaws.com\nDate: Tue, 27 Mar 2007 19:44:46 +0000",
			"c2WLPFtWHVgbEmeEG93a4cG37dM="},
		{"upload with amz headers", "PUT /db-backup.dat.gz HTTP/1.1\nUser-Agent: curl/7.15.5\nHost: static.johnsmith.net:8080\nDate: Tue, 27 Mar 2007 21:06:08 +0000\n" +
			"x-amz-acl: public-read\ncontent-type: application/x-download\nContent-MD5: 4gJE4saaMU4BqNR0kLY+lw==\n" +
			"X-Amz-Meta-ReviewedBy: joe@johnsmith.net\nX-Amz-Meta-ReviewedBy: jane@johnsmith.net\nX-Amz-Meta-FileChecksum: 0x02661779\n" +
			"X-Amz-Meta-ChecksumAlgorithm: crc32\nContent-Disposition: attachment; filename=database.dat\nContent-Encoding: gzip\nContent-Length: 0",
			"ilyl83RwaSoYIEdixDQcA4OnAnc="},
		{"list all buckets", "GET / HTTP/1.1\nHost: s3.amazonaws.com\nDate: Wed, 28 Mar 2007 01:29:59 +0000",
			"qGdzdERIC03wnaRNKh6OqZehG9s="},
		{"unicode keys", "GET /dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re HTTP/1.1\nHost: s3.amazonaws.com\nDate: Wed, 28 Mar 2007 01:49:49 +0000",
			"DNEZGsoieTZ92F3bUfSPQcbGmlM="},
	}
	hosts := HostBucket("s3.amazonaws.com")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := parseRaw(t, tc.raw+"\nAuthorization: AWS "+exampleAKID+":"+tc.sig)
			d, _ := parseHTTPDate(r.Header.Get("Date"))
			v := verifierAt(d.Add(time.Minute))
			v.VirtualHostBucket = func(h string) string {
				if strings.HasPrefix(h, "static.johnsmith.net") {
					return "static.johnsmith.net" // CNAME
				}
				return hosts(h)
			}
			a, err := v.Verify(r)
			wantErr(t, err, nil)
			if a.Method != V2Header || a.AccessKeyID != exampleAKID {
				t.Errorf("auth %+v", a)
			}
			r.Header.Set("Date", d.Add(time.Second).Format(time.RFC1123Z))
			_, err = v.Verify(r)
			wantErr(t, err, ErrSignatureDoesNotMatch)
		})
	}
}

// The query-string authentication example, its expiry and tampering.
func TestAWSV2QueryExample(t *testing.T) {
	raw := "GET /photos/puppy.jpg?AWSAccessKeyId=" + exampleAKID + "&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620 HTTP/1.1\nHost: johnsmith.s3.amazonaws.com"
	tests := []struct {
		name string
		at   int64
		edit func(string) string
		want error
	}{
		{"valid", 1175139000, nil, nil},
		{"expired", 1175139621, nil, ErrExpiredPresign},
		{"expires changed", 1175139000, func(s string) string { return strings.Replace(s, "1175139620", "1175139621", 1) }, ErrSignatureDoesNotMatch},
		{"subresource added", 1175139000, func(s string) string { return strings.Replace(s, "puppy.jpg?", "puppy.jpg?acl&", 1) }, ErrSignatureDoesNotMatch},
		{"far future", 1175139620 - 8*24*3600, nil, ErrAuthQueryMalformed},
		{"unknown key", 1175139000, func(s string) string { return strings.Replace(s, exampleAKID, "AKIDNOPE", 1) }, ErrInvalidAccessKeyID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := raw
			if tc.edit != nil {
				s = tc.edit(s)
			}
			v := verifierAt(time.Unix(tc.at, 0))
			v.VirtualHostBucket = HostBucket("s3.amazonaws.com")
			a, err := v.Verify(parseRaw(t, s))
			wantErr(t, err, tc.want)
			if err == nil && (a.Method != V2Query || a.Expires.Unix() != 1175139620) {
				t.Errorf("auth %+v", a)
			}
		})
	}
}

// The DELETE example signs x-amz-date, leaving the Date line empty; the
// header form is also subject to the clock.
func TestV2AmzDateAndSkew(t *testing.T) {
	raw := "DELETE /johnsmith/photos/puppy.jpg HTTP/1.1\nUser-Agent: dotnet\nHost: s3.amazonaws.com\nDate: Tue, 27 Mar 2007 21:20:27 +0000\n" +
		"x-amz-date: Tue, 27 Mar 2007 21:20:26 +0000\nAuthorization: AWS " + exampleAKID + ":"
	r := parseRaw(t, raw+"x")
	sts := v2StringToSign(r, "", "/johnsmith/photos/puppy.jpg")
	if want := "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/johnsmith/photos/puppy.jpg"; sts != want {
		t.Fatalf("string to sign %q", sts)
	}
	at := time.Date(2007, 3, 27, 21, 20, 26, 0, time.UTC)
	sig := b64HMACSHA1(exampleSecret, sts)
	_, err := verifierAt(at).Verify(parseRaw(t, raw+sig))
	wantErr(t, err, nil)
	_, err = verifierAt(at.Add(time.Hour)).Verify(parseRaw(t, raw+sig))
	wantErr(t, err, ErrRequestTimeTooSkewed)
	v := verifierAt(at)
	v.DisableV2 = true
	_, err = v.Verify(parseRaw(t, raw+sig))
	wantErr(t, err, ErrUnsupportedAlgorithm)
}
