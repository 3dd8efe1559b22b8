// 2–4. Creating a wallet: choose a passphrase, write down the 24 words, type three of them back.
//
// Secrets in this module:
//   pending     {words, quiz} from wallet_begin_create, kept only until the wallet exists or
//               creation is cancelled ("Show the words again" needs them meanwhile).
//   passphrase  chosen on step 1, kept for wallet_finish_create.
// The words are put in the page only while the phrase screen is shown; leaving it empties the
// list. forget() drops every reference once creation ends either way.

import { api } from '../api.js';
import {
  byId, checkNewPassphrase, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast, resetShowPassphrase,
} from '../dom.js';
import { go } from '../router.js';
import { setStatus } from '../state.js';

let pending = null;
let passphrase = null;

function forget() {
  pending = null;
  passphrase = null;
  clear(byId('phrase-words'));
  clear(byId('quiz-fields'));
}

/** Drops the words here and tells Rust to drop its copy (nothing is created). */
async function cancelCreation() {
  const hadPhrase = pending !== null;
  forget();
  if (!hadPhrase) return;
  try {
    await api.cancelCreate();
  } catch (error) {
    console.warn('wallet_cancel_create failed', error && error.code);
  }
}

/** Checks the shape of wallet_begin_create's answer and copies it. */
function checkedPhrase(result) {
  const words = result && result.words;
  const quiz = result && result.quiz;
  const wordsOk = Array.isArray(words) && words.length > 0 && words.every((w) => typeof w === 'string' && w !== '');
  const quizOk = Array.isArray(quiz) && quiz.length > 0
    && quiz.every((p) => Number.isInteger(p) && p >= 1 && Array.isArray(words) && p <= words.length);
  if (!wordsOk || !quizOk) throw new Error('Hallmark could not prepare a recovery phrase. Please try again.');
  return { words: [...words], quiz: [...quiz] };
}

// ---------------------------------------------------------------------------------------------
// Step 1: passphrase

function clearPassphraseForm() {
  const form = byId('create-form');
  byId('create-passphrase').value = '';
  byId('create-passphrase-confirm').value = '';
  clearFlags(form);
  resetShowPassphrase(form);
}

async function onContinue(event) {
  event.preventDefault();
  const first = byId('create-passphrase');
  const second = byId('create-passphrase-confirm');
  const errorNode = byId('create-error');
  clearFlags(byId('create-form'));
  clearError(errorNode);

  if (!checkNewPassphrase(first, second, errorNode)) return;

  await whileBusy(byId('create-continue'), 'Preparing…', async () => {
    try {
      // A phrase may already be pending when Rust refused the passphrase at the last step:
      // then the same words stay valid and only the passphrase changes.
      const reuse = pending !== null;
      if (!reuse) pending = checkedPhrase(await api.beginCreate());
      passphrase = first.value;
      go(reuse ? 'quiz' : 'phrase');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

export const createScreen = {
  section: 'create-screen',
  title: 'Choose a passphrase',
  init() {
    byId('create-form').addEventListener('submit', onContinue);
    byId('create-back').addEventListener('click', async () => {
      await cancelCreation();
      go('welcome');
    });
  },
  enter({ error } = {}) {
    clearPassphraseForm();
    const errorNode = byId('create-error');
    if (error) {
      showError(errorNode, error);
      byId('create-passphrase').setAttribute('aria-invalid', 'true');
    } else {
      clearError(errorNode);
    }
  },
  leave() {
    clearPassphraseForm();
  },
};

// ---------------------------------------------------------------------------------------------
// Step 2: the words

export const phraseScreen = {
  section: 'phrase-screen',
  title: 'Your recovery phrase',
  init() {
    byId('phrase-written').addEventListener('click', () => go('quiz'));
    byId('phrase-cancel').addEventListener('click', async () => {
      await cancelCreation();
      go('welcome');
    });
  },
  enter() {
    if (!pending) {
      go('welcome');
      return;
    }
    clearError(byId('phrase-error'));
    const list = byId('phrase-words');
    clear(list);
    // Each <li> holds exactly one word as its text; the <ol> numbers them.
    for (const word of pending.words) list.appendChild(el('li', { text: word }));
  },
  leave() {
    clear(byId('phrase-words'));
  },
};

// ---------------------------------------------------------------------------------------------
// Step 3: type three words back

function buildQuizFields() {
  const container = byId('quiz-fields');
  clear(container);
  pending.quiz.forEach((position, index) => {
    const id = `quiz-word-${position}`;
    container.appendChild(el('div', { class: 'field' },
      el('label', { for: id, text: `Word #${position}` }),
      el('input', {
        type: 'text',
        id,
        class: 'quiz-input',
        'data-position': position,
        'data-autofocus': index === 0,
        autocomplete: 'off',
        spellcheck: 'false',
        autocapitalize: 'off',
        autocorrect: 'off',
        translate: 'no',
        required: true,
        'aria-describedby': 'quiz-error',
      })));
  });
}

async function onConfirm(event) {
  event.preventDefault();
  if (!pending || passphrase === null) {
    go('welcome');
    return;
  }
  const form = byId('quiz-form');
  const errorNode = byId('quiz-error');
  clearFlags(form);
  clearError(errorNode);

  const inputs = [...form.querySelectorAll('.quiz-input')];
  const answers = [];
  for (const input of inputs) {
    const position = Number(input.dataset.position);
    const word = input.value.trim().toLowerCase();
    if (word === '') {
      showError(errorNode, `Please type word #${position}.`);
      flagField(input);
      return;
    }
    answers.push({ position, word });
  }

  await whileBusy(byId('quiz-confirm'), 'Creating your wallet…', async () => {
    try {
      const status = await api.finishCreate(answers, passphrase);
      setStatus(status);
      forget();
      toast('Your wallet is ready');
      go('identities');
    } catch (error) {
      if (error.code === 'weak_passphrase') {
        // Rust wants a stronger passphrase: choose another one; the words stay the same.
        passphrase = null;
        go('create', { error });
        return;
      }
      showError(errorNode, error);
      if (error.code === 'quiz_mismatch') {
        // The message names the wrong word's number: point at that field when we find it.
        const numbers = String(error.message).match(/\d+/g) || [];
        const wrong = inputs.find((input) => numbers.includes(input.dataset.position));
        if (wrong) flagField(wrong);
      }
    }
  });
}

export const quizScreen = {
  section: 'quiz-screen',
  title: 'Check your paper',
  init() {
    byId('quiz-form').addEventListener('submit', onConfirm);
    byId('quiz-back').addEventListener('click', () => go('phrase'));
  },
  enter() {
    if (!pending) {
      go('welcome');
      return;
    }
    clearError(byId('quiz-error'));
    buildQuizFields();
  },
  leave() {
    // The typed words are secret too.
    clear(byId('quiz-fields'));
  },
};
