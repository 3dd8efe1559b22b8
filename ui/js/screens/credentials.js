// 10. Credentials: the credentials the wallet holds and issued, adding one received (pasted or
// from a file), issuing one, and the details of the chosen one: its checks, "Check again",
// Delete, presenting it to a verifier, and revoking the ones you issued.
//
// CredentialSummary = {id, format, proof_suite, types, issuer, subject, valid_from, valid_until,
//   origin ("issued" | "imported"), added_at, checked_at, valid, checks: [{check, result, detail}],
//   sha256, issuer_label, subject_label (null unless one of your identities; "" if unnamed),
//   revocation: null | {credential, status_list_url, status_index, revoked_at, revoked_reason}}
// CredentialDetail = CredentialSummary + {document, text}
// Presentation = {format, text, qr: null | {size, modules}, qr_bytes}
//
// Nothing here is secret: credentials and presentations are public statements; the keys that
// sign them stay in Rust.

import { api } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast,
} from '../dom.js';
import { qrSvg } from '../qr.js';
import {
  typeName, checkName, resultName, statusText, personName, shortDid, originName, formatName, claimsOf,
} from '../credential-words.js';
import { attestCredential } from './attest.js';

/** The most Hallmark reads as one credential (the same limit as in Rust). */
const MAX_FILE_BYTES = 512 * 1024;

const ISSUE_HELP = {
  humanity: 'Says that the person behind this DID is a real, unique human. Issue it only for someone you checked yourself.',
  membership: 'Says that the person behind this DID belongs to a community, as a member or a moderator.',
};

let credentials = [];
let identities = [];
let selectedId = null;
/** The CredentialDetail shown, once loaded. */
let shown = null;
// Increases on every selection, so answers for an earlier selection are ignored.
let detailRequest = 0;

function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Identities that can sign (Ed25519: did:key, did:jwk, did:web). */
function signers() {
  return identities.filter((identity) => identity.key_type === 'ed25519');
}

function identityOption(identity) {
  const name = identity.label ? identity.label : 'Unnamed identity';
  return el('option', { value: identity.did, text: `${name} – ${shortDid(identity.did)}` });
}

/** "Alice (you)" and, on the next line, the full DID. */
function personNodes(did, label) {
  const nodes = [el('span', { text: personName(did, label, { short: false }) })];
  if (did && typeof label === 'string') {
    nodes.push(el('br'), el('span', { class: 'did', text: did, translate: 'no' }));
  }
  return nodes;
}

// ---------------------------------------------------------------------------------------------
// List

function renderList() {
  const list = byId('credential-list');
  clear(list);
  byId('credentials-empty').hidden = credentials.length > 0;
  list.hidden = credentials.length === 0;
  byId('credentials-recheck').hidden = credentials.length === 0;

  for (const c of credentials) {
    const button = el('button', { type: 'button', class: 'identity-button credential-button', 'data-id': c.id },
      el('span', { class: 'credential-type', text: typeName(c.types) }),
      el('span', { class: `badge credential-status ${c.valid ? 'badge-ok' : 'badge-bad'}`, text: statusText(c) }),
      el('span', { class: 'credential-line credential-issuer', text: `From: ${personName(c.issuer, c.issuer_label)}` }),
      el('span', {
        class: 'credential-line credential-subject',
        text: `About: ${personName(c.subject, c.subject_label)}`,
      }),
      el('span', {
        class: 'credential-line credential-until',
        text: c.valid_until ? `Valid until ${formatDate(c.valid_until)}` : 'No expiry date',
      }),
      el('span', { class: 'credential-line credential-origin', text: originName(c.origin) }));
    if (c.id === selectedId) button.setAttribute('aria-current', 'true');
    button.addEventListener('click', () => select(c.id, { focus: true }));
    list.appendChild(el('li', { class: 'credential', 'data-id': c.id }, button));
  }
}

function markSelectedInList() {
  for (const button of byId('credential-list').querySelectorAll('.credential-button')) {
    if (button.dataset.id === selectedId) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

/** The identities the Issue form offers (keeping the current choice). */
function fillIssueChoices() {
  const as = byId('issue-as');
  const previous = as.value;
  clear(as);
  const choices = signers();
  if (choices.length === 0) {
    as.appendChild(el('option', { value: '', text: 'No identity can sign yet: create one on the Identities screen' }));
  }
  for (const identity of choices) as.appendChild(identityOption(identity));
  if (choices.some((identity) => identity.did === previous)) as.value = previous;

  const options = byId('issue-subject-options');
  clear(options);
  for (const identity of identities) {
    options.appendChild(el('option', { value: identity.did, label: identity.label || 'Unnamed identity' }));
  }
}

/** Loads the list; then selects `selectId` (moving focus to it) or keeps the current choice. */
async function refresh(selectId = null) {
  const loading = byId('credentials-loading');
  const errorNode = byId('credentials-error');
  loading.hidden = false;
  try {
    const [list, ids] = await Promise.all([api.listCredentials(), api.listIdentities()]);
    credentials = Array.isArray(list) ? list : [];
    identities = Array.isArray(ids) ? ids : [];
    clearError(errorNode);
  } catch (error) {
    showError(errorNode, error);
    return;
  } finally {
    loading.hidden = true;
  }
  renderList();
  fillIssueChoices();
  const wanted = selectId || selectedId;
  if (wanted && credentials.some((c) => c.id === wanted)) {
    await select(wanted, { focus: Boolean(selectId) });
  } else {
    hideDetail();
  }
}

// ---------------------------------------------------------------------------------------------
// Details

function hideConfirms() {
  byId('cred-delete-confirm').hidden = true;
  byId('revoke-confirm').hidden = true;
}

function resetPresentResult() {
  byId('present-result').hidden = true;
  clear(byId('present-qr'));
  byId('present-qr-note').textContent = '';
  byId('present-text').value = '';
  clearError(byId('present-error'));
}

function hideDetail() {
  selectedId = null;
  shown = null;
  detailRequest += 1;
  markSelectedInList();
  hideConfirms();
  resetPresentResult();
  byId('credential-detail').hidden = true;
  byId('credential-placeholder').hidden = credentials.length === 0;
  for (const id of ['cred-detail-title', 'cred-detail-status', 'cred-detail-issuer', 'cred-detail-subject',
    'cred-detail-from', 'cred-detail-until', 'cred-detail-origin', 'cred-detail-format', 'cred-detail-checked',
    'cred-text', 'cred-detail-error', 'cred-attest-note', 'revoke-done', 'revoke-error', 'status-list-url', 'status-list-where']) {
    byId(id).textContent = '';
  }
  clear(byId('cred-detail-claims'));
  clear(byId('cred-checks'));
}

function renderChecks(checks) {
  const list = byId('cred-checks');
  clear(list);
  for (const c of Array.isArray(checks) ? checks : []) {
    list.appendChild(el('li', { class: 'check', 'data-check': c.check, 'data-result': c.result },
      el('span', { class: 'check-name', text: checkName(c.check) }),
      el('span', { class: 'check-result', text: resultName(c.result) }),
      el('span', { class: 'check-detail', text: c.detail || '' })));
  }
}

function renderClaims(document) {
  const claims = byId('cred-detail-claims');
  clear(claims);
  const pairs = claimsOf(document, formatDate);
  if (document && pairs.length === 0) {
    claims.appendChild(el('dt', { text: 'Content' }));
    claims.appendChild(el('dd', { text: 'Hallmark does not know this kind of credential: see its text below.' }));
  }
  for (const [term, description] of pairs) {
    claims.appendChild(el('dt', { text: term }));
    claims.appendChild(el('dd', { text: description }));
  }
}

function renderPresent(c) {
  const yours = typeof c.subject_label === 'string';
  byId('present-not-yours').hidden = yours;
  byId('present-form').hidden = !yours;
  const holder = byId('present-holder');
  clear(holder);
  for (const identity of signers()) holder.appendChild(identityOption(identity));
  if (yours && signers().some((identity) => identity.did === c.subject)) holder.value = c.subject;
}

function renderRevoke(c) {
  const section = byId('revoke-section');
  section.hidden = c.origin !== 'issued';
  if (section.hidden) return;
  const revocation = c.revocation || {};
  const revoked = Boolean(revocation.revoked_at);
  byId('revoke-form').hidden = revoked;
  byId('revoke-done').hidden = !revoked;
  if (revoked) {
    const reason = revocation.revoked_reason ? ` Reason: ${revocation.revoked_reason}.` : '';
    byId('revoke-done').textContent = `You revoked this credential on ${formatDate(revocation.revoked_at)}.${reason} `
      + (c.valid ? 'Press “Check again” to update its checks.' : '');
  } else {
    byId('revoke-done').textContent = '';
  }
  const url = revocation.status_list_url || '';
  byId('status-list-url').textContent = url;
  byId('status-list-where').textContent = /^https?:\/\//.test(url)
    ? 'Publish the copied list on your website so that it opens at this address:'
    : 'It has no web address, so give the copied list, as a file, to the people who check this credential. Its id:';
}

async function onCopyStatusList(event) {
  const id = selectedId;
  if (!id) return;
  const errorNode = byId('revoke-error');
  await whileBusy(event.currentTarget, 'Copying…', async () => {
    try {
      const list = await api.credentialStatusList(id);
      await api.copy(list.text);
      clearError(errorNode);
      toast('Copied');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

/** Fills the details from a summary (at once) or a full CredentialDetail (with `document`, `text`). */
function renderDetail(c) {
  byId('cred-detail-title').textContent = typeName(c.types);
  const status = byId('cred-detail-status');
  status.textContent = statusText(c);
  status.className = `badge ${c.valid ? 'badge-ok' : 'badge-bad'}`;
  clear(byId('cred-detail-issuer'));
  byId('cred-detail-issuer').append(...personNodes(c.issuer, c.issuer_label));
  if (typeof c.issuer_label !== 'string') byId('cred-detail-issuer').classList.add('did');
  else byId('cred-detail-issuer').classList.remove('did');
  clear(byId('cred-detail-subject'));
  byId('cred-detail-subject').append(...personNodes(c.subject, c.subject_label));
  if (typeof c.subject_label !== 'string') byId('cred-detail-subject').classList.add('did');
  else byId('cred-detail-subject').classList.remove('did');
  byId('cred-detail-from').textContent = c.valid_from ? formatDate(c.valid_from) : 'Not stated';
  byId('cred-detail-until').textContent = c.valid_until ? formatDate(c.valid_until) : 'No expiry date';
  byId('cred-detail-origin').textContent = originName(c.origin);
  byId('cred-detail-format').textContent = formatName(c.format, c.proof_suite);
  byId('cred-detail-checked').textContent = formatDate(c.checked_at);
  renderChecks(c.checks);
  renderRevoke(c);
  // Humanity and membership credentials can be recorded on Ethereum (hashes and DIDs only).
  const types = Array.isArray(c.types) ? c.types : [];
  byId('cred-attest').hidden = !types.some((t) => t === 'HumanityCredential' || t === 'CommunityMembershipCredential');
  if ('document' in c) {
    renderClaims(c.document);
    byId('cred-text').textContent = c.text || '';
  } else {
    clear(byId('cred-detail-claims'));
    byId('cred-text').textContent = 'Loading…';
  }
}

async function select(id, { focus = false } = {}) {
  const summary = credentials.find((c) => c.id === id);
  if (!summary) return;
  const request = ++detailRequest;
  const changed = selectedId !== id;
  selectedId = id;
  shown = null;
  markSelectedInList();
  hideConfirms();
  if (changed) {
    resetPresentResult();
    byId('cred-attest-note').textContent = '';
    byId('revoke-reason').value = '';
  }
  clearError(byId('cred-detail-error'));
  clearError(byId('revoke-error'));
  renderDetail(summary);
  renderPresent(summary);
  byId('credential-placeholder').hidden = true;
  byId('credential-detail').hidden = false;
  if (focus) byId('cred-detail-title').focus();

  try {
    const detail = await api.showCredential(id);
    if (request !== detailRequest) return; // another credential was chosen meanwhile
    shown = detail;
    renderDetail(detail);
  } catch (error) {
    if (request === detailRequest) showError(byId('cred-detail-error'), error);
  }
}

/** A command answered with a new CredentialDetail (check again, revoke): show it everywhere. */
function update(detail) {
  const index = credentials.findIndex((c) => c.id === detail.id);
  if (index >= 0) credentials[index] = detail;
  renderList();
  if (selectedId === detail.id) {
    shown = detail;
    renderDetail(detail);
  }
}

async function onRecheck(event) {
  const id = selectedId;
  if (!id) return;
  const errorNode = byId('cred-detail-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Checking…', async () => {
    try {
      const detail = await api.recheckCredential(id);
      update(detail);
      toast(detail.valid ? 'Checked: verified' : 'Checked: not valid');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

/** "3 of 4 valid. No longer valid: Humanity credential (revoked or expired since)." */
function recheckSummary(result) {
  const total = result.valid + result.not_valid + result.not_checked;
  const parts = [`Checked just now: ${result.valid} of ${total} valid.`];
  const gone = result.credentials.filter((c) => result.no_longer_valid.includes(c.id));
  if (gone.length) {
    parts.push(`No longer valid: ${gone.map((c) => typeName(c.types)).join(', ')} (see its checks).`);
  }
  if (result.not_checked) {
    parts.push(`${result.not_checked} could not be checked now and keep their last result.`);
  }
  return parts.join(' ');
}

async function onRecheckAll(event) {
  const errorNode = byId('credentials-error');
  const resultNode = byId('credentials-recheck-result');
  clearError(errorNode);
  resultNode.textContent = '';
  await whileBusy(event.currentTarget, 'Checking all…', async () => {
    try {
      const result = await api.recheckAllCredentials();
      credentials = Array.isArray(result.credentials) ? result.credentials : [];
      renderList();
      if (selectedId && credentials.some((c) => c.id === selectedId)) await select(selectedId);
      resultNode.textContent = recheckSummary(result);
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

async function copyText(button, text, errorNode) {
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

function onDeleteAsk() {
  clearError(byId('cred-detail-error'));
  byId('cred-delete-confirm').hidden = false;
  byId('cred-delete-no').focus();
}

function onDeleteCancel() {
  byId('cred-delete-confirm').hidden = true;
  byId('cred-delete').focus();
}

async function onDeleteConfirm(event) {
  const id = selectedId;
  if (!id) return;
  const errorNode = byId('cred-detail-error');
  await whileBusy(event.currentTarget, 'Deleting…', async () => {
    try {
      await api.deleteCredential(id);
      byId('cred-delete-confirm').hidden = true;
      toast('Credential deleted');
      hideDetail();
      await refresh();
      byId('credentials-title').focus();
    } catch (error) {
      byId('cred-delete-confirm').hidden = true;
      showError(errorNode, error);
      byId('cred-delete').focus();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Present

async function onPresent(event) {
  event.preventDefault();
  const id = selectedId;
  if (!id) return;
  const form = byId('present-form');
  const errorNode = byId('present-error');
  const challengeField = byId('present-challenge');
  const domainField = byId('present-domain');
  clearFlags(form);
  clearError(errorNode);
  const holder = byId('present-holder').value;
  const challenge = challengeField.value.trim();
  const domain = domainField.value.trim();
  if (!holder) {
    showError(errorNode, 'You have no identity that can present credentials.');
    return;
  }
  if (challenge === '') {
    showError(errorNode, 'Please type the challenge the verifier gave you.');
    flagField(challengeField);
    return;
  }
  if (domain === '') {
    showError(errorNode, 'Please type the verifier’s domain, for example shop.example.');
    flagField(domainField);
    return;
  }
  const format = byId('present-format').value;
  await whileBusy(byId('present-submit'), 'Signing…', async () => {
    try {
      const out = await api.presentCredential(id, holder, challenge, domain, format);
      if (selectedId !== id) return;
      showPresentation(out);
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

function showPresentation(out) {
  resetPresentResult();
  const qrNode = byId('present-qr');
  const note = byId('present-qr-note');
  let drawn = false;
  if (out.qr) {
    try {
      qrNode.appendChild(qrSvg(out.qr, 'your presentation'));
      drawn = true;
    } catch (error) {
      showError(byId('present-error'), error);
    }
  }
  note.textContent = drawn
    ? 'The verifier can scan this QR code. Or copy the text below and send it to them.'
    : `This presentation is too large for a QR code (${out.qr_bytes} characters; a QR code holds about 2,300). `
      + 'Copy the text below and send it to the verifier.';
  byId('present-text').value = out.text || '';
  byId('present-result').hidden = false;
  byId('present-result-title').focus();
}

// ---------------------------------------------------------------------------------------------
// Revoke

function onRevokeAsk(event) {
  event.preventDefault();
  clearError(byId('revoke-error'));
  byId('revoke-confirm').hidden = false;
  byId('revoke-no').focus();
}

function onRevokeCancel() {
  byId('revoke-confirm').hidden = true;
  byId('revoke-submit').focus();
}

async function onRevokeConfirm(event) {
  const id = selectedId;
  if (!id) return;
  const errorNode = byId('revoke-error');
  const reason = byId('revoke-reason').value.trim() || null;
  await whileBusy(event.currentTarget, 'Revoking…', async () => {
    try {
      const detail = await api.revokeCredential(id, reason);
      byId('revoke-confirm').hidden = true;
      byId('revoke-reason').value = '';
      update(detail);
      toast('Revoked');
      byId('cred-recheck').focus();
    } catch (error) {
      byId('revoke-confirm').hidden = true;
      showError(errorNode, error);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Add (import)

/** Reads a chosen file as text, or says why not. */
async function readFile(file, errorNode) {
  if (file.size > MAX_FILE_BYTES) {
    showError(errorNode, `The file ${file.name} is ${file.size} bytes, more than a credential can be (${MAX_FILE_BYTES}).`);
    return null;
  }
  try {
    return await file.text();
  } catch {
    showError(errorNode, `Hallmark could not read the file ${file.name}.`);
    return null;
  }
}

async function onImportFile() {
  const input = byId('import-file');
  const errorNode = byId('import-error');
  clearError(errorNode);
  const file = input.files && input.files[0];
  if (!file) return;
  const text = await readFile(file, errorNode);
  if (text !== null) byId('import-text').value = text;
}

async function onImport(event) {
  event.preventDefault();
  const form = byId('import-form');
  const textField = byId('import-text');
  const errorNode = byId('import-error');
  clearFlags(form);
  clearError(errorNode);
  const text = textField.value.trim();
  if (text === '') {
    showError(errorNode, 'Please paste the credential, or choose its file.');
    flagField(textField);
    return;
  }
  const lists = [];
  const listInput = byId('import-list-file');
  const listFile = listInput.files && listInput.files[0];
  if (listFile) {
    const list = await readFile(listFile, errorNode);
    if (list === null) return;
    lists.push(list);
  }
  await whileBusy(byId('import-submit'), 'Checking…', async () => {
    try {
      const detail = await api.importCredential(text, lists);
      textField.value = '';
      byId('import-file').value = '';
      listInput.value = '';
      toast(detail.valid ? 'Credential added' : 'Credential added, but it did not pass every check');
      await refresh(detail.id);
    } catch (error) {
      showError(errorNode, error);
      flagField(textField);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Issue

function onIssueTypeChange() {
  const kind = byId('issue-type').value;
  byId('issue-type-help').textContent = ISSUE_HELP[kind] || '';
  byId('issue-humanity-fields').hidden = kind !== 'humanity';
  byId('issue-membership-fields').hidden = kind !== 'membership';
  clearFlags(byId('issue-form'));
  clearError(byId('issue-error'));
}

async function onIssue(event) {
  event.preventDefault();
  const form = byId('issue-form');
  const errorNode = byId('issue-error');
  clearFlags(form);
  clearError(errorNode);
  const kind = byId('issue-type').value;
  const subjectField = byId('issue-subject');
  const communityField = byId('issue-community-id');
  const expiresField = byId('issue-expires');
  const request = {
    kind,
    issuer: byId('issue-as').value,
    subject: subjectField.value.trim(),
    method: kind === 'humanity' ? byId('issue-method').value : null,
    note: kind === 'humanity' ? byId('issue-note').value.trim() || null : null,
    community_id: kind === 'membership' ? communityField.value.trim() : null,
    community_name: kind === 'membership' ? byId('issue-community-name').value.trim() || null : null,
    role: kind === 'membership' ? byId('issue-role').value : null,
    expires: expiresField.value.trim() || null,
    format: byId('issue-format').value,
  };
  if (!request.issuer) {
    showError(errorNode, 'First create an identity on the Identities screen: it signs the credential.');
    return;
  }
  if (request.subject === '') {
    showError(errorNode, 'Please type the DID of the person the credential is about. It starts with “did:”.');
    flagField(subjectField);
    return;
  }
  if (kind === 'membership' && request.community_id === '') {
    showError(errorNode, 'Please type the community’s id, for example https://photoclub.example.');
    flagField(communityField);
    return;
  }
  await whileBusy(byId('issue-submit'), 'Issuing…', async () => {
    try {
      const detail = await api.issueCredential(request);
      for (const id of ['issue-subject', 'issue-note', 'issue-community-id', 'issue-community-name', 'issue-expires']) {
        byId(id).value = '';
      }
      toast('Credential issued');
      await refresh(detail.id);
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'invalid_did' || error.code === 'unsupported_did_method') flagField(subjectField);
      else if (error.code === 'invalid_date') flagField(expiresField);
    }
  });
}

// ---------------------------------------------------------------------------------------------

/** Forgets everything shown (called when the wallet locks). */
export function resetCredentials() {
  credentials = [];
  identities = [];
  clear(byId('credential-list'));
  byId('credentials-empty').hidden = true;
  byId('credentials-recheck').hidden = true;
  byId('credentials-recheck-result').textContent = '';
  clear(byId('issue-as'));
  clear(byId('issue-subject-options'));
  clear(byId('present-holder'));
  for (const id of ['credentials-error', 'import-error', 'issue-error']) clearError(byId(id));
  for (const id of ['import-text', 'import-file', 'import-list-file', 'issue-subject', 'issue-note',
    'issue-community-id', 'issue-community-name', 'issue-expires', 'present-challenge', 'present-domain',
    'revoke-reason']) {
    byId(id).value = '';
  }
  hideDetail();
}

export const credentialsScreen = {
  section: 'credentials-screen',
  title: 'Your credentials',
  shell: true,
  nav: 'nav-credentials',
  init() {
    byId('import-form').addEventListener('submit', onImport);
    byId('import-file').addEventListener('change', onImportFile);
    byId('issue-form').addEventListener('submit', onIssue);
    byId('issue-type').addEventListener('change', onIssueTypeChange);
    byId('cred-recheck').addEventListener('click', onRecheck);
    byId('credentials-recheck-all').addEventListener('click', onRecheckAll);
    byId('cred-copy').addEventListener('click', (event) => {
      const errorNode = byId('cred-detail-error');
      if (shown) copyText(event.currentTarget, shown.text, errorNode);
      else showError(errorNode, 'The credential is not loaded yet. Please choose it again.');
    });
    byId('cred-delete').addEventListener('click', onDeleteAsk);
    byId('cred-attest').addEventListener('click', (event) => {
      if (selectedId) attestCredential(selectedId, event.currentTarget, byId('cred-attest-note'), byId('cred-detail-error'));
    });
    byId('cred-delete-no').addEventListener('click', onDeleteCancel);
    byId('cred-delete-yes').addEventListener('click', onDeleteConfirm);
    byId('present-form').addEventListener('submit', onPresent);
    byId('present-copy').addEventListener('click', (event) => {
      copyText(event.currentTarget, byId('present-text').value, byId('present-error'));
    });
    byId('revoke-form').addEventListener('submit', onRevokeAsk);
    byId('revoke-no').addEventListener('click', onRevokeCancel);
    byId('revoke-yes').addEventListener('click', onRevokeConfirm);
    byId('status-list-copy').addEventListener('click', onCopyStatusList);
    onIssueTypeChange();
  },
  enter() {
    return refresh();
  },
};
