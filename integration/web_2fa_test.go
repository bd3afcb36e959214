package integration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// TestWebApp2FA drives the account page of one `sealgate serve` with
// headless Chromium: an app password made on the page, two-factor sign-in
// turned on (the code computed here as an authenticator app would, the
// ten recovery codes shown) ending another session, the account password then refused over
// WebDAV while the app password works, a password change that ends
// another session and keeps this one, "sign out everywhere", and a sign-in with the new password
// and a TOTP code in the code field the page shows when asked.
func TestWebApp2FA(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw, newPW = "pw-erin-web", "pw-erin-new"
	c.addUserWith(0, "erin", pw)
	web, dav := c.gws[0].URL["web"], c.gws[0].URL["webdav"]
	b := newBrowser(t, chrome)

	b.do("sign in", chromedp.Navigate(web), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-name"), "erin"), chromedp.SetValue(chromedp.ID("login-password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("new-bucket")))
	other := plainLogin(t, web, "erin", pw, "")
	b.do("account page", chromedp.Click(chromedp.ID("account")), chromedp.WaitVisible(chromedp.ID("pw-form")))

	b.do("app password", chromedp.SetValue(chromedp.ID("app-name"), "davfs"), chromedp.Click(chromedp.ID("app-add")))
	b.poll("the app password is shown", `!document.getElementById("app-new").hidden`)
	shown := b.eval(`document.getElementById("app-new").textContent`)
	appPW := shown[strings.LastIndex(shown, " ")+1:]

	b.do("turn 2FA on", chromedp.Click(chromedp.ID("tfa-begin")), chromedp.WaitVisible(chromedp.ID("tfa-qr")))
	b.poll("the QR code is an image", `document.getElementById("tfa-qr").naturalWidth > 0`)
	secret := b.eval(`document.getElementById("tfa-secret").textContent`)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.do("confirm 2FA", chromedp.SetValue(chromedp.ID("tfa-code"), code), chromedp.Click(chromedp.ID("tfa-confirm")))
	b.poll("ten recovery codes are shown", `document.querySelectorAll("#tfa-code-list li").length === 10`)
	b.shot("account-2fa.png")
	if n := b.eval(`String(document.querySelectorAll("img").length)`); n != "0" {
		t.Fatalf("the QR code (the secret) stays on the page: %s images", n)
	}
	recovery := b.eval(`document.querySelector("#tfa-code-list li").textContent`)
	recovery2 := b.eval(`document.querySelectorAll("#tfa-code-list li")[1].textContent`)
	recovery3 := b.eval(`document.querySelectorAll("#tfa-code-list li")[2].textContent`)
	recovery4 := b.eval(`document.querySelectorAll("#tfa-code-list li")[3].textContent`)
	// Turning 2FA on ended the session opened with the password alone;
	// the page's own goes on under a new token (the password change
	// below is a POST with it).
	if got := getWithCookie(t, web+"/api/buckets", other); got != http.StatusUnauthorized {
		t.Fatalf("another session after 2FA was turned on: %d", got)
	}
	other = plainLogin(t, web, "erin", pw, recovery2)

	if got := propfind(t, dav, "erin", pw); got != http.StatusUnauthorized {
		t.Fatalf("account password over WebDAV with 2FA on: %d", got)
	}
	if got := propfind(t, dav, "erin", appPW); got != http.StatusMultiStatus {
		t.Fatalf("app password over WebDAV: %d", got)
	}

	b.do("change the password", chromedp.SetValue(chromedp.ID("pw-current"), pw), chromedp.SetValue(chromedp.ID("pw-new"), newPW),
		chromedp.Click(chromedp.ID("pw-submit")))
	b.poll("the change is confirmed", `document.getElementById("account-status").textContent.includes("Password changed")`)
	if got := getWithCookie(t, web+"/api/buckets", other); got != http.StatusUnauthorized {
		t.Fatalf("another session after the password change: %d", got)
	}
	b.do("this session goes on", chromedp.Click(chromedp.ID("account-back")), chromedp.WaitVisible(chromedp.ID("new-bucket")))

	// "Sign out everywhere" ends this session and another one.
	other = plainLogin(t, web, "erin", newPW, recovery3)
	b.do("account page for sessions", chromedp.Click(chromedp.ID("account")), chromedp.WaitVisible(chromedp.ID("sessions-end")))
	b.do("sign out everywhere", chromedp.Click(chromedp.ID("sessions-end")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := getWithCookie(t, web+"/api/buckets", other); got != http.StatusUnauthorized {
		t.Fatalf("another session after signing out everywhere: %d", got)
	}
	b.do("sign in without a code", chromedp.SetValue(chromedp.ID("login-name"), "erin"), chromedp.SetValue(chromedp.ID("login-password"), newPW),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("login-code")))
	// The confirming code's step is used: the next step's code (within the
	// accepted skew) signs in.
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	b.do("sign in with a code", chromedp.SetValue(chromedp.ID("login-code"), next), chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-bucket")))

	// Deleting the account needs the password and a code (here a
	// recovery code: the TOTP steps within reach are used).
	b.do("account page again", chromedp.Click(chromedp.ID("account")), chromedp.WaitVisible(chromedp.ID("del-form")))
	// New recovery codes replace the old: the deletion below takes one of
	// the new ones (an old one would fail it).
	b.do("new recovery codes", chromedp.SetValue(chromedp.ID("tfa-off-code"), recovery4), chromedp.Click(chromedp.ID("tfa-new-codes")))
	b.poll("ten new recovery codes are shown", `document.querySelectorAll("#tfa-code-list li").length === 10 && `+
		`!document.getElementById("tfa-codes").hidden && document.getElementById("account-status").textContent.includes("New recovery codes")`)
	fresh := b.eval(`document.querySelector("#tfa-code-list li").textContent`)
	if fresh == recovery {
		t.Fatal("the new recovery codes are the old ones")
	}
	b.do("delete the account", chromedp.SetValue(chromedp.ID("del-password"), newPW), chromedp.SetValue(chromedp.ID("del-code"), fresh),
		chromedp.Click(chromedp.ID("del-submit")))
	b.answer("")
	b.do("signed out", chromedp.WaitVisible(chromedp.ID("login-form")))
	if got := propfind(t, dav, "erin", appPW); got != http.StatusUnauthorized {
		t.Fatalf("app password of a deleted account: %d", got)
	}
	b.finish(t)
}

// plainLogin signs in over plain HTTP (with a second-factor code unless
// code is "") and returns the session cookie.
func plainLogin(t *testing.T, web, name, pw, code string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"name": name, "password": pw, "code": code})
	req, _ := http.NewRequest("POST", web+"/api/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", web)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "sg_session" {
			return ck.Value
		}
	}
	t.Fatalf("plain sign-in: %d", resp.StatusCode)
	return ""
}

// propfind is a Depth 0 PROPFIND of the WebDAV root with Basic auth.
func propfind(t *testing.T, dav, name, secret string) int {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", dav+"/", nil)
	req.Header.Set("Depth", "0")
	req.SetBasicAuth(name, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
