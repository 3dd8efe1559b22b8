// 9. Settings: the automatic lock, and facts about this wallet.

import { api } from '../api.js';
import {
  byId, showError, clearError, flagField, clearFlags, whileBusy, toast,
} from '../dom.js';
import { getStatus, setStatus } from '../state.js';
import { KEYRING_SETTINGS } from '../text.js';

const MAX_MINUTES = 1440;

function render(status, { fillTimeout = true } = {}) {
  if (!status) return;
  byId('settings-home').textContent = status.home || '';
  byId('settings-keyring').textContent = KEYRING_SETTINGS[status.keyring] || String(status.keyring ?? '');
  byId('settings-wallet-id').textContent = status.wallet_id || 'Not known';
  byId('settings-ethereum').textContent = status.ethereum_address || 'Not known';
  byId('settings-version').textContent = status.version || '';
  if (fillTimeout) byId('settings-timeout').value = String(status.lock_timeout_minutes ?? 0);
}

async function onSave(event) {
  event.preventDefault();
  const field = byId('settings-timeout');
  const errorNode = byId('settings-error');
  clearFlags(byId('settings-form'));
  clearError(errorNode);

  const text = field.value.trim();
  const minutes = Number(text);
  if (!/^\d+$/.test(text) || minutes > MAX_MINUTES) {
    showError(errorNode, `Please type a whole number of minutes from 0 to ${MAX_MINUTES} (0 means never).`);
    flagField(field);
    return;
  }

  await whileBusy(byId('settings-save'), 'Saving…', async () => {
    try {
      const status = await api.setLockTimeout(minutes);
      setStatus(status);
      render(status);
      toast(minutes === 0 ? 'Saved: Hallmark will not lock by itself' : 'Saved');
    } catch (error) {
      showError(errorNode, error);
      flagField(field);
    }
  });
}

export const settingsScreen = {
  section: 'settings-screen',
  title: 'Settings',
  shell: true,
  nav: 'nav-settings',
  init() {
    byId('settings-form').addEventListener('submit', onSave);
  },
  enter() {
    clearFlags(byId('settings-form'));
    clearError(byId('settings-error'));
    render(getStatus());
    // Refresh (the keyring state may have changed), without overwriting a number being typed.
    return api.status().then((status) => {
      setStatus(status);
      render(status, { fillTimeout: document.activeElement !== byId('settings-timeout') });
    }).catch((error) => showError(byId('settings-error'), error));
  },
};
