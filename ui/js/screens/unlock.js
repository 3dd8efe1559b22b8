// 6. Unlock: the passphrase, and the choice to keep the wallet unlocked on this computer
// (the wallet key then stays in the OS keyring).

import { api } from '../api.js';
import {
  byId, showError, clearError, flagField, clearFlags, whileBusy, plural, resetShowPassphrase,
} from '../dom.js';
import { go } from '../router.js';
import { getStatus, setStatus } from '../state.js';
import { KEYRING_UNLOCK_NOTE } from '../text.js';

/** The sentence above the form saying why the wallet is locked. */
function reasonText(reason) {
  if (reason === 'idle') {
    const minutes = getStatus() && getStatus().lock_timeout_minutes;
    return minutes > 0
      ? `Locked after ${plural(minutes, 'minute', 'minutes')} without activity.`
      : 'Locked after a while without activity.';
  }
  if (reason === 'manual') return 'Your wallet is locked.';
  if (reason === 'locked') return 'Your wallet was locked. Type your passphrase to continue.';
  return '';
}

/** Shows (or hides) why the wallet is locked; also used while the unlock screen is open. */
export function setUnlockReason(reason) {
  const node = byId('unlock-reason');
  const text = reasonText(reason);
  node.textContent = text;
  node.hidden = text === '';
}

/** Offers "keep unlocked" only when the OS keyring can be used. */
function applyKeyring(keyring) {
  const usable = keyring !== 'disabled' && keyring !== 'unavailable';
  const checkbox = byId('unlock-remember');
  const note = byId('unlock-keyring-note');
  byId('unlock-remember-field').hidden = !usable;
  checkbox.disabled = !usable;
  note.textContent = usable ? '' : KEYRING_UNLOCK_NOTE[keyring];
  note.hidden = usable;
}

async function onSubmit(event) {
  event.preventDefault();
  const field = byId('unlock-passphrase');
  const checkbox = byId('unlock-remember');
  const errorNode = byId('unlock-error');
  clearFlags(byId('unlock-form'));
  clearError(errorNode);

  if (field.value === '') {
    showError(errorNode, 'Please type your passphrase.');
    flagField(field);
    return;
  }
  const remember = !checkbox.disabled && checkbox.checked;

  await whileBusy(byId('unlock-submit'), 'Unlocking…', async () => {
    try {
      const status = await api.unlock(field.value, remember);
      setStatus(status);
      field.value = '';
      go('identities');
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'wrong_passphrase') {
        flagField(field);
        field.select();
      }
    }
  });
}

export const unlockScreen = {
  section: 'unlock-screen',
  title: 'Unlock',
  init() {
    byId('unlock-form').addEventListener('submit', onSubmit);
  },
  enter({ reason } = {}) {
    const form = byId('unlock-form');
    byId('unlock-passphrase').value = '';
    byId('unlock-remember').checked = true;
    clearFlags(form);
    resetShowPassphrase(form);
    clearError(byId('unlock-error'));
    setUnlockReason(reason);
    const status = getStatus();
    applyKeyring(status ? status.keyring : 'locked');
    // Refresh the keyring state, which may have changed since the last status.
    api.status().then((fresh) => {
      setStatus(fresh);
      applyKeyring(fresh.keyring);
    }).catch(() => {});
  },
  leave() {
    const form = byId('unlock-form');
    byId('unlock-passphrase').value = '';
    clearFlags(form);
    resetShowPassphrase(form);
    setUnlockReason(null);
  },
};
