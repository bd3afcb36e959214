// Previews: raster images through <img> from the door's preview endpoint,
// text fetched (its first MiB) and inserted with textContent, PDF pages
// drawn on a canvas by pdf.js (pdf.min.mjs, vendored; see webapp/pdfjs.go),
// loaded only when a PDF is previewed. Nothing of a file ever runs as the
// app: HTML, SVG and scripts are shown as text, and pdf.js is given the
// PDF's bytes with its scripting, XFA forms and annotation layer off, so a
// PDF's JavaScript never runs and its links are not made into elements.

import { downloadURL, previewURL } from "./api.js";
import { $, el } from "./ui.js";

const imageName = /\.(png|jpe?g|gif|webp)$/i;
const pdfName = /\.pdf$/i;

// maxPDF is the largest PDF the door serves for a preview (maxPreviewPDF).
const maxPDF = 64 << 20;

// kindOf tells how a file is previewed: "image", "pdf", or "text" (tried;
// the door refuses a file that is not text).
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
  closePDF();
  note("");
}

// fetchPreview fetches a file's preview as kind ("text" or "pdf"); on a
// refusal it shows why (unsupported: the note for 415) and returns null.
async function fetchPreview(bucket, entry, kind, unsupported) {
  note("Loading…");
  const resp = await fetch(previewURL(bucket, entry.key, kind), { credentials: "same-origin", cache: "no-store" });
  if (resp.ok) return resp;
  const data = await resp.json().catch(() => ({}));
  note(resp.status === 415 ? unsupported : data.error || resp.statusText);
  return null;
}

async function showText(bucket, entry) {
  const resp = await fetchPreview(bucket, entry, "text", "No preview: this file is not text. Download it to open it.");
  if (!resp) return;
  const text = new TextDecoder("utf-8").decode(await resp.arrayBuffer());
  $("preview-text").textContent = text;
  $("preview-text").hidden = false;
  note(resp.headers.get("X-Preview-Truncated") === "1" ? "Showing the first MiB of the file." : "");
}

// pdf is the PDF being shown: its pdf.js document, the page shown, and
// the render in progress; null when none.
let pdf = null;

// loadPDFJS loads pdf.js once.
let pdfjs = null;
async function loadPDFJS() {
  if (!pdfjs) {
    pdfjs = await import("./pdf.min.mjs");
    pdfjs.GlobalWorkerOptions.workerSrc = new URL("./pdf.worker.min.mjs", import.meta.url).href;
  }
  return pdfjs;
}

async function showPDF(bucket, entry) {
  if (entry.size > maxPDF) {
    note("This PDF is too large to preview here: download it to open it.");
    return;
  }
  const resp = await fetchPreview(bucket, entry, "pdf", "No preview of this PDF: download it to open it.");
  if (!resp) return;
  const data = new Uint8Array(await resp.arrayBuffer());
  const lib = await loadPDFJS();
  const task = lib.getDocument({ data, enableXfa: false }); // no scripting: pdf.sandbox.mjs is not vendored
  const shown = { task, doc: null, page: 1, render: null };
  pdf = shown;
  try {
    shown.doc = await task.promise;
  } catch (e) {
    if (pdf === shown) note("This PDF could not be read: " + (e.message || e));
    return;
  }
  if (pdf !== shown) return; // the dialog moved on meanwhile
  $("preview-pdf").hidden = false;
  note("");
  await drawPage(shown);
}

// drawPage draws the page shown of s on the canvas, fitted to the dialog.
async function drawPage(s) {
  const page = await s.doc.getPage(s.page);
  if (pdf !== s) return;
  const canvas = $("pdf-canvas");
  const width = Math.max(200, $("preview").clientWidth - 48);
  const base = page.getViewport({ scale: 1 });
  const ratio = window.devicePixelRatio || 1;
  const viewport = page.getViewport({ scale: (width / base.width) * ratio });
  canvas.width = Math.floor(viewport.width);
  canvas.height = Math.floor(viewport.height);
  canvas.style.width = Math.floor(viewport.width / ratio) + "px";
  s.render?.cancel();
  s.render = page.render({ canvas, viewport, annotationMode: pdfjs.AnnotationMode.ENABLE });
  $("pdf-page").textContent = `Page ${s.page} of ${s.doc.numPages}`;
  $("pdf-prev").disabled = s.page <= 1;
  $("pdf-next").disabled = s.page >= s.doc.numPages;
  try {
    await s.render.promise;
    canvas.dataset.page = String(s.page); // drawn (the browser test waits for it)
  } catch (e) {
    if (e?.name !== "RenderingCancelledException" && pdf === s) note("This page could not be drawn: " + (e.message || e));
  }
}

function turnPage(step) {
  const s = pdf;
  if (!s?.doc) return;
  const next = s.page + step;
  if (next < 1 || next > s.doc.numPages) return;
  s.page = next;
  delete $("pdf-canvas").dataset.page;
  drawPage(s);
}

// closePDF forgets the PDF shown, if any, and clears the canvas.
function closePDF() {
  if (pdf) {
    pdf.render?.cancel();
    pdf.task.destroy();
    pdf = null;
  }
  $("preview-pdf").hidden = true;
  const canvas = $("pdf-canvas");
  canvas.width = canvas.height = 0;
  delete canvas.dataset.page;
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
    else if (kind === "pdf") await showPDF(bucket, entry);
    else await showText(bucket, entry);
  } catch (e) {
    note(e.message || String(e));
  }
}

// wirePreview closes the dialog with its button and pages through a PDF.
export function wirePreview() {
  $("preview-close").addEventListener("click", () => $("preview").close());
  $("pdf-prev").addEventListener("click", () => turnPage(-1));
  $("pdf-next").addEventListener("click", () => turnPage(1));
  // The close event comes a task later: the dialog may be open again.
  $("preview").addEventListener("close", () => $("preview").open || reset({ name: "", key: "" }, ""));
}
