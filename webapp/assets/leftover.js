// Unfinished uploads left behind. An upload in parts that a reload, a
// closed tab or a failure interrupted stays on the server (its parts
// stored, nothing visible) until the same file is picked again (it then
// resumes), it is aborted, or a lifecycle rule removes it. Opening a
// bucket lists the ones this browser remembers (resume.js's records) and
// the server still has, each with a Discard button: the upload is
// aborted on the server (its parts deleted) and forgotten here. Built
// with el(): every name is inserted as text.

import { call } from "./api.js";
import { $, el, formatDate, formatSize, status } from "./ui.js";
import { discard, leftovers } from "./resume.js";

let shown = 0; // the latest showLeftovers call: an older one's answer is dropped

// showLeftovers lists bucket's unfinished uploads ("" empties the list).
export async function showLeftovers(bucket) {
  const gen = ++shown;
  const rows = [];
  for (const up of bucket ? leftovers(bucket) : []) {
    if (await stillThere(bucket, up)) rows.push(leftoverRow(bucket, up));
  }
  if (gen !== shown) return;
  $("leftovers").replaceChildren(...rows);
  $("leftovers").hidden = rows.length === 0;
}

// stillThere asks the server whether up is still unfinished. The record
// of one that is gone (completed or aborted elsewhere) is dropped; on an
// error the record stays, and is checked again at the next listing.
async function stillThere(bucket, up) {
  try {
    const res = await call("GET", "/api/multipart", { bucket, key: up.key });
    if (res.uploads.some((u) => u.upload === up.upload)) return true;
    localStorage.removeItem(up.rk);
  } catch {
    // unknown for now
  }
  return false;
}

function leftoverRow(bucket, up) {
  const button = el("button", { type: "button", className: "discard", textContent: "Discard",
    title: "Delete the parts sent and forget this upload" });
  const when = up.started ? ", started " + formatDate(up.started) : "";
  const li = el("li", { className: "leftover", data: { key: up.key } },
    el("span", { className: "name", textContent: up.key, title: up.key }),
    el("span", { className: "state", textContent: `unfinished (${formatSize(up.size)}${when}): pick the file again to resume` }),
    button);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      // one picked again meanwhile is being sent: it is not discarded
      if (leftovers(bucket).some((u) => u.rk === up.rk && u.upload === up.upload)) await discard(bucket, up.key, up.upload, up.rk);
      li.remove();
      $("leftovers").hidden = $("leftovers").children.length === 0;
    } catch (e) {
      button.disabled = false;
      status(e.message || String(e), true);
    }
  });
  return li;
}
