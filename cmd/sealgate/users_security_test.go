package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/pquerna/otp/totp"
)

// webCall is a same-origin JSON request to the web door; it returns the
// status and the cookies set.
func webCall(t *testing.T, web string, ck *http.Cookie, csrf, path string, body any, out any) (int, []*http.Cookie) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", web+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", web)
	req.Header.Set("X-CSRF-Token", csrf)
	if ck != nil {
		req.AddCookie(ck)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode, resp.Cookies()
}

// TestServeTwoFactorWebDAV: an app password made with the CLI opens
// WebDAV; once 2FA is turned on in the web app the account password no
// longer does (the app password still does); `user 2fa NAME off` through
// the CLI brings the password back within a poll.
func TestServeTwoFactorWebDAV(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir)
	defer func() { _ = stop() }()
	vars := map[string]string{"SEALGATE_DATA_DIR": dir}
	pw := firstAccountLine(t, dir, "password")
	code, out, errOut := runCmd(t, "", vars, "user", "app-password", "--json", "admin", "add", "laptop")
	var app struct{ ID, Password string }
	if code != 0 || json.Unmarshal([]byte(out), &app) != nil || app.Password == "" {
		t.Fatalf("app-password add: %d %q %q", code, out, errOut)
	}
	propfind := func(secret string) int {
		req, _ := http.NewRequest("PROPFIND", addrs["webdav"]+"/", nil)
		req.Header.Set("Depth", "0")
		req.SetBasicAuth("admin", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if propfind(pw) != 207 || propfind(app.Password) != 207 {
		t.Fatal("without 2FA both passwords open WebDAV")
	}
	web := addrs["web"]
	var sess struct{ CSRF string }
	_, cks := webCall(t, web, nil, "", "/api/login", map[string]string{"name": "admin", "password": pw}, &sess)
	ck := cks[0]
	var begin struct{ Secret string }
	webCall(t, web, ck, sess.CSRF, "/api/account/2fa/begin", nil, &begin)
	c, _ := totp.GenerateCode(begin.Secret, time.Now())
	if r, _ := webCall(t, web, ck, sess.CSRF, "/api/account/2fa/confirm", map[string]string{"secret": begin.Secret, "code": c}, nil); r != 200 {
		t.Fatalf("confirm: %d", r)
	}
	if got := propfind(pw); got != http.StatusUnauthorized {
		t.Fatalf("account password with 2FA on: %d", got)
	}
	if propfind(app.Password) != 207 {
		t.Fatal("app password with 2FA on")
	}
	if r, _ := webCall(t, web, nil, "", "/api/login", map[string]string{"name": "admin", "password": app.Password}, nil); r != 401 {
		t.Fatalf("app password opened the web app: %d", r)
	}
	if code, out, errOut := runCmd(t, "", vars, "user", "2fa", "admin", "off"); code != 0 || !strings.Contains(out, "off") {
		t.Fatalf("2fa off: %d %q %q", code, out, errOut)
	}
	deadline := time.Now().Add(20 * time.Second) // failed attempts are slowed: generous
	for propfind(pw) != 207 {
		if time.Now().After(deadline) {
			t.Fatal("the password did not come back after 2fa off")
		}
		time.Sleep(500 * time.Millisecond)
	}
	code, out, _ = runCmd(t, "", vars, "user", "app-password", "admin", "list")
	if code != 0 || !strings.Contains(out, app.ID) || strings.Contains(out, app.Password) {
		t.Fatalf("list: %q", out)
	}
	if code, _, _ := runCmd(t, "", vars, "user", "app-password", "admin", "revoke", app.ID); code != 0 {
		t.Fatal("revoke")
	}
	for propfind(app.Password) != http.StatusUnauthorized {
		if time.Now().After(deadline.Add(20 * time.Second)) {
			t.Fatal("the revoked app password still opens WebDAV")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestServeWebAccountKeysAndDelete: an S3 key made in the web app signs
// S3 requests; deleting the account from the web app is refused while a
// version is under legal hold (as `user delete` without --discard-locked)
// and destroys it once the hold is gone.
func TestServeWebAccountKeysAndDelete(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir)
	defer func() { _ = stop() }()
	web, pw := addrs["web"], firstAccountLine(t, dir, "password")
	var sess struct{ CSRF string }
	_, cks := webCall(t, web, nil, "", "/api/login", map[string]string{"name": "admin", "password": pw}, &sess)
	ck := cks[0]
	var key map[string]string
	webCall(t, web, ck, sess.CSRF, "/api/account/s3-keys", nil, &key)
	cl := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(addrs["s3"]), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(key["access_key_id"], key["secret_access_key"], "")})
	ctx := context.Background()
	b, k := aws.String("locked"), aws.String("held.txt")
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b, ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatalf("the extra S3 key: %v", err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("keep"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatal(err)
	}
	del := map[string]string{"password": pw}
	if r, _ := webCall(t, web, ck, sess.CSRF, "/api/account/delete", del, nil); r != http.StatusBadRequest {
		t.Fatalf("delete with a held version: %d", r)
	}
	if _, err := cl.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: b, Key: k,
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if r, _ := webCall(t, web, ck, sess.CSRF, "/api/account/delete", del, nil); r != http.StatusNoContent {
		t.Fatalf("delete: %d", r)
	}
	if _, err := cl.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("the deleted account's key still works")
	}
}
