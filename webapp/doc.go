// Package webapp is sealgate's third door: a web app for people, served by
// `sealgate serve` from the binary, over one user's gateway.Namespace. It
// imports gateway only (never s3api, davapi, cryptolayer or backends);
// HTTP statuses for gateway errors live here, in one table (errors.go).
//
// # The page
//
// Plain HTML, CSS and JavaScript modules embedded with go:embed
// (assets/): no Node toolchain, no framework, no build step, nothing
// fetched from elsewhere. The page talks to the JSON API below with
// fetch and XMLHttpRequest (for upload progress). Every name it shows is
// inserted with textContent, never as HTML.
//
// # Contract
//
//   - Sign-in is POST /api/login with the account name and account
//     password (as WebDAV; never the S3 secret), checked by Config.Logins.
//     A failure answers 401 and is slowed per client address by a
//     gateway.AuthThrottle, as the WebDAV door's are (the accounts layer
//     also slows each account name); no password check free is 503.
//     Passwords, cookies, tokens and keys are never logged; the access log
//     has the user and an operation label, not the path or query (they
//     name files) at any level.
//   - A session is the cookie sg_session (HttpOnly, SameSite=Strict,
//     Path=/, Secure when the door serves TLS or Config.SecureCookie is
//     set): a token holding the
//     account name, issue and expiry times and a random id, MAC'd with the
//     account's User.SessionKey (token.go). Gateways keep no session
//     state: any gateway with the same accounts verifies any token. A
//     token is refused once expired (Config.SessionLifetime, default
//     12h), when its account is gone or disabled, when the account's key
//     changed (cmd derives it from the user root key and the password
//     verifier, so a password change ends every session), or when it was
//     revoked.
//   - Sign-out (POST /api/logout) revokes the session in the account's
//     shared record "web-sessions" (Namespace.GetShared/PutShared,
//     compare-and-swap): on this gateway at once, on the others within
//     Config.RecheckAfter (default 2s), the time each caches the record.
//     ?everywhere=1 ends every session of the account issued until then.
//     The record keeps at most 1000 revoked ids, each until its session
//     would have expired; past that it ends all older sessions at once.
//     An upstream can delete or roll back that record (gateway/shared.go):
//     a gateway never forgets a revocation it has seen, but one that has
//     not seen it would accept the session until it expires. A password
//     change does not depend on the record.
//   - Every state-changing request (anything but GET, HEAD, OPTIONS) must
//     come from this origin (Sec-Fetch-Site same-origin or absent; an
//     Origin, if sent, naming this Host), else 403; and, but for sign-in,
//     carry the session's CSRF token in X-CSRF-Token (an HMAC of the
//     session id under the session key, compared in constant time), else
//     403.
//   - Every response has a strict Content-Security-Policy (no inline
//     script or style, no plugins, no framing, no <base>), nosniff,
//     Referrer-Policy no-referrer and X-Frame-Options DENY. Downloads are
//     always attachments (Content-Disposition), under a CSP that allows
//     nothing and sandboxes the document: user content never runs as the
//     app, whatever its type or name.
//   - Uploads (PUT /api/object) stream the body into Namespace.PutObject:
//     nothing is buffered, a Content-Length is required (411), and the
//     file appears only if the body ended cleanly with that length. An
//     existing file is replaced only with overwrite=1 (else 412).
//     Downloads stream, with one byte range (206) if asked; a failure
//     after the header went out aborts the connection, never a short body
//     taken as whole.
//   - Large files go as multipart uploads (multipart.go): POST
//     /api/multipart starts one, PUT /api/multipart/part streams a part
//     (Content-Length required, 411; at most 64 MiB, 413; part 1 to
//     10000), GET /api/multipart/parts lists the parts stored, POST
//     /api/multipart/complete makes the file (412 if it exists, unless
//     overwrite), DELETE /api/multipart aborts, GET /api/multipart lists a
//     file's unfinished uploads. The upload state is the gateway's, sealed
//     in the upstream: any gateway continues an upload, an upload id of
//     another account (or of another bucket or key) is 404, and nothing is
//     visible before the completion, which re-seals the parts into the
//     object. The page (assets/resume.js) sends files over 16 MiB in 8 MiB
//     parts, three in flight, retrying a part after a network or server
//     failure with backoff (1, 2, 4, 8 s); it keeps the upload id in
//     localStorage under account, bucket, key, and the file's name, size and
//     last-modified time, and after a reload, when the same file is
//     picked again, sends only the parts whose number and size the server
//     does not have (no hash: the ETag is an MD5, which WebCrypto lacks;
//     the parts are authenticated by the gateway, so what is trusted is
//     only that the file picked is the same). Each upload has a Cancel
//     button (assets/upload.js): a queued file is not sent, a single
//     request is aborted while its body is sent (a body cut short commits
//     nothing; once it is all sent the cancel is too late), and an upload
//     in parts stops its parts, is aborted on the server and loses its
//     localStorage record. Opening a bucket lists the uploads the browser
//     remembers there that the server still has unfinished (left by a
//     reload, a closed tab or a failure: GET /api/multipart), each with a
//     Discard button that aborts it (assets/leftover.js).
//   - Previews (GET /api/preview?as=image|text, preview.go) serve raster
//     images (png, jpeg, gif, webp by the name's extension; never SVG) under
//     that fixed type, for an <img> of the page, and the first MiB of a
//     file as text/plain (415 for a NUL byte: not text), which the page
//     inserts with textContent: HTML, SVG and scripts are shown as text.
//     Like downloads they are attachments under the sandboxing CSP with
//     nosniff. A PDF (at most 64 MiB) is served whole for pdf.js, vendored
//     (pdfjs.go) and loaded by the page only then, to draw its pages on a
//     canvas: with no scripting sandbox, XFA or annotation layer, so a
//     PDF's JavaScript never runs and nothing of it becomes an element.
//     The page's CSP is unchanged (img-src, connect-src and, for pdf.js's
//     worker, script-src 'self' already allow all three).
//   - Folders are prefixes ending in "/" (an empty one kept by a marker
//     object "dir/", as WebDAV makes them). Listings are pages of up to
//     1000 entries continued with the gateway's marker and snapshot.
//     Deleting a folder deletes every object under it, a page at a time.
//     Deleting a bucket (DELETE /api/buckets) does the same for all of it
//     and then deletes the bucket, but for a bucket that has had
//     versioning: its versions are kept, and it is deleted only if it
//     holds none (else 409).
//     Renaming or moving (POST /api/rename, within a bucket or into
//     another) copies each object (CopyObject, with its WebDAV
//     properties) and then deletes the originals: not atomic; a failed
//     copy removes the copies made and leaves the original in place.
//   - GET /api/usage answers the account's quota and usage ({"limit",
//     "used"} in bytes, {"object_limit", "objects"}; a limit of 0: none);
//     the page shows it and checks the files' sizes and number against it
//     before an upload starts (quota.js). An upload over the quota is
//     refused by the gateway anyway (507).
//   - Share links (share.go, share_public.go; gateway.ShareLinks holds
//     them): a signed-in user makes a link to a file or folder (POST
//     /api/shares, with an expiry of at most Config.Shares.MaxExpiry, an
//     optional password and download limit); the answer holds its URL
//     /s/{id}, shown once (the id is stored nowhere). GET /api/shares lists
//     the user's links with their use counts by a handle that is not the
//     id; PATCH /api/shares?handle= changes one's expiry, password or
//     limit (gateway.ShareLinks.Update: the id and the use count stay);
//     DELETE /api/shares?handle= revokes one. The public routes under
//     /s/{id} need no account: the page, /info, /unlock (POST, the
//     password; then a cookie sg_link scoped to the link's path, holding
//     a token MAC'd under the owner's key, for an hour), /files (a
//     folder's files) and /download[?path=] (streamed, one range, always
//     an attachment under the sandboxing CSP; each GET counts one use,
//     compare-and-swap on the link's record). A link that is unknown,
//     expired, revoked, used up, whose owner is gone or disabled, or whose
//     file changed answers 404 with one body, slowed per client address
//     like a wrong link password. The access log names the operation
//     "share" and never the id.
//   - With Config.Security set (account.go), an account with two-factor
//     sign-in needs a TOTP or recovery code at sign-in ("code" in the
//     same POST /api/login): a right password without one answers 401
//     {"code_required": true}, a wrong code 401 slowed per client address
//     like a wrong password. App passwords never sign in here. The
//     account page's API is /api/account[/...]: password change (the
//     current one required; every other session ends, this one gets a
//     new cookie and CSRF token), 2FA begin (secret, otpauth URL and a
//     QR code as a data: PNG — the page CSP allows img-src data:) and
//     confirm (recovery codes, shown once; every other session ends and
//     this one gets a new cookie and CSRF token), disable and new
//     recovery codes (each with a code), app
//     passwords and S3 keys (the secret shown once, lists without it),
//     and deleting the account (password, and a code with 2FA on;
//     Security.DeleteAccount refuses an account with versions under
//     Object Lock, as `sealgate user delete` does without
//     --discard-locked).
//   - Signed-in requests take a slot of Config.Limiter (503 over it),
//     after authentication; bad input gets a 400 with a message and
//     changes nothing.
package webapp
