// Tells Rust that the person is active (keys, pointer, scrolling) so the idle auto-lock timer
// restarts. At most one `activity` call every 15 seconds, and only while the wallet is unlocked.

import { api } from './api.js';
import { isUnlocked } from './state.js';

const MIN_INTERVAL_MS = 15000;
let lastSent = 0;

function onActivity() {
  if (!isUnlocked()) return;
  const now = Date.now();
  if (now - lastSent < MIN_INTERVAL_MS) return;
  lastSent = now;
  // A failure is not the person's business; a "locked" answer is handled by api.js.
  api.activity().catch(() => {});
}

export function startActivityTracking() {
  // Capture phase: scroll events of inner elements do not bubble, but they do pass the document.
  for (const type of ['keydown', 'pointerdown', 'scroll', 'wheel']) {
    document.addEventListener(type, onActivity, { capture: true, passive: true });
  }
}
