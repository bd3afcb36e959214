// Previews: raster images through <img> from the door's preview endpoint,
// text fetched (its first MiB) and inserted with textContent. Nothing of a
// file ever runs as the app: HTML, SVG and scripts are shown as text, and
// PDF files are not previewed (Chromium's PDF viewer does not run in the
// sandboxed document the door serves user content as); they are
// downloaded instead.

import { downloadURL, previewURL } from "./api.js";
import { $, el } from "./ui.js";

const imageName = /\.(png|jpe?g|gif|webp)$/i;
const pdfName = /\.pdf$/i;

// kindOf tells how a file is previewed: "image", "pdf" (not previewed)
// or "text" (tried; the door refuses a file that is not text).
export function kindOf(name) {
  if (imageName.test(name)) return "image";
  if (pdfName.test(name)) return "pdf";
  return "text";
}

function note(text) {
  $("preview-note").textContent = text;
  $("preview-note").hidden = !text;
}

function reset(entry, bucket) {
  $("preview-name").textContent = entry.name;
  const dl = $("preview-download");
  dl.href = downloadURL(bucket, entry.key);
  dl.download = entry.name;
  $("preview-img")?.remove(); // made per preview: the page has no <img> of its own
  $("preview-text").hidden = true;
  $("preview-text").textContent = "";
  note("");
}

async function showText(bucket, entry) {
  note("Loading…");
  const resp = await fetch(previewURL(bucket, entry.key, "text"), { credentials: "same-origin", cache: "no-store" });
  if (!resp.ok) {
    const data = await resp.json().catch(() => ({}));
    note(resp.status === 415 ? "No preview: this file is not text. Download it to open it." : data.error || resp.statusText);
    return;
  }
  const text = new TextDecoder("utf-8").decode(await resp.arrayBuffer());
  $("preview-text").textContent = text;
  $("preview-text").hidden = false;
  note(resp.headers.get("X-Preview-Truncated") === "1" ? "Showing the first MiB of the file." : "");
}

function showImage(bucket, entry) {
  const img = el("img", { id: "preview-img", alt: entry.name });
  img.addEventListener("error", () => note("The image could not be shown."));
  img.src = previewURL(bucket, entry.key, "image");
  $("preview-text").before(img);
}

// openPreview shows a file of bucket in the preview dialog.
export async function openPreview(bucket, entry) {
  reset(entry, bucket);
  const dlg = $("preview");
  if (!dlg.open) dlg.showModal();
  const kind = kindOf(entry.name);
  try {
    if (kind === "image") showImage(bucket, entry);
    else if (kind === "pdf") note("PDF files are not previewed here (the browser's PDF viewer does not run in the sandbox the app keeps files in): download it to open it.");
    else await showText(bucket, entry);
  } catch (e) {
    note(e.message || String(e));
  }
}

// wirePreview closes the dialog with its button.
export function wirePreview() {
  $("preview-close").addEventListener("click", () => $("preview").close());
  // The close event comes a task later: the dialog may be open again.
  $("preview").addEventListener("close", () => $("preview").open || reset({ name: "", key: "" }, ""));
}
