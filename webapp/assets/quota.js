// The account's storage quota: a usage line, and a check of the files
// about to be uploaded against the room left (the server refuses a write
// over the quota anyway; this only says so before the upload starts).

import { call } from "./api.js";
import { $, formatSize } from "./ui.js";

let current = { limit: 0, used: 0 };

// showUsage fetches the usage and shows it (nothing without a quota).
export async function showUsage() {
  try {
    current = await call("GET", "/api/usage");
  } catch {
    return; // the usage line is a courtesy: a failure leaves it as it was
  }
  const line = $("usage");
  line.hidden = !current.limit;
  if (current.limit) {
    line.textContent = `${formatSize(current.used)} of ${formatSize(current.limit)} used`;
    line.dataset.full = String(current.used >= current.limit);
  }
}

// overQuota returns a message when files do not fit in the room left,
// else "".
export async function overQuota(files) {
  await showUsage();
  if (!current.limit) return "";
  const total = Array.from(files).reduce((sum, f) => sum + f.size, 0);
  const left = current.limit - current.used;
  if (total <= left) return "";
  return `Not enough room: ${formatSize(total)} to upload, ${formatSize(Math.max(left, 0))} left of your ${formatSize(current.limit)} quota. Delete files to make room.`;
}
