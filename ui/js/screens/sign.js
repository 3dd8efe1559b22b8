// 12. Sign: photos, videos, sound and PDFs get content credentials (C2PA) signed by one of the
// wallet's identities. Files and folders come from a drop on the window (Tauri gives their real
// paths; main.js hands them to the drop zone as a "paths-dropped" event) or are typed, one per
// line. While a batch signs, Rust sends each file's result on a Channel: the progress bar, counts
// and time left follow it; Cancel stops after the files being signed now.
//
// SignEvent = {event: "started", batch, resumed, total, already_done, to_sign, bytes}
//           | {event: "signed", input, output, media_type, size, original_sha256, output_sha256, ...}
//           | {event: "failed", input, code, message}
// BatchReport = {batch, resumed, total, signed: [SignedItem], skipped: [input], failed: [FailedItem],
//   not_started, cancelled, bytes, elapsed_ms}
//
// An edit of a signed file names that file (its "parent": dropped on the small drop zone, typed,
// or taken from a file signed below) and, optionally, what was done, in plain words mapped to the
// C2PA action names core accepts. Rust checks the parent exists and carries credentials.
//
// Nothing here is secret: paths and results; the keys that sign stay in Rust.

import { api, call, ApiError } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast, plural,
} from '../dom.js';
import { shortDid } from '../credential-words.js';
import { attestFile } from './attest.js';

// The commands of this screen, with their argument names.
const signApi = {
  sign: (request, onEvent) => call('media_sign', { request, onEvent }),
  cancel: () => call('media_cancel'),
  formats: () => call('media_formats'),
};

/**
 * "What was done": the C2PA edit actions core accepts (manifest::EDIT_ACTIONS), in plain words.
 * None chosen: a new file is recorded as created, an edit of a signed file as edited.
 */
export const EDIT_ACTIONS = [
  ['c2pa.edited', 'Edited'],
  ['c2pa.cropped', 'Cropped'],
  ['c2pa.color_adjustments', 'Colour adjusted'],
  ['c2pa.resized', 'Resized'],
  ['c2pa.orientation', 'Rotated or flipped'],
  ['c2pa.filtered', 'Filter applied'],
  ['c2pa.enhanced', 'Enhanced'],
  ['c2pa.drawing', 'Drawn on'],
  ['c2pa.removed', 'Part removed'],
  ['c2pa.redacted', 'Redacted (something hidden)'],
  ['c2pa.placed', 'Another item placed in it'],
  ['c2pa.watermarked', 'Watermarked'],
  ['c2pa.trimmed', 'Trimmed (video or sound)'],
  ['c2pa.translated', 'Translated'],
  ['c2pa.dubbed', 'Dubbed'],
  ['c2pa.converted', 'Converted to another format'],
  ['c2pa.transcoded', 'Re-encoded'],
  ['c2pa.repackaged', 'Repackaged'],
  ['c2pa.edited.metadata', 'Details (metadata) edited'],
  ['c2pa.published', 'Published'],
];

let identities = [];
let formatsShown = false;
/** The batch on screen: {token, started, total, done, signed, failed, startedAt, finished}. */
let batch = null;
let batchToken = 0;

// ---------------------------------------------------------------------------------------------
// Words

/** The last part of a path ("photo.jpg"), for lists; the full path goes below it. */
function fileName(path) {
  const text = String(path ?? '');
  const parts = text.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : text;
}

function duration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return plural(seconds, 'second', 'seconds');
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return plural(minutes, 'minute', 'minutes');
  return plural(Math.round(minutes / 60), 'hour', 'hours');
}

/** Identities that can sign media (Ed25519: did:key, did:jwk, did:web). */
function signers() {
  return identities.filter((identity) => identity.key_type === 'ed25519');
}

// ---------------------------------------------------------------------------------------------
// Choosing the files

/** The paths listed in the text box, one per line, without blanks. */
function listedPaths() {
  return byId('sign-inputs').value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
}

/** Adds dropped (or otherwise given) paths to the list, once each. */
export function addPaths(paths) {
  const field = byId('sign-inputs');
  const listed = listedPaths();
  const added = [];
  for (const path of Array.isArray(paths) ? paths : []) {
    const text = String(path ?? '').trim();
    if (text && !listed.includes(text) && !added.includes(text)) added.push(text);
  }
  if (added.length === 0) return 0;
  field.value = [...listed, ...added].join('\n');
  field.removeAttribute('aria-invalid');
  clearError(byId('sign-form-error'));
  return added.length;
}

// ---------------------------------------------------------------------------------------------
// The earlier signed version (an edit's parent)

/** Where the pointer was while dragging over the window (CSS pixels), to tell the two drop zones apart. */
let dragPoint = null;

function isEdit() {
  return byId('sign-edit').checked;
}

/** Shows the parent by its name (the full path stays in the text box). */
function showParent() {
  const path = byId('sign-parent').value.trim();
  const name = byId('sign-parent-name');
  name.textContent = path ? `Earlier version: ${fileName(path)}` : 'No signed file chosen yet';
  name.classList.toggle('is-chosen', Boolean(path));
  byId('sign-parent-clear').hidden = !path;
}

/** Makes `path` the signed file the files to sign are an edit of. */
export function setParent(path) {
  const text = String(path ?? '').trim();
  if (!text) return;
  byId('sign-edit').checked = true;
  onEditChange();
  const field = byId('sign-parent');
  field.value = text;
  field.removeAttribute('aria-invalid');
  clearError(byId('sign-form-error'));
  showParent();
}

function onEditChange() {
  const edit = isEdit();
  byId('sign-parent-field').hidden = !edit;
  if (!edit) byId('sign-parent').removeAttribute('aria-invalid');
}

function onParentClear() {
  byId('sign-parent').value = '';
  showParent();
  byId('sign-parent').focus();
}

function onParentDropped(event) {
  event.stopPropagation();
  const paths = event.detail && Array.isArray(event.detail.paths) ? event.detail.paths : [];
  if (paths.length === 0) return;
  setParent(paths[0]);
  toast(paths.length > 1 ? `Only one file can be the earlier version: ${fileName(paths[0])}` : `Earlier version: ${fileName(paths[0])}`);
}

/** The drop landed on the parent's drop zone (Tauri reports where; main.js hands drops to the first zone). */
function droppedOnParent() {
  const zone = byId('sign-parent-drop');
  if (!dragPoint || byId('sign-parent-field').hidden) return false;
  const r = zone.getBoundingClientRect();
  return dragPoint.x >= r.left && dragPoint.x <= r.right && dragPoint.y >= r.top && dragPoint.y <= r.bottom;
}

/** Follows drags over the window, to know which of the two drop zones a drop is for. */
async function followDrags() {
  const webview = window.__TAURI__ && window.__TAURI__.webview;
  if (!webview || typeof webview.getCurrentWebview !== 'function') return;
  try {
    await webview.getCurrentWebview().onDragDropEvent((event) => {
      const payload = (event && event.payload) || {};
      const p = payload.position;
      if (p && typeof p.x === 'number') {
        const scale = window.devicePixelRatio || 1;
        dragPoint = { x: p.x / scale, y: p.y / scale };
      }
      const zone = byId('sign-parent-drop');
      const over = (payload.type === 'enter' || payload.type === 'over') && droppedOnParent();
      zone.classList.toggle('is-dragging', over);
      if (over) byId('sign-drop').classList.remove('is-dragging');
      if (payload.type === 'leave') dragPoint = null;
    });
  } catch {
    // Drops then all go to the files to sign; the parent can still be typed.
  }
}

function fillActions() {
  const select = byId('sign-action');
  clear(select);
  select.appendChild(el('option', { value: '', text: 'Not stated' }));
  for (const [value, text] of EDIT_ACTIONS) select.appendChild(el('option', { value, text }));
}

function onPathsDropped(event) {
  const paths = event.detail && Array.isArray(event.detail.paths) ? event.detail.paths : [];
  if (paths.length > 0 && droppedOnParent()) {
    dragPoint = null;
    byId('sign-parent-drop').classList.remove('is-dragging');
    byId('sign-parent-drop').dispatchEvent(new CustomEvent('paths-dropped', { detail: { paths } }));
    return;
  }
  dragPoint = null;
  const added = addPaths(paths);
  if (added > 0) toast(`Added ${plural(added, 'item', 'items')} to sign`);
  else if (paths.length > 0) toast('Already in the list');
}

function onOutputChange() {
  const folder = byId('sign-output-folder').checked;
  byId('sign-folder-field').hidden = !folder;
  if (!folder) byId('sign-folder').removeAttribute('aria-invalid');
}

function outputChoice() {
  for (const id of ['sign-output-beside', 'sign-output-folder', 'sign-output-sidecar']) {
    if (byId(id).checked) return byId(id).value;
  }
  return 'beside';
}

function fillSigners() {
  const select = byId('sign-as');
  const previous = select.value;
  clear(select);
  const choices = signers();
  if (choices.length === 0) {
    select.appendChild(el('option', { value: '', text: 'No identity can sign yet: create one on the Identities screen' }));
  }
  for (const identity of choices) {
    const name = identity.label ? identity.label : 'Unnamed identity';
    select.appendChild(el('option', { value: identity.did, text: `${name} – ${shortDid(identity.did)}` }));
  }
  if (choices.some((identity) => identity.did === previous)) select.value = previous;
}

async function showFormats() {
  if (formatsShown) return;
  try {
    const formats = await signApi.formats();
    const names = (Array.isArray(formats) ? formats : [])
      .map((f) => (f.embed ? f.name : `${f.name} (as a separate .c2pa file)`));
    if (names.length) {
      byId('sign-formats').textContent = `Folders are searched for the files Hallmark can sign: ${names.join(', ')}.`;
      formatsShown = true;
    }
  } catch {
    // The generic hint stays.
  }
}

async function refresh() {
  const errorNode = byId('sign-error');
  try {
    const list = await api.listIdentities();
    identities = Array.isArray(list) ? list : [];
    clearError(errorNode);
  } catch (error) {
    showError(errorNode, error);
    return;
  }
  fillSigners();
  showFormats();
}

// ---------------------------------------------------------------------------------------------
// Progress and results

function resultItem(state, input, stateText, detail) {
  return el('li', { class: `result result-${state}`, 'data-state': state, 'data-input': input },
    el('span', { class: 'result-file', text: fileName(input) }),
    el('span', { class: 'result-state', text: stateText }),
    el('span', { class: 'result-detail', text: detail, translate: 'no' }));
}

function signedItem(item) {
  const li = resultItem('signed', item.input, 'Signed', `${item.input} → ${item.output}`);
  // With a .c2pa file beside an untouched original, the original is what gets attested.
  const signedFile = /\.c2pa$/i.test(item.output) ? item.input : item.output;
  const note = el('span', { class: 'result-detail result-attest-note', role: 'status' });
  const error = el('span', { class: 'error result-attest-error', role: 'alert' });
  const button = el('button', {
    type: 'button',
    class: 'button button-secondary button-small result-attest',
    text: 'Attest',
    'aria-label': `Attest ${fileName(signedFile)}: record it on Ethereum`,
  });
  button.addEventListener('click', () => attestFile(signedFile, button, note, error));
  const asParent = el('button', {
    type: 'button',
    class: 'button button-secondary button-small result-use-parent',
    text: 'Use as the earlier version',
    'aria-label': `Sign an edit of ${fileName(signedFile)}: use it as the earlier version`,
  });
  asParent.addEventListener('click', () => {
    setParent(signedFile);
    toast(`Earlier version: ${fileName(signedFile)}. Now choose the edited files and what was done.`);
    byId('sign-inputs').focus();
  });
  li.append(el('div', { class: 'actions' }, button, asParent), note, error);
  return li;
}

function failedItem(item) {
  return resultItem('failed', item.input, 'Not signed', `${item.input}: ${item.message}`);
}

function renderProgress() {
  if (!batch) return;
  const bar = byId('sign-progress');
  const text = byId('sign-progress-text');
  if (!batch.started) {
    bar.removeAttribute('value');
    text.textContent = 'Looking for the files…';
    return;
  }
  const total = batch.total;
  const done = batch.done;
  bar.max = Math.max(total, 1);
  bar.value = Math.min(done, total);
  let line = `${done} of ${plural(total, 'file', 'files')} done`;
  if (batch.failed > 0) line += ` (${batch.failed} not signed)`;
  if (batch.cancelling && !batch.finished) {
    line += ' · cancelling after the files being signed now…';
  } else if (!batch.finished && done > 0 && done < total) {
    const elapsed = Date.now() - batch.startedAt;
    const left = (elapsed / done) * (total - done);
    line += ` · about ${duration(left)} left`;
  } else if (!batch.finished && done === 0 && total > 0) {
    line += ' · estimating the time left…';
  }
  text.textContent = line;
}

/** One event of the running batch (ignored once the batch has ended or another one started). */
function onEvent(token, message) {
  if (!batch || batch.token !== token || batch.finished || !message) return;
  const results = byId('sign-results');
  if (message.event === 'started') {
    batch.started = true;
    batch.total = Number(message.to_sign) || 0;
    batch.startedAt = Date.now();
  } else if (message.event === 'signed') {
    batch.done += 1;
    results.appendChild(signedItem(message));
  } else if (message.event === 'failed') {
    batch.done += 1;
    batch.failed += 1;
    results.appendChild(failedItem(message));
  }
  renderProgress();
}

function summaryText(report) {
  const signed = report.signed.length;
  const failed = report.failed.length;
  const parts = [];
  if (signed > 0) parts.push(`Signed ${plural(signed, 'file', 'files')} in ${duration(report.elapsed_ms)}.`);
  else if (!report.cancelled && failed === 0 && report.skipped.length > 0) parts.push('Nothing new to sign.');
  else if (!report.cancelled) parts.push('No file was signed.');
  if (failed > 0) parts.push(`${plural(failed, 'file', 'files')} could not be signed: see why below, then sign again to retry them.`);
  if (report.skipped.length > 0) {
    parts.push(`${plural(report.skipped.length, 'file was', 'files were')} already signed in an earlier run and left as they are.`);
  }
  if (report.cancelled) {
    parts.push(`Cancelled: ${plural(report.not_started, 'file was', 'files were')} not signed. Sign the same files again to finish them.`);
  }
  return parts.join(' ');
}

/** The batch ended: the report is the full account (events may have been missed). */
function showReport(token, report) {
  if (!batch || batch.token !== token) return;
  batch.finished = true;
  batch.started = true;
  batch.total = report.signed.length + report.failed.length + report.not_started;
  batch.done = report.signed.length + report.failed.length;
  batch.failed = report.failed.length;
  renderProgress();
  byId('sign-progress-title').textContent = report.cancelled ? 'Signing cancelled' : 'Signing finished';
  byId('sign-cancel-actions').hidden = true;
  const results = byId('sign-results');
  clear(results);
  for (const item of report.signed) results.appendChild(signedItem(item));
  for (const item of report.failed) results.appendChild(failedItem(item));
  for (const input of report.skipped) {
    results.appendChild(resultItem('skipped', input, 'Already signed', `${input}: signed in an earlier run`));
  }
  byId('sign-summary').textContent = summaryText(report);
  byId('sign-progress-panel').dataset.finished = 'true';
  toast(report.cancelled ? 'Signing cancelled' : 'Signing finished');
}

function startBatchPanel(token) {
  batch = { token, started: false, total: 0, done: 0, failed: 0, startedAt: Date.now(), finished: false };
  byId('sign-placeholder').hidden = true;
  const panel = byId('sign-progress-panel');
  panel.hidden = false;
  delete panel.dataset.finished;
  byId('sign-progress-title').textContent = 'Signing…';
  byId('sign-cancel-actions').hidden = false;
  byId('sign-cancel').removeAttribute('aria-disabled');
  byId('sign-summary').textContent = '';
  clear(byId('sign-results'));
  renderProgress();
}

function endBatchPanelWithError() {
  if (batch) batch.finished = true;
  byId('sign-progress-panel').hidden = true;
  byId('sign-placeholder').hidden = false;
}

/** A Channel for the batch's events, or an error saying Hallmark cannot talk to its core. */
function newChannel(token) {
  const global = window.__TAURI__;
  const Channel = global && global.core && global.core.Channel;
  if (typeof Channel !== 'function') {
    throw new ApiError('no_backend', 'Hallmark could not reach its core. Please close Hallmark and open it again.');
  }
  const channel = new Channel();
  channel.onmessage = (message) => onEvent(token, message);
  return channel;
}

async function onSign(event) {
  event.preventDefault();
  const form = byId('sign-form');
  const errorNode = byId('sign-form-error');
  clearFlags(form);
  clearError(errorNode);
  const inputsField = byId('sign-inputs');
  const folderField = byId('sign-folder');
  const request = {
    inputs: listedPaths(),
    signer: byId('sign-as').value,
    output: outputChoice(),
    folder: null,
    title: byId('sign-title-text').value.trim() || null,
    ai_generated: byId('sign-ai').checked,
    allow_training: byId('sign-training').checked,
    parent: null,
    action: byId('sign-action').value || null,
  };
  const parentField = byId('sign-parent');
  if (request.inputs.length === 0) {
    showError(errorNode, 'Drop the files or folders to sign, or type their paths (one per line).');
    flagField(inputsField);
    return;
  }
  if (!request.signer) {
    showError(errorNode, 'First create an identity on the Identities screen: it signs the files.');
    return;
  }
  if (isEdit()) {
    request.parent = parentField.value.trim();
    if (!request.parent) {
      showError(errorNode, 'Drop the signed file these files are an edit of, or type its full path; or untick “This is an edit of a signed file”.');
      flagField(parentField);
      return;
    }
  }
  if (request.output === 'folder') {
    request.folder = folderField.value.trim();
    if (!request.folder) {
      showError(errorNode, 'Please type the folder the signed copies go to, for example /home/ana/Signed.');
      flagField(folderField);
      return;
    }
  }
  if (batch && !batch.finished) {
    showError(errorNode, 'A batch is being signed: wait for it to finish, or cancel it first.');
    return;
  }
  const token = ++batchToken;
  await whileBusy(byId('sign-submit'), 'Signing…', async () => {
    try {
      const channel = newChannel(token);
      startBatchPanel(token);
      byId('sign-progress-title').focus();
      const report = await signApi.sign(request, channel);
      showReport(token, report);
    } catch (error) {
      if (batch && batch.token === token) endBatchPanelWithError();
      showError(errorNode, error);
      const message = error.message || '';
      if (error.code === 'parent_not_found' || error.code === 'parent_not_signed') {
        flagField(parentField);
      } else if (error.code === 'bad_setting' && /full path/.test(message)) {
        const folderAtFault = Boolean(request.folder) && message.includes(`“${request.folder}”`);
        const parentAtFault = Boolean(request.parent) && message.includes(`“${request.parent}”`);
        flagField(parentAtFault ? parentField : folderAtFault ? folderField : inputsField);
      } else if (error.code === 'bad_setting' && /what was done/.test(message)) {
        flagField(byId('sign-action'));
      } else if (error.code === 'io_failed' || error.code === 'input_not_found' || error.code === 'bad_pattern') {
        flagField(inputsField);
      }
    }
  });
}

async function onCancel(event) {
  const button = event.currentTarget;
  if (!batch || batch.finished || button.getAttribute('aria-disabled') === 'true') return;
  batch.cancelling = true;
  button.setAttribute('aria-disabled', 'true');
  renderProgress();
  try {
    await signApi.cancel();
  } catch (error) {
    batch.cancelling = false;
    button.removeAttribute('aria-disabled');
    showError(byId('sign-form-error'), error);
  }
}

/** Asks a running batch to stop (before the wallet locks). Resolves once asked. */
export async function cancelSigning() {
  if (!batch || batch.finished) return;
  batch.cancelling = true;
  renderProgress();
  try {
    await signApi.cancel();
  } catch {
    // Locking goes on; the batch ends by itself.
  }
}

/** Forgets everything shown (called when the wallet locks). */
export function resetSign() {
  identities = [];
  batch = null;
  batchToken += 1;
  clear(byId('sign-as'));
  clear(byId('sign-results'));
  for (const id of ['sign-inputs', 'sign-title-text', 'sign-folder', 'sign-parent']) byId(id).value = '';
  byId('sign-action').value = '';
  byId('sign-edit').checked = false;
  onEditChange();
  showParent();
  dragPoint = null;
  byId('sign-ai').checked = false;
  byId('sign-training').checked = false;
  byId('sign-output-beside').checked = true;
  onOutputChange();
  for (const id of ['sign-error', 'sign-form-error']) clearError(byId(id));
  byId('sign-summary').textContent = '';
  byId('sign-progress-text').textContent = '';
  byId('sign-progress-panel').hidden = true;
  byId('sign-placeholder').hidden = false;
}

export const signScreen = {
  section: 'sign-screen',
  title: 'Sign photos and files',
  shell: true,
  nav: 'nav-sign',
  init() {
    byId('sign-form').addEventListener('submit', onSign);
    byId('sign-drop').addEventListener('paths-dropped', onPathsDropped);
    for (const id of ['sign-output-beside', 'sign-output-folder', 'sign-output-sidecar']) {
      byId(id).addEventListener('change', onOutputChange);
    }
    byId('sign-cancel').addEventListener('click', onCancel);
    byId('sign-edit').addEventListener('change', onEditChange);
    byId('sign-parent').addEventListener('input', showParent);
    byId('sign-parent-clear').addEventListener('click', onParentClear);
    byId('sign-parent-drop').addEventListener('paths-dropped', onParentDropped);
    fillActions();
    onOutputChange();
    onEditChange();
    showParent();
    followDrags();
  },
  enter() {
    return refresh();
  },
};
