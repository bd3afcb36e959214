// Package davapi is sealgate's WebDAV door: golang.org/x/net/webdav over one
// user's gateway.Namespace.
//
// # Contract
//
//   - Authentication is HTTP Basic with the account name and account password
//     (never the S3 secret), checked by Config.Logins (cmd wires
//     gateway/accounts, whose Login caches verified credentials); failures
//     answer 401 with WWW-Authenticate and are slowed per client address; a
//     login refused because every password check is busy answers 503. It
//     runs before the request takes a slot of Config.Limiter. Passwords and
//     Authorization headers are never logged.
//   - "/" lists the user's buckets as folders; MKCOL at the root creates a
//     bucket (the name must be a valid S3 bucket name, else 403 with a
//     message). Inside a bucket a folder is a prefix, an empty one kept by a
//     marker object "dir/"; files are objects. S3 keys that cannot be a path
//     (empty, "." or ".." segments, NUL) are visible over S3 only. When an
//     object "x" and a prefix "x/" both exist, the file is shown.
//   - PUT streams into Namespace.PutObject with bounded memory and commits only
//     when the request body ended cleanly with its announced length; otherwise
//     the previous version stays. The PUT response ETag is the MD5 of the
//     content, equal to the S3 ETag.
//   - GET/HEAD read lazily with ranged gets; getcontenttype and getetag come
//     from gateway metadata.
//   - Locks (class 2, exclusive) are per user and shared by every gateway
//     over the upstream: the user's lock table is a gateway shared record
//     ("dav-locks"), changed only by compare-and-swap with bounded retries
//     (locks.go). A lock taken through one gateway binds writes through all;
//     a lock token of another user is unknown here. Timeouts are capped at
//     Config.MaxLockTimeout (infinite included), expiry follows Config.Now,
//     and a user has at most 10,000 live locks. Cost: LOCK, refresh and
//     UNLOCK read the table and write it (one conditional PUT, more under
//     contention); a write method reads it once; reads never. A table that
//     fails authentication is a 500 for every write of the user until it is
//     removed upstream.
//     The If header is evaluated by davapi (RFC 4918 §10.4, ETags and Not
//     included) against the same table before x/net sees it.
//   - Dead properties are kept by the gateway's properties API
//     (Namespace.GetProps/SetProps: sealed records outside the S3 namespace,
//     so S3 listings never show them), keyed by the resource: a file's key,
//     a folder's marker key "dir/", or "" for a bucket. A PROPPATCH never
//     rewrites the data; on a folder that exists only as a prefix it first
//     creates the marker, so the properties go when the folder goes. The
//     gateway deletes properties with their object (DeleteObject, also from
//     S3) or bucket; MOVE and COPY copy them per file and folder of the tree.
//     Listings do not read them: a PROPFIND naming DAV: live properties only
//     reads none, while allprop, propname or a named dead property reads them
//     once per resource (one GetProps each).
//   - OPTIONS answers on every path without authentication; a missing
//     Overwrite header means T; PROPFIND with Depth infinity or without Depth
//     is refused with 403 and DAV:propfind-finite-depth; bodies with bad XML
//     namespaces are 400.
//   - Gateway errors map to statuses in one table (errors.go), tested to
//     cover every gateway sentinel; integrity failures are 500 without
//     details, an upstream that fails is 503 with Retry-After, one out of
//     space 507 Insufficient Storage (RFC 4918 §11.5), and so is a write
//     over the account's quota (with the gateway's message). A failed PUT has
//     the rest of its body (up to 32 MiB) read, so that the client still
//     sending gets the answer instead of a reset connection.
//   - A GET whose data fails after the response started is aborted
//     (http.ErrAbortHandler), never completed short (failure.go).
//   - One access log line per request; the path only at debug level. A
//     request whose client went away (a write to it failed, or net/http
//     cancelled its context) is logged and counted as 499 at info level.
package davapi
