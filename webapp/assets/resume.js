// Resumable uploads: a large file goes in 8 MiB parts (a multipart upload,
// whose state the gateway keeps in the upstream), three in flight. The
// upload id is kept in localStorage under the account, bucket, key, and the
// file's name, size and last-modified time, so that after a dropped connection or
// a reload, picking the same file again sends only the parts the server
// does not have. A stored part is taken as this file's when its number and
// size match (no hash: MD5, the ETag's, is not in WebCrypto; the parts are
// sealed and authenticated by the gateway, so what is checked is only that
// the file picked is the same, which name, size and time stand for).

import { APIError, abortWith, call, csrfToken, withQuery } from "./api.js";

export const PART_SIZE = 8 << 20;
export const THRESHOLD = 16 << 20; // files larger than this go in parts
const IN_FLIGHT = 3;
const TRIES = 5; // per part; waits 1, 2, 4, 8 s between them

// wantsParts tells whether a file is sent as a resumable upload.
export const wantsParts = (file) => file.size > THRESHOLD;

const RECORD = "sg-upload:";

// account is the signed-in account's name: the browser's localStorage is
// shared by every account signed in on it, and each sees only its own
// records.
let account = "";

export function setAccount(name) {
  account = name || "";
}

function recordKey(bucket, key, file) {
  return RECORD + JSON.stringify([account, bucket, key, file.name, file.size, file.lastModified]);
}

// sending holds the records of the uploads this page is sending.
const sending = new Set();

// leftovers lists the signed-in account's remembered uploads into bucket
// that this page is not sending (left by a reload, a closed tab or a
// failure), oldest first: { rk, key, name, size, upload, started }.
export function leftovers(bucket) {
  const out = [];
  for (const rk of Object.keys(localStorage)) {
    if (!rk.startsWith(RECORD) || sending.has(rk)) continue;
    try {
      const fields = JSON.parse(rk.slice(RECORD.length));
      const [acct, b, key, name, size] = fields;
      const rec = fields.length === 6 && acct === account && b === bucket && remembered(rk);
      if (rec && rec.upload) out.push({ rk, key, name, size, upload: rec.upload, started: rec.started });
    } catch {
      // not a record of this page: left alone
    }
  }
  return out.sort((a, b) => (a.started || 0) - (b.started || 0));
}

function remembered(rk) {
  try {
    return JSON.parse(localStorage.getItem(rk) || "null");
  } catch {
    return null;
  }
}

// storedParts asks the server for the parts it has: a Map by number, or
// null if the upload is gone (completed, aborted or expired).
async function storedParts(bucket, key, upload) {
  try {
    const res = await call("GET", "/api/multipart/parts", { bucket, key, upload });
    return new Map(res.parts.map((p) => [p.number, p]));
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

// resumeOrStart returns the upload id and the parts already stored.
async function resumeOrStart(bucket, key, file, rk) {
  const rec = remembered(rk);
  if (rec && rec.upload) {
    const parts = await storedParts(bucket, key, rec.upload);
    if (parts) return { upload: rec.upload, parts, resumed: true };
  }
  const res = await call("POST", "/api/multipart", null, { bucket, key, type: file.type || "application/octet-stream" });
  localStorage.setItem(rk, JSON.stringify({ upload: res.upload, started: Date.now() }));
  return { upload: res.upload, parts: new Map(), resumed: false };
}

// sendPart sends one slice with XMLHttpRequest (for its progress) and
// resolves with its ETag; aborting signal cancels it.
function sendPart(bucket, key, upload, number, blob, onProgress, signal) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", withQuery("/api/multipart/part", { bucket, key, upload, part: String(number) }));
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.addEventListener("progress", (e) => onProgress(e.loaded));
    xhr.addEventListener("load", () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch { data = {}; }
      if (xhr.status === 200 && data.etag) resolve(data.etag);
      else reject(new APIError(xhr.status, data.error || xhr.statusText));
    });
    xhr.addEventListener("error", () => reject(new APIError(0, "network error")));
    xhr.addEventListener("abort", () => reject(new APIError(0, "cancelled")));
    abortWith(xhr, signal);
    xhr.send(blob);
  });
}

const retryable = (e) => e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// sendWithRetry sends a part, retrying a network or server failure with
// backoff; a refusal (4xx) and a cancellation are final.
async function sendWithRetry(job, number, onProgress) {
  const start = (number - 1) * PART_SIZE;
  const blob = job.file.slice(start, Math.min(start + PART_SIZE, job.file.size));
  for (let attempt = 1; ; attempt++) {
    try {
      return await sendPart(job.bucket, job.key, job.upload, number, blob, onProgress, job.signal);
    } catch (e) {
      onProgress(0);
      if (attempt >= TRIES || !retryable(e) || job.signal?.aborted) throw e;
      job.info.retries++;
      await sleep(1000 * 2 ** (attempt - 1));
    }
  }
}

// plan lists the parts to send and the bytes already stored.
function plan(file, stored) {
  const count = Math.max(1, Math.ceil(file.size / PART_SIZE));
  const etags = [];
  const todo = [];
  let done = 0;
  for (let n = 1; n <= count; n++) {
    const size = Math.min(PART_SIZE, file.size - (n - 1) * PART_SIZE);
    const have = stored.get(n);
    if (have && have.size === size) {
      etags[n] = have.etag;
      done += size;
    } else {
      todo.push(n);
    }
  }
  return { count, etags, todo, done };
}

// sendInParts uploads file to bucket/key in parts, resuming a previous
// upload of the same file. onProgress(loaded, total, info) reports bytes
// stored or in flight; info.resumed and info.skipped (parts already
// stored) tell what was resumed, info.retries how many part sends failed
// and were tried again. It resolves with the stored file's JSON.
// Aborting signal (an AbortSignal, optional) before the parts are all
// sent cancels the upload: the parts in flight are stopped, the upload is
// aborted on the server (its stored parts deleted) and forgotten here,
// and the promise rejects with status 0, "cancelled".
export async function sendInParts(bucket, key, file, overwrite, onProgress, signal) {
  const rk = recordKey(bucket, key, file);
  sending.add(rk);
  try {
    return await sendOrDiscard(bucket, key, file, overwrite, onProgress, signal, rk);
  } finally {
    sending.delete(rk);
  }
}

// sendOrDiscard starts or resumes the upload and sends it; once signal is
// aborted, it discards the upload instead.
async function sendOrDiscard(bucket, key, file, overwrite, onProgress, signal, rk) {
  const { upload, parts, resumed } = await resumeOrStart(bucket, key, file, rk);
  try {
    return await sendRest(bucket, key, file, overwrite, onProgress, signal, { rk, upload, parts, resumed });
  } catch (e) {
    if (signal?.aborted) {
      await discard(bucket, key, upload, rk);
      throw new APIError(0, "cancelled");
    }
    throw e;
  }
}

// discard aborts an upload on the server (its stored parts deleted) and
// forgets it here (rk, its record). If the server could not abort it,
// the record stays, and the upload is offered for discarding again
// (leftover.js).
export async function discard(bucket, key, upload, rk) {
  try {
    await call("DELETE", "/api/multipart", { bucket, key, upload });
  } catch (e) {
    if (e.status !== 404) throw e; // 404: already gone
  }
  localStorage.removeItem(rk);
}

// sendRest sends the parts the server does not have, then completes the
// upload.
async function sendRest(bucket, key, file, overwrite, onProgress, signal, { rk, upload, parts, resumed }) {
  const p = plan(file, parts);
  const info = { resumed, skipped: p.count - p.todo.length, parts: p.count, retries: 0 };
  const inFlight = new Map();
  let done = p.done;
  const report = () => onProgress(done + [...inFlight.values()].reduce((a, b) => a + b, 0), file.size, info);
  report();
  const job = { bucket, key, upload, file, info, signal, failed: false };
  const worker = async () => {
    for (let n = p.todo.shift(); n !== undefined && !job.failed && !signal?.aborted; n = p.todo.shift()) {
      inFlight.set(n, 0);
      try {
        p.etags[n] = await sendWithRetry(job, n, (loaded) => { inFlight.set(n, loaded); report(); });
      } catch (e) {
        job.failed = true; // the other workers stop taking parts
        throw e;
      }
      inFlight.delete(n);
      done += Math.min(PART_SIZE, file.size - (n - 1) * PART_SIZE);
      report();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  if (signal?.aborted) throw new APIError(0, "cancelled");
  const list = [];
  for (let n = 1; n <= p.count; n++) list.push({ number: n, etag: p.etags[n] });
  const res = await call("POST", "/api/multipart/complete", null, { bucket, key, upload, overwrite: !!overwrite, parts: list });
  localStorage.removeItem(rk);
  return res;
}
