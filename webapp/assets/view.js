// Rendering of the location bar and of the listing table.

import { downloadURL } from "./api.js";
import { $, el, formatDate, formatSize } from "./ui.js";

// hashFor is the page address of a bucket and folder.
export function hashFor(bucket, prefix) {
  if (!bucket) return "#";
  const p = new URLSearchParams({ b: bucket });
  if (prefix) p.set("p", prefix);
  return "#" + p.toString();
}

// parseHash reads the location of the page address.
export function parseHash(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const bucket = p.get("b") || "";
  let prefix = p.get("p") || "";
  if (prefix && !prefix.endsWith("/")) prefix += "/";
  return { bucket, prefix };
}

// renderCrumbs shows Buckets › bucket › folder › … with links upward.
export function renderCrumbs(bucket, prefix) {
  const nav = $("crumbs");
  nav.replaceChildren();
  const parts = [{ name: "Buckets", hash: "#" }];
  if (bucket) {
    parts.push({ name: bucket, hash: hashFor(bucket, "") });
    let acc = "";
    for (const seg of prefix.split("/").slice(0, -1)) {
      acc += seg + "/";
      parts.push({ name: seg, hash: hashFor(bucket, acc) });
    }
  }
  parts.forEach((part, i) => {
    if (i > 0) nav.append(el("span", { className: "sep", textContent: "›" }));
    const last = i === parts.length - 1;
    nav.append(last ? el("span", { className: "here", textContent: part.name }) : el("a", { href: part.hash, textContent: part.name }));
  });
}

// sorted returns entries sorted by sort.key ("name", "size", "date") in
// sort.dir (1 or -1).
function sorted(entries, sort) {
  const by = {
    name: (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }),
    size: (a, b) => (a.size || 0) - (b.size || 0),
    date: (a, b) => String(a.date || "").localeCompare(String(b.date || "")),
  }[sort.key];
  return [...entries].sort((a, b) => sort.dir * by(a, b) || a.name.localeCompare(b.name));
}

function showSort(sort) {
  for (const th of document.querySelectorAll("#listing th")) {
    const b = th.querySelector("button.sort");
    if (!b) continue;
    th.setAttribute("aria-sort", b.dataset.sort === sort.key ? (sort.dir > 0 ? "ascending" : "descending") : "none");
  }
}

function row(entry, nameCell, actions) {
  const tr = el("tr", { data: { name: entry.name, kind: entry.kind } },
    el("td", { className: "name" }, nameCell),
    el("td", { className: "num", textContent: entry.kind === "file" ? formatSize(entry.size) : "" }),
    el("td", { className: "date", textContent: entry.date ? formatDate(entry.date) : "" }),
    el("td", { className: "actions" }, ...actions));
  return tr;
}

function actionButton(label, handler, entry, danger = false) {
  return el("button", { type: "button", textContent: label, className: danger ? "danger" : "",
    data: { action: label.toLowerCase() }, on: { click: () => handler(entry) } });
}

// renderBuckets lists the account's buckets; actions.remove gets an entry.
export function renderBuckets(buckets, sort, actions) {
  const entries = buckets.map((b) => ({ kind: "bucket", name: b.name, date: b.created }));
  const rows = sorted(entries, sort).map((e) => row(e, el("a", { href: hashFor(e.name, ""), className: "folder", textContent: e.name }),
    [actionButton("Delete", actions.remove, e, true)]));
  fill(rows, "No buckets yet: make one with “New bucket”.", sort);
}

// renderFolder lists a folder: sub-folders first, then files.
// actions.rename, actions.move, actions.remove and actions.preview get an
// entry.
export function renderFolder(bucket, prefix, listing, sort, actions) {
  const folders = listing.folders.map((f) => ({ kind: "folder", name: f.name, key: f.prefix }));
  const files = listing.files.map((f) => ({ kind: "file", name: f.name, key: f.key, size: f.size, date: f.modified }));
  const buttons = (e) => [actions.share && actionButton("Share", actions.share, e), actionButton("Rename", actions.rename, e),
    actionButton("Move", actions.move, e), actionButton("Delete", actions.remove, e, true)].filter(Boolean);
  const fileButtons = (e) => [actionButton("Preview", actions.preview, e), ...buttons(e)];
  const rows = [
    ...sorted(folders, sort).map((e) => row(e, el("a", { href: hashFor(bucket, e.key), className: "folder", textContent: e.name }), buttons(e))),
    ...sorted(files, sort).map((e) => row(e, el("a", { href: downloadURL(bucket, e.key), download: e.name, textContent: e.name }), fileButtons(e))),
  ];
  fill(rows, "This folder is empty. Drop files here, or use “Upload files”.", sort);
}

function fill(rows, emptyText, sort) {
  $("rows").replaceChildren(...rows);
  $("empty").textContent = emptyText;
  $("empty").hidden = rows.length > 0;
  showSort(sort);
}
