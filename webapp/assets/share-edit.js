// Editing a share link from "My links": a new expiry, a new password or
// none, a new download limit or none. The link's address stays the same,
// and so does its download count. Built with el(): every name is
// inserted as text.

import { call } from "./api.js";
import { $, el } from "./ui.js";

const expiries = [
  ["", "Keep the expiry"],
  [3600, "1 hour from now"],
  [86400, "1 day from now"],
  [7 * 86400, "7 days from now"],
  [30 * 86400, "30 days from now"],
  [90 * 86400, "90 days from now"],
];

const passwordChoices = [
  ["keep", "Keep the password"],
  ["set", "Set a new password"],
  ["remove", "Remove the password"],
];

function field(label, input) {
  return el("label", { className: "share-field" }, el("span", { textContent: label }), input);
}

let editing = null; // { link, done } of the open dialog

function buildEditDialog() {
  const options = (list) => list.map(([v, t]) => el("option", { value: String(v), textContent: t }));
  const dlg = el("dialog", { id: "edit-link-dialog", className: "share" },
    el("form", { id: "edit-link-form", method: "dialog" },
      el("h2", { id: "edit-link-title" }),
      field("Expiry", el("select", { id: "edit-link-expiry" }, ...options(expiries))),
      field("Password", el("select", { id: "edit-link-password-mode" }, ...options(passwordChoices))),
      field("New password", el("input", { id: "edit-link-password", type: "password", autocomplete: "new-password", disabled: true })),
      field("Download limit (empty: none)", el("input", { id: "edit-link-limit", type: "number", min: "0", step: "1", placeholder: "no limit" })),
      el("p", { id: "edit-link-error", className: "error", role: "alert" }),
      el("div", { className: "dialog-buttons" },
        el("button", { id: "edit-link-cancel", type: "button", textContent: "Cancel" }),
        el("button", { id: "edit-link-save", type: "submit", textContent: "Save" }))));
  document.body.append(dlg);
  $("edit-link-cancel").addEventListener("click", () => dlg.close());
  $("edit-link-password-mode").addEventListener("change", () => {
    $("edit-link-password").disabled = $("edit-link-password-mode").value !== "set";
  });
  $("edit-link-form").addEventListener("submit", save);
  return dlg;
}

// body is the PATCH request of the dialog's fields: only what changes.
function body() {
  const out = {};
  const exp = $("edit-link-expiry").value;
  if (exp) out.expires_in = Number(exp);
  const mode = $("edit-link-password-mode").value;
  if (mode === "set") out.password = $("edit-link-password").value;
  if (mode === "remove") out.password = "";
  const limit = Number($("edit-link-limit").value || 0);
  if (limit !== (editing.link.limit || 0)) out.limit = limit;
  return out;
}

async function save(e) {
  e.preventDefault();
  const change = body();
  if (change.password === "" && $("edit-link-password-mode").value === "set") {
    $("edit-link-error").textContent = "Type the new password, or keep the old one.";
    return;
  }
  $("edit-link-error").textContent = "";
  $("edit-link-save").disabled = true;
  try {
    await call("PATCH", "/api/shares", { handle: editing.link.handle }, change);
    $("edit-link-password").value = "";
    $("edit-link-dialog").close();
    await editing.done();
  } catch (err) {
    $("edit-link-error").textContent = err.message;
  } finally {
    $("edit-link-save").disabled = false;
  }
}

// editLink opens the dialog for link (an entry of GET /api/shares); done
// runs after a change is saved.
export function editLink(link, done) {
  const dlg = $("edit-link-dialog") || buildEditDialog();
  editing = { link, done };
  $("edit-link-title").textContent = `Edit the link to “${link.bucket}/${link.key}”`;
  $("edit-link-expiry").value = "";
  $("edit-link-password-mode").value = "keep";
  $("edit-link-password").value = "";
  $("edit-link-password").disabled = true;
  $("edit-link-limit").value = link.limit ? String(link.limit) : "";
  $("edit-link-error").textContent = "";
  dlg.showModal();
}
