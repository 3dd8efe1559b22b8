// Small DOM helpers. Text is always inserted as text (textContent / text nodes / setAttribute),
// never parsed as markup, so a label such as "<img src=x>" shows up literally.

import { newPassphraseProblem } from './text.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** document.getElementById that fails loudly when the page and the scripts disagree. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`Missing element #${id}`);
  return node;
}

function setAttributes(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    // Event handlers and inline styles are forbidden by the page's security policy.
    if (/^on/i.test(name) || name.toLowerCase() === 'style') {
      throw new Error(`el(): attribute "${name}" is not allowed`);
    }
    if (name === 'text') node.textContent = String(value);
    else if (name === 'class') node.setAttribute('class', String(value));
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

function appendChildren(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Creates an HTML element: el('li', {class: 'x'}, 'some text', otherNode).
 * Attribute `text` sets textContent; strings among the children become text nodes.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  setAttributes(node, attrs);
  appendChildren(node, children);
  return node;
}

/** Creates an SVG element (same rules as el). */
export function svgEl(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttributes(node, attrs);
  appendChildren(node, children);
  return node;
}

/** Removes every child of a node. */
export function clear(node) {
  while (node.lastChild) node.removeChild(node.lastChild);
}

/** "1 minute" / "5 minutes". */
export function plural(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Errors shown next to forms (elements with role="alert")

/**
 * Shows an error (an ApiError, an Error or a string) in a role="alert" element.
 * Errors with the code "locked" are skipped: the unlock screen is already being shown.
 */
export function showError(node, error) {
  if (error && error.code === 'locked') return;
  const message = typeof error === 'string' ? error
    : (error && typeof error.message === 'string' && error.message) || 'Something went wrong. Please try again.';
  if (node.textContent === message) {
    // Same text again: empty it first so screen readers announce it once more.
    node.textContent = '';
    window.setTimeout(() => { node.textContent = message; }, 60);
  } else {
    node.textContent = message;
  }
}

export function clearError(node) {
  node.textContent = '';
}

/** Marks a field as wrong (aria-invalid) and moves the keyboard focus to it. */
export function flagField(field) {
  field.setAttribute('aria-invalid', 'true');
  field.focus();
}

/** Clears every aria-invalid mark inside a container (a form or a screen). */
export function clearFlags(container) {
  for (const field of container.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
}

// ---------------------------------------------------------------------------------------------
// Busy buttons

/**
 * Runs an async task while `button` shows `busyLabel`. While it runs, further clicks or Enter
 * presses on the same container are ignored. aria-disabled (not `disabled`) keeps the keyboard
 * focus on the button.
 */
export async function whileBusy(button, busyLabel, task, container = button.form || button) {
  if (container.dataset.busy === 'true') return undefined;
  const label = button.textContent;
  container.dataset.busy = 'true';
  container.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  button.textContent = busyLabel;
  try {
    return await task();
  } finally {
    delete container.dataset.busy;
    container.removeAttribute('aria-busy');
    button.removeAttribute('aria-disabled');
    button.textContent = label;
  }
}

// ---------------------------------------------------------------------------------------------
// Toast: short confirmations in the aria-live region #toast

let toastShowTimer = 0;
let toastHideTimer = 0;

export function toast(message) {
  const node = byId('toast');
  window.clearTimeout(toastShowTimer);
  window.clearTimeout(toastHideTimer);
  node.textContent = '';
  node.classList.remove('is-visible');
  // A short pause lets screen readers announce the same message twice in a row.
  toastShowTimer = window.setTimeout(() => {
    node.textContent = message;
    node.classList.add('is-visible');
    toastHideTimer = window.setTimeout(() => {
      node.textContent = '';
      node.classList.remove('is-visible');
    }, 5000);
  }, 50);
}

/**
 * Checks a new passphrase typed twice (fields `first` and `second`). On a problem, says it in
 * `errorNode`, marks the field at fault and returns false.
 */
export function checkNewPassphrase(first, second, errorNode) {
  const problem = newPassphraseProblem(first.value, second.value);
  if (!problem) return true;
  showError(errorNode, problem.message);
  flagField(problem.field === 'first' ? first : second);
  return false;
}

/** Hides any toast at once (when the wallet locks, what it said no longer applies). */
export function clearToast() {
  const node = byId('toast');
  window.clearTimeout(toastShowTimer);
  window.clearTimeout(toastHideTimer);
  node.textContent = '';
  node.classList.remove('is-visible');
}

// ---------------------------------------------------------------------------------------------
// "Show passphrase" checkboxes: <input type="checkbox" class="show-passphrase" data-targets="id1 id2">

function targetsOf(checkbox) {
  return (checkbox.dataset.targets || '').split(/\s+/).filter(Boolean).map(byId);
}

export function wireShowPassphrase(root = document) {
  for (const checkbox of root.querySelectorAll('.show-passphrase')) {
    checkbox.addEventListener('change', () => {
      for (const field of targetsOf(checkbox)) field.setAttribute('type', checkbox.checked ? 'text' : 'password');
    });
  }
}

/** Hides the passphrases again (called when a screen is left). */
export function resetShowPassphrase(root) {
  for (const checkbox of root.querySelectorAll('.show-passphrase')) {
    checkbox.checked = false;
    for (const field of targetsOf(checkbox)) field.setAttribute('type', 'password');
  }
}
