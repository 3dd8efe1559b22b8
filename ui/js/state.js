// The last Status received from Rust (app_status and every command that returns a Status).
// Status = {has_wallet, unlocked, keyring, home, wallet_id, ethereum_address,
//           lock_timeout_minutes, version}. It holds no secret.

let status = null;

export function getStatus() {
  return status;
}

export function setStatus(next) {
  if (next && typeof next === 'object') status = next;
}

/** Remembers that the wallet is locked now (after a lock event or a "locked" error). */
export function markLocked() {
  if (status) status = { ...status, unlocked: false };
}

export function isUnlocked() {
  return Boolean(status && status.unlocked);
}
