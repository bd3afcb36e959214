// Small DOM helpers. Text always goes in with textContent: a file name is
// never parsed as HTML.

export const $ = (id) => document.getElementById(id);

// el makes an element with properties (textContent, className, href …),
// data attributes and children.
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "data") Object.assign(node.dataset, v);
    else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else node[k] = v;
  }
  for (const c of children) node.append(c);
  return node;
}

const units = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatSize(n) {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return (i === 0 ? String(v) : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso) {
  const d = new Date(iso);
  return isNaN(d) || d.getFullYear() < 1971 ? "" : dateFormat.format(d);
}

// status shows a message under the toolbar; isError colours it.
export function status(msg, isError = false) {
  const p = $("status");
  p.textContent = msg || "";
  p.classList.toggle("error", isError);
}

// ask opens the app's dialog (no window.prompt or confirm): it resolves
// with the input's value (or "" without input) on OK, null on Cancel.
export function ask(text, { input = false, value = "", ok = "OK", danger = false } = {}) {
  const dlg = $("ask");
  const field = $("ask-input");
  $("ask-text").textContent = text;
  $("ask-ok").textContent = ok;
  $("ask-ok").classList.toggle("danger", danger);
  field.hidden = !input;
  field.required = input;
  field.value = value;
  return new Promise((resolve) => {
    const done = (result) => {
      $("ask-form").removeEventListener("submit", onSubmit);
      $("ask-cancel").removeEventListener("click", onCancel);
      dlg.removeEventListener("cancel", onCancel);
      dlg.close();
      resolve(result);
    };
    const onSubmit = (e) => {
      e.preventDefault();
      done(input ? field.value : "");
    };
    const onCancel = (e) => {
      e.preventDefault();
      done(null);
    };
    $("ask-form").addEventListener("submit", onSubmit);
    $("ask-cancel").addEventListener("click", onCancel);
    dlg.addEventListener("cancel", onCancel);
    dlg.showModal();
    if (input) {
      field.focus();
      field.select();
    }
  });
}
