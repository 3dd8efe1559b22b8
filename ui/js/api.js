// The only module that talks to the Rust side (Tauri's global `window.__TAURI__`).
//
// Every command rejects with an ApiError {code, message}; `message` is plain English from Rust
// and is meant to be shown to the person as it is. The code "locked" means the wallet locked
// itself (for example after the idle timeout): the registered handler then shows the unlock screen.

const FALLBACK_MESSAGE = 'Something went wrong. Please try again.';
const NO_BACKEND_MESSAGE = 'Hallmark could not reach its core. Please close Hallmark and open it again.';

export class ApiError extends Error {
  /** @param {string} code stable snake_case code from Rust @param {string} message plain English */
  constructor(code, message) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

let lockedHandler = null;

/** Registers the function called whenever a command fails with the code "locked". */
export function onLocked(handler) {
  lockedHandler = handler;
}

function tauri() {
  const global = window.__TAURI__;
  if (!global || !global.core || typeof global.core.invoke !== 'function') {
    throw new ApiError('no_backend', NO_BACKEND_MESSAGE);
  }
  return global;
}

/** Turns whatever a failed invoke gave us into an ApiError with a readable message. */
function toApiError(raw) {
  if (raw instanceof ApiError) return raw;
  if (raw instanceof Error) {
    // A JavaScript failure (not an answer from Rust): its text is not meant for people.
    console.error(raw);
    return new ApiError('error', FALLBACK_MESSAGE);
  }
  if (raw && typeof raw === 'object' && typeof raw.message === 'string' && raw.message !== '') {
    return new ApiError(typeof raw.code === 'string' ? raw.code : 'error', raw.message);
  }
  if (typeof raw === 'string' && raw !== '') return new ApiError('error', raw);
  return new ApiError('error', FALLBACK_MESSAGE);
}

/** Calls a Rust command. Resolves with its result or rejects with an ApiError. */
export async function call(command, args = {}) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (raw) {
    const error = toApiError(raw);
    if (error.code === 'locked' && lockedHandler) lockedHandler();
    throw error;
  }
}

/** Listens to a Rust event; resolves with the function that stops listening. */
export async function listen(eventName, handler) {
  const global = tauri();
  if (!global.event || typeof global.event.listen !== 'function') {
    throw new ApiError('no_backend', NO_BACKEND_MESSAGE);
  }
  return global.event.listen(eventName, handler);
}

// One function per Rust command, so the command names and argument keys live in one place.
export const api = {
  status: () => call('app_status'),

  beginCreate: () => call('wallet_begin_create'),
  finishCreate: (answers, passphrase) => call('wallet_finish_create', { answers, passphrase }),
  cancelCreate: () => call('wallet_cancel_create'),
  restore: (phrase, passphrase) => call('wallet_restore', { phrase, passphrase }),

  unlock: (passphrase, remember) => call('wallet_unlock', { passphrase, remember }),
  lock: () => call('wallet_lock'),

  listIdentities: () => call('identities_list'),
  createIdentity: (method, label, domain) => call('identity_create', { method, label, domain }),
  identityDocument: (did) => call('identity_document', { did }),
  identityQr: (did) => call('identity_qr', { did }),
  identityWebInfo: (did) => call('identity_web_info', { did }),

  listCredentials: () => call('credentials_list'),
  showCredential: (id) => call('credential_show', { id }),
  importCredential: (text, lists) => call('credential_import', { text, lists }),
  recheckCredential: (id) => call('credential_recheck', { id }),
  // → {credentials: [CredentialSummary], valid, not_valid, not_checked, no_longer_valid: [id]}
  recheckAllCredentials: () => call('credentials_recheck_all'),
  deleteCredential: (id) => call('credential_delete', { id }),
  // request = {kind, issuer, subject, method, note, community_id, community_name, role, expires, format}
  issueCredential: (request) => call('credential_issue', { request }),
  revokeCredential: (id, reason) => call('credential_revoke', { id, reason }),
  credentialStatusList: (id) => call('credential_status_list', { id }),
  presentCredential: (id, holder, challenge, domain, format) =>
    call('credential_present', { id, holder, challenge, domain, format }),

  copy: (text) => call('clipboard_copy', { text }),
  setLockTimeout: (minutes) => call('settings_set_lock_timeout', { minutes }),
  activity: () => call('activity'),
  uiReady: (screen) => call('ui_ready', { screen }),
};
