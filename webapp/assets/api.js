// The JSON API of the web app door. Every state-changing request carries
// the session's CSRF token; the session itself is an HttpOnly cookie that
// this script never sees.

let csrf = "";

export function setCSRF(token) {
  csrf = token || "";
}

export class APIError extends Error {
  constructor(status, message, data = {}) {
    super(message);
    this.status = status;
    this.data = data;
  }
}

// csrfToken is the session's CSRF token (for requests sent otherwise).
export const csrfToken = () => csrf;

export function withQuery(path, params) {
  if (!params) return path;
  return path + "?" + new URLSearchParams(params).toString();
}

// call sends one request and returns its JSON answer (null for 204).
export async function call(method, path, params, body) {
  const headers = {};
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(withQuery(path, params), init);
  if (resp.status === 204) return null;
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new APIError(resp.status, data.error || resp.statusText, data);
  return data;
}

export const login = (name, password, code = "") => call("POST", "/api/login", null, code ? { name, password, code } : { name, password });
export const session = () => call("GET", "/api/session");
export const logout = () => call("POST", "/api/logout");
export const buckets = () => call("GET", "/api/buckets");
export const createBucket = (name) => call("POST", "/api/buckets", null, { name });
export const deleteBucket = (name) => call("DELETE", "/api/buckets", { name });
export const createFolder = (bucket, prefix) => call("POST", "/api/folder", null, { bucket, prefix });
export const deleteFolder = (bucket, prefix) => call("DELETE", "/api/folder", { bucket, prefix });
export const deleteFile = (bucket, key) => call("DELETE", "/api/object", { bucket, key });
export const rename = (bucket, from, to, toBucket = bucket) => call("POST", "/api/rename", null, { bucket, from, to, to_bucket: toBucket });

// listAll reads every page of a folder: its sub-folders and files.
export async function listAll(bucket, prefix) {
  const out = { folders: [], files: [] };
  let next = null;
  do {
    const params = { bucket, prefix };
    if (next) Object.assign(params, next);
    const page = await call("GET", "/api/list", params);
    out.folders.push(...page.folders);
    out.files.push(...page.files);
    next = page.next || null;
  } while (next);
  return out;
}

// previewURL is the address of a file's preview: as "image" or "text".
export function previewURL(bucket, key, as) {
  return withQuery("/api/preview", { bucket, key, as });
}

// downloadURL is the address of a file's download (always an attachment).
export function downloadURL(bucket, key) {
  return withQuery("/api/object", { bucket, key });
}

// upload sends a file with XMLHttpRequest, for its upload progress:
// onProgress(loaded, total). It resolves with the stored file's JSON;
// aborting signal (an AbortSignal, optional) cancels it while its body is
// sent. Once the whole body is sent the server stores it: a cancel then
// comes too late, and the upload ends as it would have.
export function upload(bucket, key, file, overwrite, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const params = { bucket, key };
    if (overwrite) params.overwrite = "1";
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", withQuery("/api/object", params));
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { data = {}; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new APIError(xhr.status, data.error || xhr.statusText));
    });
    xhr.addEventListener("error", () => reject(new APIError(0, "network error")));
    xhr.addEventListener("abort", () => reject(new APIError(0, "cancelled")));
    let sent = false;
    xhr.upload.addEventListener("load", () => { sent = true; });
    abortWith(xhr, signal, () => !sent);
    xhr.send(file);
  });
}

// abortWith aborts xhr when signal (if any) is aborted, if still(), when
// given, is true then: a body cut short commits nothing on the server.
export function abortWith(xhr, signal, still = () => true) {
  if (!signal) return;
  const abort = () => still() && xhr.abort();
  if (signal.aborted) queueMicrotask(abort);
  else signal.addEventListener("abort", abort, { once: true });
}
