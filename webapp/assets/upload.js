// Uploads: a queue of files, sent one after another, each with its own
// progress bar and Cancel button, and one bar for the whole queue. Large
// files go in resumable parts (resume.js). A file cancelled while it is
// sent leaves nothing: a single request cut short commits nothing, and
// an upload in parts is aborted on the server (its parts deleted). One
// cancelled before its turn is not sent.

import * as api from "./api.js";
import { $, el, ask, formatSize } from "./ui.js";
import { sendInParts, wantsParts } from "./resume.js";

// total is the queue's progress: bytes of each row, and the sizes.
const total = { rows: new Set() };

function showTotal() {
  let loaded = 0;
  let size = 0;
  for (const r of total.rows) {
    loaded += r.loaded;
    size += r.size;
  }
  const active = [...total.rows].some((r) => !r.finished);
  $("upload-total").hidden = !active;
  $("upload-total-bar").max = size || 1;
  $("upload-total-bar").value = loaded;
  $("upload-total-text").textContent = size ? Math.floor((100 * loaded) / size) + "%" : "";
  if (!active) total.rows.clear();
}

// uploadFiles sends files into bucket/prefix. exists(name) tells whether
// the folder already has a file of that name (the user is asked before it
// is replaced). done() runs after the last one.
export async function uploadFiles(files, bucket, prefix, exists, done) {
  const rows = Array.from(files, (f) => ({ file: f, row: progressRow(f) }));
  for (const { row } of rows) total.rows.add(row);
  showTotal();
  for (const { file, row } of rows) {
    await sendOne(file, row, bucket, prefix, exists);
  }
  showTotal();
  done();
}

function progressRow(file) {
  const bar = el("progress", { max: file.size || 1, value: 0 });
  const state = el("span", { className: "state", textContent: "waiting" });
  const cancel = el("button", { type: "button", className: "cancel", textContent: "Cancel", title: "Cancel this upload" });
  const li = el("li", { data: { name: file.name } }, el("span", { className: "name", textContent: file.name, title: file.name }), bar, state, cancel);
  $("uploads").append(li);
  const row = { li, bar, state, cancel, abort: new AbortController(), loaded: 0, size: file.size, finished: false };
  cancel.addEventListener("click", () => {
    cancel.disabled = true;
    row.state.textContent = "cancelling…";
    row.abort.abort();
  });
  return row;
}

async function sendOne(file, row, bucket, prefix, exists) {
  if (row.abort.signal.aborted) {
    finish(row, "cancelled");
    return;
  }
  let overwrite = false;
  if (exists(file.name)) {
    overwrite = (await ask(`Replace the existing file “${file.name}”?`, { ok: "Replace" })) !== null;
    if (!overwrite) {
      finish(row, "skipped");
      return;
    }
  }
  row.state.textContent = "0%";
  const onProgress = (loaded, size, info) => {
    row.bar.max = size || 1;
    row.bar.value = loaded;
    row.loaded = loaded;
    const pct = size ? Math.floor((100 * loaded) / size) + "%" : formatSize(loaded);
    const notes = [];
    if (info && info.skipped) notes.push(`resumed: ${info.skipped} of ${info.parts} parts were stored`);
    if (info && info.retries) notes.push(`${info.retries} retried`);
    row.state.textContent = notes.length ? `${pct} (${notes.join("; ")})` : pct;
    if (info) Object.assign(row.li.dataset, { skipped: String(info.skipped), retries: String(info.retries) });
    showTotal();
  };
  try {
    const send = wantsParts(file) ? sendInParts : api.upload;
    await send(bucket, prefix + file.name, file, overwrite, onProgress, row.abort.signal);
    row.bar.value = row.bar.max;
    row.loaded = row.size;
    finish(row, "done");
  } catch (e) {
    finish(row, row.abort.signal.aborted && e.status === 0 ? "cancelled" : "failed: " + e.message);
  }
}

// finish shows the outcome; a finished row leaves after a while, a failed
// one stays until the next upload starts.
function finish(row, text) {
  row.finished = true;
  row.cancel.remove();
  if (text === "cancelled") row.loaded = 0; // nothing of it was kept
  if (text !== "done") row.size = row.loaded; // the total counts what was sent
  row.state.textContent = text;
  row.li.dataset.state = text.startsWith("failed") ? "failed" : text;
  if (text === "done" || text === "skipped" || text === "cancelled") setTimeout(() => row.li.remove(), 4000);
}

// clearFailed removes the rows of failed uploads.
export function clearFailed() {
  for (const li of $("uploads").querySelectorAll("li[data-state='failed']")) li.remove();
}

// dropZone wires drag-and-drop on node: onFiles(FileList) on drop. A
// file dropped elsewhere on the page is ignored (the browser would
// otherwise leave the app to show it).
export function dropZone(node, onFiles) {
  for (const type of ["dragover", "drop"]) window.addEventListener(type, (e) => e.preventDefault());
  const over = (on) => (e) => {
    e.preventDefault();
    node.classList.toggle("over", on);
  };
  node.addEventListener("dragenter", over(true));
  node.addEventListener("dragover", over(true));
  node.addEventListener("dragleave", over(false));
  node.addEventListener("drop", (e) => {
    over(false)(e);
    if (e.dataTransfer && e.dataTransfer.files.length) onFiles(e.dataTransfer.files);
  });
}
