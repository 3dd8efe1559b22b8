// 5. Restore a wallet from a recovery phrase.

import { api } from '../api.js';
import {
  byId, checkNewPassphrase, showError, clearError, flagField, clearFlags, whileBusy, toast, resetShowPassphrase,
} from '../dom.js';
import { go } from '../router.js';
import { setStatus } from '../state.js';

function clearForm() {
  const form = byId('restore-form');
  byId('restore-phrase').value = '';
  byId('restore-passphrase').value = '';
  byId('restore-passphrase-confirm').value = '';
  clearFlags(form);
  resetShowPassphrase(form);
  clearError(byId('restore-error'));
}

async function onSubmit(event) {
  event.preventDefault();
  const phraseField = byId('restore-phrase');
  const first = byId('restore-passphrase');
  const second = byId('restore-passphrase-confirm');
  const errorNode = byId('restore-error');
  clearFlags(byId('restore-form'));
  clearError(errorNode);

  // Words separated by any spaces or line breaks, as typed or pasted.
  const phrase = phraseField.value.trim().split(/\s+/).filter(Boolean).join(' ').toLowerCase();
  if (phrase === '') {
    showError(errorNode, 'Please type your recovery phrase.');
    flagField(phraseField);
    return;
  }
  if (!checkNewPassphrase(first, second, errorNode)) return;

  await whileBusy(byId('restore-submit'), 'Restoring…', async () => {
    try {
      const status = await api.restore(phrase, first.value);
      setStatus(status);
      clearForm();
      toast('Your wallet is restored');
      go('identities');
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'invalid_phrase') flagField(phraseField);
      else if (error.code === 'weak_passphrase') flagField(first);
    }
  });
}

export const restoreScreen = {
  section: 'restore-screen',
  title: 'Restore your wallet',
  init() {
    byId('restore-form').addEventListener('submit', onSubmit);
    byId('restore-back').addEventListener('click', () => go('welcome'));
  },
  enter() {
    clearForm();
  },
  leave() {
    clearForm();
  },
};
