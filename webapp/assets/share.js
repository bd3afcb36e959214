// Share links in the app: the "Share" dialog of a file or folder (expiry,
// password, download limit; the link is shown once, with a copy button)
// and the "My links" dialog (use counts, edit (share-edit.js), revoke).
// Built with el(): every name is inserted as text.

import { call } from "./api.js";
import { editLink } from "./share-edit.js";
import { $, el, formatDate, status } from "./ui.js";

const expiries = [
  ["", "Default"],
  [3600, "1 hour"],
  [86400, "1 day"],
  [7 * 86400, "7 days"],
  [30 * 86400, "30 days"],
  [90 * 86400, "90 days"],
];

let onFail = (e) => status(e.message || String(e), true);

function field(label, input) {
  return el("label", { className: "share-field" }, el("span", { textContent: label }), input);
}

// buildShareDialog makes the dialog of a new link once.
function buildShareDialog() {
  const expiry = el("select", { id: "share-expiry" }, ...expiries.map(([v, t]) => el("option", { value: String(v), textContent: t })));
  const dlg = el("dialog", { id: "share-dialog", className: "share" },
    el("form", { id: "share-form", method: "dialog" },
      el("h2", { id: "share-title" }),
      field("Expires after", expiry),
      field("Password (optional)", el("input", { id: "share-password", type: "password", autocomplete: "new-password" })),
      field("Download limit (optional)", el("input", { id: "share-limit", type: "number", min: "0", step: "1", placeholder: "no limit" })),
      el("p", { id: "share-error", className: "error", role: "alert" }),
      el("div", { id: "share-result", hidden: true },
        el("p", { textContent: "Copy the link now: it is shown only once." }),
        el("input", { id: "share-url", readOnly: true }),
        el("button", { id: "share-copy", type: "button", textContent: "Copy" })),
      el("div", { className: "dialog-buttons" },
        el("button", { id: "share-close", type: "button", textContent: "Close" }),
        el("button", { id: "share-create", type: "submit", textContent: "Create link" }))));
  document.body.append(dlg);
  $("share-close").addEventListener("click", () => dlg.close());
  $("share-copy").addEventListener("click", copyURL);
  $("share-form").addEventListener("submit", createLink);
  return dlg;
}

let target = null; // { bucket, key, name } of the open share dialog

async function createLink(e) {
  e.preventDefault();
  const body = { bucket: target.bucket, key: target.key };
  const exp = $("share-expiry").value;
  if (exp) body.expires_in = Number(exp);
  if ($("share-password").value) body.password = $("share-password").value;
  const limit = Number($("share-limit").value || 0);
  if (limit > 0) body.limit = limit;
  $("share-error").textContent = "";
  $("share-create").disabled = true;
  try {
    const link = await call("POST", "/api/shares", null, body);
    $("share-password").value = "";
    $("share-url").value = new URL(link.url, location.origin).href;
    $("share-result").hidden = false;
    $("share-create").hidden = true;
    $("share-url").select();
  } catch (err) {
    $("share-error").textContent = err.message;
    $("share-create").disabled = false;
    if (err.status === 401) onFail(err);
  }
}

async function copyURL() {
  const input = $("share-url");
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand("copy");
  }
  $("share-copy").textContent = "Copied";
}

// share opens the dialog for a file or folder entry of bucket.
export function share(bucket, entry) {
  const dlg = $("share-dialog") || buildShareDialog();
  target = { bucket, key: entry.key, name: entry.name };
  $("share-title").textContent = `Share “${entry.name}”${entry.kind === "folder" ? " (folder)" : ""}`;
  for (const id of ["share-password", "share-limit", "share-url"]) $(id).value = "";
  $("share-expiry").value = "";
  $("share-error").textContent = "";
  $("share-result").hidden = true;
  $("share-copy").textContent = "Copy";
  $("share-create").hidden = false;
  $("share-create").disabled = false;
  dlg.showModal();
}

function linkRow(link, reload) {
  const name = link.bucket + "/" + link.key;
  const uses = link.limit ? `${link.uses} of ${link.limit}` : String(link.uses);
  const state = link.expired ? "expired" : "until " + formatDate(link.expires);
  const revoke = el("button", { type: "button", className: "danger", textContent: "Revoke", data: { action: "revoke" },
    on: { click: async () => {
      try {
        await call("DELETE", "/api/shares", { handle: link.handle });
        await reload();
      } catch (e) {
        onFail(e);
      }
    } } });
  const edit = el("button", { type: "button", textContent: "Edit", data: { action: "edit" },
    on: { click: () => editLink(link, reload) } });
  return el("tr", { data: { key: link.key } },
    el("td", { className: "name", textContent: name }),
    el("td", { textContent: state }),
    el("td", { className: "num", textContent: uses }),
    el("td", { textContent: link.password ? "yes" : "" }),
    el("td", { className: "actions" }, edit, revoke));
}

function buildLinksDialog() {
  const head = el("tr", {}, ...["Shared", "Expires", "Downloads", "Password", ""].map((t) => el("th", { scope: "col", textContent: t })));
  const dlg = el("dialog", { id: "links-dialog", className: "share wide" },
    el("h2", { textContent: "My links" }),
    el("table", {}, el("thead", {}, head), el("tbody", { id: "links-rows" })),
    el("p", { id: "links-empty", className: "empty", textContent: "No links." }),
    el("div", { className: "dialog-buttons" }, el("button", { id: "links-close", type: "button", textContent: "Close" })));
  document.body.append(dlg);
  $("links-close").addEventListener("click", () => dlg.close());
  return dlg;
}

// showLinks opens "My links".
export async function showLinks() {
  const dlg = $("links-dialog") || buildLinksDialog();
  const reload = async () => {
    const { links } = await call("GET", "/api/shares");
    $("links-rows").replaceChildren(...links.map((l) => linkRow(l, reload)));
    $("links-empty").hidden = links.length > 0;
  };
  try {
    await reload();
    if (!dlg.open) dlg.showModal();
  } catch (e) {
    onFail(e);
  }
}

// initShares adds the "My links" button to the toolbar; failed reports
// errors (a lost session goes back to the sign-in form).
export function initShares(failed) {
  onFail = failed;
  const b = el("button", { id: "my-links", type: "button", textContent: "My links", on: { click: showLinks } });
  document.querySelector(".toolbar").append(b);
}
