// The public page of a share link (/s/{id}): no account, no session. It
// learns the link from /s/{id}/info, asks for a password if the link has
// one, and offers the file (or the folder's files) for download. Every
// name is inserted as text.

import { $, el, formatDate, formatSize } from "./ui.js";

const base = location.pathname.replace(/\/+$/, "");

async function getJSON(path) {
  const resp = await fetch(base + path, { credentials: "same-origin", cache: "no-store" });
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    const err = new Error(data.error || resp.statusText);
    err.status = resp.status;
    throw err;
  }
  return data;
}

function show(id) {
  for (const s of ["link-loading", "link-gone", "link-unlock", "link-file", "link-folder"]) $(s).hidden = s !== id;
}

function downloadURL(path) {
  return base + "/download" + (path ? "?" + new URLSearchParams({ path }).toString() : "");
}

function expiry(info) {
  return info.expires ? "Available until " + formatDate(info.expires) + "." : "";
}

function showFile(info) {
  $("link-name").textContent = info.name;
  $("link-meta").textContent = formatSize(info.size) + " · " + expiry(info);
  const a = $("link-download");
  a.href = downloadURL("");
  a.download = info.name;
  show("link-file");
}

// fileRow is a folder link's file as a table row.
function fileRow(f) {
  const name = f.path.split("/").pop();
  return el("tr", {},
    el("td", { className: "name" }, el("a", { href: downloadURL(f.path), download: name, textContent: f.path })),
    el("td", { className: "num", textContent: formatSize(f.size) }),
    el("td", { className: "date", textContent: formatDate(f.modified) }));
}

// next is the path the folder's next page of files starts after ("" at
// the end): the server lists a page of up to 1000 files at a time.
let next = "";

async function morePage() {
  const list = await getJSON("/files" + (next ? "?" + new URLSearchParams({ after: next }).toString() : ""));
  $("link-rows").append(...list.files.map(fileRow));
  next = list.next || "";
  $("link-more").hidden = !next;
  return list;
}

async function showFolder(info) {
  $("link-rows").replaceChildren();
  next = "";
  await morePage();
  $("link-folder-name").textContent = info.name;
  $("link-folder-meta").textContent = expiry(info);
  show("link-folder");
}

async function load() {
  try {
    const info = await getJSON("/info");
    if (info.locked) {
      show("link-unlock");
      $("link-password").focus();
    } else if (info.folder) await showFolder(info);
    else showFile(info);
  } catch (e) {
    if (e.status === 404) show("link-gone");
    else {
      show("link-unlock");
      $("link-error").textContent = e.message;
    }
  }
}

async function unlock(e) {
  e.preventDefault();
  $("link-unlock-submit").disabled = true;
  $("link-error").textContent = "";
  try {
    const resp = await fetch(base + "/unlock", {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: $("link-password").value }),
    });
    if (resp.status === 404) return show("link-gone");
    if (!resp.ok) {
      $("link-error").textContent = resp.status === 401 ? "Wrong password." : "Could not check the password: retry.";
      return;
    }
    $("link-password").value = "";
    await load();
  } finally {
    $("link-unlock-submit").disabled = false;
  }
}

$("link-unlock").addEventListener("submit", unlock);
$("link-more").addEventListener("click", async () => {
  $("link-more").disabled = true;
  try {
    await morePage();
  } catch (e) {
    $("link-folder-meta").textContent = "Could not list more files: " + e.message;
  } finally {
    $("link-more").disabled = false;
  }
});
load();
