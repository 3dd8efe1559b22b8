// 8. Identities: the list, the "create a new identity" form and the details of the chosen one.
//
// Identity = {did, method, key_type, key_index, derivation_path, label, domain, address,
//             public_key, created_at}

import { api } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast,
} from '../dom.js';
import { qrSvg } from '../qr.js';
import { KIND_HELP, kindName } from '../text.js';

let identities = [];
let selectedDid = null;
// Increases on every selection, so answers for an earlier selection are ignored.
let detailRequest = 0;
// Text that the "Copy the file" button copies (the did:web document), or null.
let webFileText = null;

function displayLabel(identity) {
  return identity.label ? identity.label : 'Unnamed identity';
}

function formatDate(value) {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value ?? '') : date.toLocaleString();
}

function prettyJson(value) {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

// ---------------------------------------------------------------------------------------------
// List

function renderList() {
  const list = byId('identity-list');
  clear(list);
  byId('identities-empty').hidden = identities.length > 0;
  list.hidden = identities.length === 0;

  for (const identity of identities) {
    const button = el('button', { type: 'button', class: 'identity-button', 'data-did': identity.did },
      el('span', { class: 'identity-label', text: displayLabel(identity) }),
      el('span', { class: 'identity-kind', text: kindName(identity.method) }),
      el('span', { class: 'identity-did', text: identity.did, translate: 'no' }));
    if (identity.did === selectedDid) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => select(identity.did, { focus: true }));
    list.appendChild(el('li', { class: 'identity' }, button));
  }
}

function markSelectedInList() {
  for (const button of byId('identity-list').querySelectorAll('.identity-button')) {
    if (button.dataset.did === selectedDid) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

/** Loads the list; then selects `selectDid` (moving focus to it) or keeps the current choice. */
async function refresh(selectDid = null) {
  const loading = byId('identities-loading');
  const errorNode = byId('identities-error');
  loading.hidden = false;
  try {
    const list = await api.listIdentities();
    identities = Array.isArray(list) ? list : [];
    clearError(errorNode);
  } catch (error) {
    showError(errorNode, error);
    return;
  } finally {
    loading.hidden = true;
  }
  renderList();
  const wanted = selectDid || selectedDid;
  if (wanted && identities.some((identity) => identity.did === wanted)) {
    await select(wanted, { focus: Boolean(selectDid) });
  } else {
    hideDetail();
  }
}

// ---------------------------------------------------------------------------------------------
// Details

function hideDetail() {
  selectedDid = null;
  detailRequest += 1;
  webFileText = null;
  markSelectedInList();
  byId('identity-detail').hidden = true;
  byId('detail-placeholder').hidden = identities.length === 0;
  for (const id of ['detail-label', 'detail-kind', 'detail-did', 'detail-address', 'detail-web-url',
    'detail-document', 'detail-created', 'detail-key-type', 'detail-key-index', 'detail-path',
    'detail-public-key', 'detail-error']) {
    byId(id).textContent = '';
  }
  clear(byId('detail-qr'));
}

async function select(did, { focus = false } = {}) {
  const identity = identities.find((item) => item.did === did);
  if (!identity) return;
  const request = ++detailRequest;
  selectedDid = did;
  webFileText = null;
  markSelectedInList();

  // What we already know from the list.
  byId('detail-label').textContent = displayLabel(identity);
  byId('detail-kind').textContent = kindName(identity.method);
  byId('detail-did').textContent = identity.did;
  byId('detail-address').textContent = identity.address || '';
  byId('detail-address-block').hidden = !identity.address;
  byId('detail-created').textContent = formatDate(identity.created_at);
  byId('detail-key-type').textContent = identity.key_type ?? '';
  byId('detail-key-index').textContent = identity.key_index ?? '';
  byId('detail-path').textContent = identity.derivation_path ?? '';
  byId('detail-public-key').textContent = identity.public_key ?? '';
  byId('detail-document').textContent = 'Loading…';
  byId('detail-web-url').textContent = '';
  byId('detail-web-info').hidden = identity.method !== 'web';
  clearError(byId('detail-error'));
  clear(byId('detail-qr'));
  byId('detail-placeholder').hidden = true;
  byId('identity-detail').hidden = false;
  if (focus) byId('detail-label').focus();

  // What Rust computes: the DID document, the QR code and, for did:web, where to publish.
  const [documentResult, qrResult, webResult] = await Promise.allSettled([
    api.identityDocument(did),
    api.identityQr(did),
    identity.method === 'web' ? api.identityWebInfo(did) : Promise.resolve(null),
  ]);
  if (request !== detailRequest) return; // another identity was chosen meanwhile

  const problems = [];
  if (documentResult.status === 'fulfilled') {
    byId('detail-document').textContent = prettyJson(documentResult.value);
  } else {
    byId('detail-document').textContent = '';
    problems.push(documentResult.reason);
  }

  if (qrResult.status === 'fulfilled') {
    try {
      byId('detail-qr').appendChild(qrSvg(qrResult.value, did));
    } catch (error) {
      problems.push(error);
    }
  } else {
    problems.push(qrResult.reason);
  }

  if (identity.method === 'web') {
    if (webResult.status === 'fulfilled' && webResult.value) {
      byId('detail-web-url').textContent = webResult.value.url || '';
      webFileText = prettyJson(webResult.value.document);
    } else if (webResult.status === 'rejected') {
      problems.push(webResult.reason);
    }
  }

  if (problems.length > 0) showError(byId('detail-error'), problems[0]);
}

async function copyText(button, text) {
  const errorNode = byId('detail-error');
  await whileBusy(button, 'Copying…', async () => {
    try {
      await api.copy(text);
      clearError(errorNode);
      toast('Copied');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Create form

function onMethodChange() {
  const method = byId('new-method').value;
  byId('new-method-help').textContent = KIND_HELP[method] || '';
  byId('new-domain-field').hidden = method !== 'web';
  byId('new-domain').removeAttribute('aria-invalid');
  clearError(byId('new-error'));
}

async function onCreate(event) {
  event.preventDefault();
  const form = byId('new-form');
  const method = byId('new-method').value;
  const labelField = byId('new-label');
  const domainField = byId('new-domain');
  const errorNode = byId('new-error');
  clearFlags(form);
  clearError(errorNode);

  const label = labelField.value.trim() || null;
  let domain = null;
  if (method === 'web') {
    domain = domainField.value.trim();
    if (domain === '') {
      showError(errorNode, 'Please type your website’s address, for example example.com.');
      flagField(domainField);
      return;
    }
  }

  await whileBusy(byId('new-create'), 'Creating…', async () => {
    try {
      const identity = await api.createIdentity(method, label, domain);
      labelField.value = '';
      domainField.value = '';
      toast('Identity created');
      await refresh(identity && identity.did);
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'invalid_domain') flagField(domainField);
    }
  });
}

// ---------------------------------------------------------------------------------------------

/** Forgets everything shown (called when the wallet locks). */
export function resetIdentities() {
  identities = [];
  clear(byId('identity-list'));
  byId('identities-empty').hidden = true;
  clearError(byId('identities-error'));
  clearError(byId('new-error'));
  byId('new-label').value = '';
  byId('new-domain').value = '';
  hideDetail();
}

export const identitiesScreen = {
  section: 'identities-screen',
  title: 'Your identities',
  shell: true,
  nav: 'nav-identities',
  init() {
    byId('new-form').addEventListener('submit', onCreate);
    byId('new-method').addEventListener('change', onMethodChange);
    byId('identities-empty-create').addEventListener('click', () => byId('new-method').focus());
    byId('detail-copy').addEventListener('click', (event) => {
      if (selectedDid) copyText(event.currentTarget, selectedDid);
    });
    byId('detail-web-copy').addEventListener('click', (event) => {
      if (webFileText !== null) copyText(event.currentTarget, webFileText);
      else showError(byId('detail-error'), 'The file is not ready yet. Please choose the identity again.');
    });
    onMethodChange();
    byId('detail-placeholder').hidden = true;
  },
  enter() {
    return refresh();
  },
};
