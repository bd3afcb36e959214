// The account page: password, two-factor sign-in, app passwords and S3
// keys. Secrets the server shows once (recovery codes, app passwords, S3
// secrets) go into the page as text and are never stored.

import { call, setCSRF } from "./api.js";
import { $, ask, el, formatDate } from "./ui.js";

let onLost = () => {};

function say(msg, isError = false) {
  const p = $("account-status");
  p.textContent = msg;
  p.classList.toggle("error", isError);
}

async function run(action) {
  say("");
  try {
    await action();
  } catch (e) {
    if (e.status === 401) onLost("Your session ended: sign in again.");
    else say(e.message || String(e), true);
  }
}

function renderTwoFactor(st) {
  $("tfa-state").textContent = st.two_factor
    ? `On. ${st.recovery_codes_left} recovery codes left.`
    : "Off: the password alone signs in.";
  $("tfa-begin").hidden = st.two_factor;
  $("tfa-off").hidden = !st.two_factor;
  $("tfa-setup").hidden = true;
  $("tfa-qr-box").replaceChildren();
}

function renderApps(list) {
  $("app-list").replaceChildren(...list.map((p) =>
    el("li", {}, el("span", { textContent: p.name }), el("span", { textContent: formatDate(p.created) }),
      el("button", { type: "button", textContent: "Revoke", on: { click: () => run(async () => {
        await call("DELETE", "/api/account/app-passwords", { id: p.id });
        await refresh();
      }) } }))));
}

function renderKeys(list) {
  $("key-list").replaceChildren(...list.map((k) =>
    el("li", {}, el("span", { textContent: k.access_key_id }), el("span", { textContent: formatDate(k.created) }),
      el("button", { type: "button", textContent: "Revoke", disabled: list.length < 2, on: { click: () => run(async () => {
        await call("DELETE", "/api/account/s3-keys", { id: k.access_key_id });
        await refresh();
      }) } }))));
}

async function refresh() {
  const st = await call("GET", "/api/account");
  renderTwoFactor(st);
  renderApps(st.app_passwords || []);
  renderKeys(st.s3_keys || []);
}

let pendingSecret = "";

function wire() {
  $("pw-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      const sess = await call("POST", "/api/account/password", null, { current: $("pw-current").value, new: $("pw-new").value });
      setCSRF(sess.csrf);
      $("pw-current").value = "";
      $("pw-new").value = "";
      say("Password changed. Other sessions are signed out.");
    });
  });
  $("tfa-begin").addEventListener("click", () => run(async () => {
    const b = await call("POST", "/api/account/2fa/begin");
    pendingSecret = b.secret;
    $("tfa-qr-box").replaceChildren(el("img", { id: "tfa-qr", src: b.qr, alt: "QR code of the two-factor key", width: 256, height: 256 }));
    $("tfa-secret").textContent = b.secret;
    $("tfa-setup").hidden = false;
    $("tfa-code").focus();
  }));
  $("tfa-confirm").addEventListener("click", () => run(async () => {
    const r = await call("POST", "/api/account/2fa/confirm", null, { secret: pendingSecret, code: $("tfa-code").value.trim() });
    setCSRF(r.session.csrf); // the other sessions ended; this one has a new token
    pendingSecret = "";
    $("tfa-code").value = "";
    $("tfa-qr-box").replaceChildren();
    $("tfa-code-list").replaceChildren(...r.recovery_codes.map((c) => el("li", { textContent: c })));
    $("tfa-codes").hidden = false;
    if (!r.others_ended) say("Two-factor sign-in is on, but other sessions could not be signed out: use Sign out everywhere below.", true);
    await refresh();
  }));
  $("tfa-new-codes").addEventListener("click", () => run(async () => {
    const r = await call("POST", "/api/account/2fa/recovery-codes", null, { code: $("tfa-off-code").value.trim() });
    $("tfa-off-code").value = "";
    $("tfa-code-list").replaceChildren(...r.recovery_codes.map((c) => el("li", { textContent: c })));
    $("tfa-codes").hidden = false;
    say("New recovery codes: the old ones no longer work.");
    await refresh();
  }));
  $("tfa-disable").addEventListener("click", () => run(async () => {
    await call("POST", "/api/account/2fa/disable", null, { code: $("tfa-off-code").value.trim() });
    $("tfa-off-code").value = "";
    $("tfa-codes").hidden = true;
    await refresh();
  }));
  $("app-add").addEventListener("click", () => run(async () => {
    const p = await call("POST", "/api/account/app-passwords", null, { name: $("app-name").value.trim() });
    $("app-name").value = "";
    $("app-new").textContent = `App password "${p.name}" (shown once): ${p.password}`;
    $("app-new").hidden = false;
    await refresh();
  }));
  $("key-add").addEventListener("click", () => run(async () => {
    const k = await call("POST", "/api/account/s3-keys");
    $("key-new").textContent = `Access key ${k.access_key_id}, secret (shown once): ${k.secret_access_key}`;
    $("key-new").hidden = false;
    await refresh();
  }));
}

function wireSessions() {
  $("sessions-end").addEventListener("click", () => run(async () => {
    await call("POST", "/api/logout?everywhere=1");
    onLost("You are signed out on every device.");
  }));
}

function wireDelete() {
  $("del-form").addEventListener("submit", (e) => {
    e.preventDefault();
    run(async () => {
      if ((await ask("Delete this account and make all its files unreadable, for good?", { ok: "Delete", danger: true })) === null) return;
      await call("POST", "/api/account/delete", null, { password: $("del-password").value, code: $("del-code").value.trim() });
      $("del-password").value = "";
      onLost("The account is deleted.");
    });
  });
}

// initAccount wires the page once; lost is called when the session ended.
export function initAccount(lost) {
  onLost = lost;
  wire();
  wireSessions();
  wireDelete();
}

// showAccount opens the page with fresh settings, secrets shown earlier
// cleared.
export function showAccount() {
  for (const id of ["tfa-codes", "app-new", "key-new", "tfa-setup"]) $(id).hidden = true;
  $("tfa-code-list").replaceChildren();
  $("app-new").textContent = "";
  $("key-new").textContent = "";
  $("account-view").hidden = false;
  run(refresh);
}

// hideAccount closes it.
export function hideAccount() {
  $("account-view").hidden = true;
}
