// The sealgate web app: sign-in, buckets, folders, uploads and downloads
// over the door's JSON API. No framework and no build step; every name is
// inserted as text.

import * as api from "./api.js";
import { $, ask, status } from "./ui.js";
import { parseHash, renderBuckets, renderCrumbs, renderFolder } from "./view.js";
import { clearFailed, dropZone, uploadFiles } from "./upload.js";
import { showLeftovers } from "./leftover.js";
import { setAccount } from "./resume.js";
import { openPreview, wirePreview } from "./preview.js";
import { overQuota, showUsage } from "./quota.js";
import { initShares, share } from "./share.js";
import { hideAccount, initAccount, showAccount } from "./account.js";

const state = {
  user: "",
  bucket: "",
  prefix: "",
  listing: null, // { folders, files } of the folder shown
  buckets: [],
  sort: { key: "name", dir: 1 },
};

function showLogin(message = "") {
  state.user = "";
  api.setCSRF("");
  setAccount("");
  $("app-view").hidden = true;
  $("who").hidden = true;
  $("logout").hidden = true;
  $("account").hidden = true;
  hideAccount();
  $("login-view").hidden = false;
  $("login-error").textContent = message;
  $("login-name").focus();
}

function showApp(sess) {
  state.user = sess.user;
  api.setCSRF(sess.csrf);
  setAccount(sess.user);
  $("login-view").hidden = true;
  $("login-password").value = "";
  $("login-code").value = "";
  $("login-code-row").hidden = true;
  $("account").hidden = false;
  $("who").textContent = sess.user;
  $("who").hidden = false;
  $("logout").hidden = false;
  $("app-view").hidden = false;
  load();
}

// failed reports an error; a lost session goes back to the sign-in form.
function failed(e) {
  if (e.status === 401) showLogin("Your session ended: sign in again.");
  else status(e.message || String(e), true);
}

async function load() {
  const { bucket, prefix } = parseHash(location.hash);
  state.bucket = bucket;
  state.prefix = prefix;
  renderCrumbs(bucket, prefix);
  $("new-folder").hidden = !bucket;
  $("upload-button").hidden = !bucket;
  $("new-bucket").hidden = !!bucket;
  status("Loading…");
  try {
    if (bucket) state.listing = await api.listAll(bucket, prefix);
    else state.buckets = (await api.buckets()).buckets;
    render();
    status("");
    showUsage();
    showLeftovers(bucket);
  } catch (e) {
    failed(e);
  }
}

function render() {
  if (state.bucket) renderFolder(state.bucket, state.prefix, state.listing, state.sort, { rename, move, remove, preview, share: (e) => share(state.bucket, e) });
  else renderBuckets(state.buckets, state.sort, { remove: removeBucket });
}

// run performs an action, reports its outcome, and reloads the folder.
async function run(what, action) {
  status(what + "…");
  try {
    await action();
    await load();
  } catch (e) {
    failed(e);
  }
}

function validName(name) {
  return name && !name.includes("/") && name !== "." && name !== "..";
}

function preview(entry) {
  openPreview(state.bucket, entry);
}

async function rename(entry) {
  const name = await ask(`New name for “${entry.name}”:`, { input: true, value: entry.name, ok: "Rename" });
  if (name === null || name === entry.name) return;
  if (!validName(name)) return status("A name cannot be empty, “.”, “..”, or contain “/”.", true);
  const folder = entry.kind === "folder";
  const to = state.prefix + name + (folder ? "/" : "");
  await run("Renaming", () => api.rename(state.bucket, entry.key, to));
}

// move moves a file or folder, keeping its name, into a folder typed as
// "bucket/folder/…/": of this bucket or another.
async function move(entry) {
  const typed = await ask(`Move “${entry.name}” into the folder (bucket/folder/…):`,
    { input: true, value: state.bucket + "/" + state.prefix, ok: "Move" });
  if (typed === null) return;
  const dest = typed.trim().replace(/^\/+/, "");
  const cut = dest.indexOf("/");
  const toBucket = cut < 0 ? dest : dest.slice(0, cut);
  let folder = cut < 0 ? "" : dest.slice(cut + 1);
  if (folder && !folder.endsWith("/")) folder += "/";
  if (!toBucket) return status("Type the bucket first, then the folder: “bucket/folder/”.", true);
  const to = folder + entry.name + (entry.kind === "folder" ? "/" : "");
  await run("Moving", () => api.rename(state.bucket, entry.key, to, toBucket));
}

async function remove(entry) {
  const folder = entry.kind === "folder";
  const text = folder ? `Delete the folder “${entry.name}” and everything in it?` : `Delete “${entry.name}”?`;
  if ((await ask(text, { ok: "Delete", danger: true })) === null) return;
  await run("Deleting", () => (folder ? api.deleteFolder(state.bucket, entry.key) : api.deleteFile(state.bucket, entry.key)));
}

// removeBucket deletes a bucket with every file in it, once its name is
// typed. One that keeps versions is refused by the server, with why.
async function removeBucket(entry) {
  const typed = await ask(`Delete the bucket “${entry.name}” and every file in it? Type its name to confirm:`,
    { input: true, ok: "Delete", danger: true });
  if (typed === null) return;
  if (typed !== entry.name) return status("The name typed is not the bucket's: nothing was deleted.", true);
  await run("Deleting the bucket", () => api.deleteBucket(entry.name));
}

async function newFolder() {
  const name = await ask("Name of the new folder:", { input: true, ok: "Create" });
  if (name === null) return;
  if (!validName(name)) return status("A name cannot be empty, “.”, “..”, or contain “/”.", true);
  await run("Creating the folder", () => api.createFolder(state.bucket, state.prefix + name + "/"));
}

async function newBucket() {
  const name = await ask("Name of the new bucket (lower-case letters, digits, dots and hyphens):", { input: true, ok: "Create" });
  if (name === null) return;
  await run("Creating the bucket", () => api.createBucket(name));
}

async function startUploads(files) {
  if (!state.bucket || !files.length) return;
  const full = await overQuota(files);
  if (full) return status(full, true);
  clearFailed();
  const names = new Set((state.listing ? state.listing.files : []).map((f) => f.name));
  uploadFiles(files, state.bucket, state.prefix, (n) => names.has(n), load);
}

async function signIn(e) {
  e.preventDefault();
  const name = $("login-name").value;
  const password = $("login-password").value;
  $("login-submit").disabled = true;
  $("login-error").textContent = "";
  try {
    showApp(await api.login(name, password, $("login-code").value.trim()));
  } catch (err) {
    if (err.data && err.data.code_required) {
      const first = $("login-code-row").hidden;
      $("login-code-row").hidden = false;
      $("login-code").focus();
      $("login-error").textContent = first ? "Enter the code from your authenticator app." : err.message;
      return;
    }
    $("login-error").textContent = err.status === 401 ? "Wrong account name or password." : err.message;
  } finally {
    $("login-submit").disabled = false;
  }
}

async function signOut() {
  try {
    await api.logout();
  } catch (e) {
    if (e.status !== 401) return failed(e);
  }
  history.replaceState(null, "", "/");
  showLogin("You are signed out.");
}

function sortBy(key) {
  state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
  render();
}

function wire() {
  initShares(failed);
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", signOut);
  initAccount((msg) => showLogin(msg));
  $("account").addEventListener("click", () => { $("app-view").hidden = true; showAccount(); });
  $("account-back").addEventListener("click", () => { hideAccount(); $("app-view").hidden = false; load(); });
  $("new-folder").addEventListener("click", newFolder);
  $("new-bucket").addEventListener("click", newBucket);
  wirePreview();
  $("file-input").addEventListener("change", (e) => {
    startUploads(Array.from(e.target.files));
    e.target.value = "";
  });
  for (const b of document.querySelectorAll("button.sort")) b.addEventListener("click", () => sortBy(b.dataset.sort));
  dropZone($("drop"), (files) => startUploads(Array.from(files)));
  window.addEventListener("hashchange", () => state.user && load());
}

async function boot() {
  wire();
  try {
    showApp(await api.session());
  } catch (e) {
    showLogin(e.status === 401 ? "" : e.message);
  }
}

boot();
