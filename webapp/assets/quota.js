// The account's storage quota, of bytes and of objects: a usage line, and
// a check of the files about to be uploaded against the room left (the
// server refuses a write over the quota anyway; this only says so before
// the upload starts).

import { call } from "./api.js";
import { $, formatSize } from "./ui.js";

let current = { limit: 0, used: 0, object_limit: 0, objects: 0 };

// showUsage fetches the usage and shows it (nothing without a quota).
export async function showUsage() {
  try {
    current = await call("GET", "/api/usage");
  } catch {
    return; // the usage line is a courtesy: a failure leaves it as it was
  }
  const line = $("usage");
  const parts = [];
  if (current.limit) parts.push(`${formatSize(current.used)} of ${formatSize(current.limit)} used`);
  if (current.object_limit) parts.push(`${current.objects} of ${current.object_limit} files`);
  line.hidden = parts.length === 0;
  line.textContent = parts.join(" · ");
  line.dataset.full = String((current.limit > 0 && current.used >= current.limit) ||
    (current.object_limit > 0 && current.objects >= current.object_limit));
}

// overQuota returns a message when files do not fit in the room left,
// else "".
export async function overQuota(files) {
  await showUsage();
  const list = Array.from(files);
  if (current.limit) {
    const total = list.reduce((sum, f) => sum + f.size, 0);
    const left = current.limit - current.used;
    if (total > left) {
      return `Not enough room: ${formatSize(total)} to upload, ${formatSize(Math.max(left, 0))} left of your ${formatSize(current.limit)} quota. Delete files to make room.`;
    }
  }
  if (current.object_limit) {
    const left = current.object_limit - current.objects;
    if (list.length > left) {
      return `Too many files: ${list.length} to upload, room for ${Math.max(left, 0)} more of your ${current.object_limit}-file quota. Delete files to make room.`;
    }
  }
  return "";
}
