// 15. Activity: the wallet's activity log. Every file signed, credential issued or revoked,
// community decision and record on a blockchain is an entry, signed by the identity that acted
// and linked to the entry before it (Rust writes it in the same transaction as the action). This
// screen shows the timeline in plain words (newest first, filtered by action and community,
// "Show older entries" for more), whether the whole log checks (Rust verifies an export of it,
// entries and pins), where it is pinned on a blockchain ("Anchor now", or automatically every N
// entries, on the network chosen on the Attestations screen), and exports it as text to copy.
// It refreshes when shown, after each action, and on the attestation worker's "attest-changed"
// events (a pin confirmed).
//
// OverviewOut = {entries, head, actions: [{action, label, count}], communities: [{id, name}],
//   anchors: [{count, network, network_label, uid, head}], anchored, unpinned, anchors_pending,
//   anchors_failed, anchor_text, network, network_label, anchoring: {every, network,
//   network_label} | null, anchoring_text}
// EntriesOut = {entries: [Entry], more}
// Entry = {seq, time, action, what, actor, actor_name, community, community_name, hash, prev,
//   content_hash, signature, objects: [{label, value}], pinned}
// VerifyOut = {state: "valid" | "invalid" | "empty", summary, detail, entries, first_problem:
//   {seq, code, message} | null, anchors: [{count, network_label, uid, status, text}], covered}
// ExportOut = {text, file_name, entries, full, redacted, community_name, summary}
// AnchorQueuedOut = {outcome: "queued" | "existing", count, network_label, text}
//
// Nothing here is secret: the log holds hashes and DIDs, and the keys stay in Rust.

import { api, call, listen } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast, plural,
} from '../dom.js';
import { current } from '../router.js';

// The commands of this screen, with their argument names.
const activityApi = {
  overview: () => call('activity_overview'),
  entries: (action, community, limit) => call('activity_entries', { action, community, limit }),
  verify: () => call('activity_verify'),
  anchor: () => call('activity_anchor'),
  setAnchoring: (every) => call('activity_set_anchoring', { every }),
  exportLog: (community) => call('activity_export', { community }),
  // The Attestations screen's: starts sending again if the worker stopped on a problem.
  wakeWorker: () => call('attest_worker_start'),
};

/** Entries per page of the timeline. */
const PAGE = 50;

let limit = PAGE;
let overviewShown = null;
let overviewRequest = 0;
let entriesRequest = 0;
let verifyRequest = 0;
let refreshTimer = 0;
let listening = false;
let exported = null;

// ---------------------------------------------------------------------------------------------
// Words

function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

function entriesText(n) {
  return plural(n, 'entry', 'entries');
}

// ---------------------------------------------------------------------------------------------
// The overview: filters, pins, automatic anchoring, export choices

/** Refills a <select>, keeping the choice when it is still offered. */
function fillSelect(select, options) {
  const keep = select.value;
  clear(select);
  for (const [value, text] of options) select.appendChild(el('option', { value, text }));
  select.value = options.some(([value]) => value === keep) ? keep : (options[0] ? options[0][0] : '');
}

function renderOverview(out) {
  overviewShown = out;
  const actions = Array.isArray(out.actions) ? out.actions : [];
  const communities = Array.isArray(out.communities) ? out.communities : [];
  fillSelect(byId('activity-filter-action'), [
    ['', 'Everything'],
    ...actions.map((a) => [a.action, `${a.label} (${a.count})`]),
  ]);
  const communityFilter = byId('activity-filter-community');
  fillSelect(communityFilter, [['', 'Any, or none'], ...communities.map((c) => [c.id, c.name])]);
  communityFilter.closest('.field').hidden = communities.length === 0;
  fillSelect(byId('activity-export-what'), [
    ['', 'The whole log'],
    ...communities.map((c) => [c.id, `${c.name}’s decisions, for its members`]),
  ]);

  byId('activity-anchor-status').textContent = out.anchor_text || '';
  const list = byId('activity-anchors');
  clear(list);
  for (const a of (Array.isArray(out.anchors) ? out.anchors : []).slice(0, 5)) {
    list.appendChild(el('li', { class: 'result activity-anchor', 'data-count': String(a.count) },
      el('span', { class: 'result-state', text: `Entries 1–${a.count} on ${a.network_label}` }),
      el('span', { class: 'result-detail mono', translate: 'no', text: `Attestation UID: ${a.uid}` })));
  }
  byId('activity-anchor-network').textContent = out.network
    ? `Anchor now pins the log on ${out.network_label || out.network}, the network chosen on the Attestations screen.`
    : 'To pin the log, first choose a network on the Attestations screen.';
  byId('activity-anchor-now').hidden = !out.entries;

  const on = Boolean(out.anchoring);
  byId('activity-auto-status').textContent = out.anchoring_text || '';
  const box = byId('activity-auto-on');
  const every = byId('activity-auto-every');
  // Not while the person is editing the form.
  if (!byId('activity-auto-form').contains(document.activeElement)) {
    box.checked = on;
    if (on) every.value = String(out.anchoring.every);
  }
}

async function loadOverview() {
  const mine = ++overviewRequest;
  const errorNode = byId('activity-anchor-error');
  try {
    const out = await activityApi.overview();
    if (mine !== overviewRequest) return;
    renderOverview(out);
  } catch (error) {
    if (mine === overviewRequest) showError(errorNode, error);
  }
}

// ---------------------------------------------------------------------------------------------
// The timeline

function fact(label, value, mono = true) {
  return [el('dt', { text: label }), el('dd', { class: mono ? 'mono' : null, translate: mono ? 'no' : null, text: value })];
}

function entryNode(entry) {
  const who = entry.actor_name || entry.actor;
  const meta = [formatDate(entry.time), `by ${who}`];
  if (entry.community_name) meta.push(entry.community_name);
  if (entry.pinned) meta.push('pinned on a blockchain');
  const facts = [
    ...fact('Entry', `#${entry.seq}`, false),
    ...fact('Time', entry.time),
    ...fact('Acted and signed', entry.actor),
    ...fact('Signature', entry.signature),
  ];
  if (entry.community) facts.push(...fact('Community', entry.community));
  for (const o of Array.isArray(entry.objects) ? entry.objects : []) facts.push(...fact(o.label, o.value));
  facts.push(
    ...fact('Fingerprint of this entry', entry.hash),
    ...fact('Fingerprint of the entry before', entry.prev),
    ...fact('Fingerprint of what it says', entry.content_hash),
  );
  return el('li', {
    class: `result activity-entry${entry.pinned ? ' activity-pinned' : ''}`,
    'data-seq': String(entry.seq),
    'data-action': entry.action,
    'data-community': entry.community || '',
  },
  el('span', { class: 'result-file activity-what', text: entry.what }),
  el('span', { class: 'result-detail activity-meta', text: meta.join(' · ') }),
  el('details', { class: 'activity-details' },
    el('summary', { text: 'Details' }),
    el('dl', { class: 'facts activity-facts' }, facts)));
}

function filters() {
  return {
    action: byId('activity-filter-action').value || null,
    community: byId('activity-filter-community').value || null,
  };
}

async function loadEntries() {
  const mine = ++entriesRequest;
  const errorNode = byId('activity-error');
  const { action, community } = filters();
  try {
    const out = await activityApi.entries(action, community, limit);
    if (mine !== entriesRequest) return;
    clearError(errorNode);
    const list = byId('activity-list');
    // Keep the details the person opened.
    const open = new Set([...list.querySelectorAll('li.activity-entry details[open]')]
      .map((d) => d.closest('li').dataset.seq));
    clear(list);
    const entries = Array.isArray(out.entries) ? out.entries : [];
    for (const entry of entries) {
      const node = entryNode(entry);
      if (open.has(String(entry.seq))) node.querySelector('details').open = true;
      list.appendChild(node);
    }
    const filtered = Boolean(action || community);
    const n = entries.length;
    const total = overviewShown ? overviewShown.entries : n;
    let count = '';
    if (n > 0 && filtered) count = out.more ? `The newest ${n} matching entries` : `${entriesText(n)} matching, newest first`;
    else if (n > 0) count = out.more ? `The newest ${n} of ${entriesText(total)}` : `${entriesText(n)}, newest first`;
    byId('activity-count').textContent = count;
    const empty = byId('activity-empty');
    empty.hidden = entries.length > 0;
    empty.textContent = filtered ? 'No entries match.'
      : 'Nothing yet. Signing a file, issuing or revoking a credential, a community decision or a record on a blockchain adds an entry.';
    byId('activity-more').hidden = !out.more;
  } catch (error) {
    if (mine === entriesRequest) showError(errorNode, error);
  }
}

function onFilter() {
  limit = PAGE;
  return loadEntries();
}

function onMore(event) {
  return whileBusy(event.currentTarget, 'Loading…', async () => {
    limit += PAGE;
    await loadEntries();
  });
}

// ---------------------------------------------------------------------------------------------
// Verification

const VERIFY_BADGES = {
  checking: ['Checking…', ''],
  valid: ['Intact', 'badge-ok'],
  invalid: ['Problem found', 'badge-bad'],
  empty: ['Empty', ''],
};

function renderVerifyState(state) {
  const [text, cls] = VERIFY_BADGES[state] || VERIFY_BADGES.checking;
  const badge = byId('activity-verify-state');
  badge.dataset.state = state;
  badge.className = `badge activity-verify-state ${cls}`.trim();
  badge.textContent = text;
}

/** Verifies the whole log; `quietly` keeps the last result shown until the new one arrives. */
async function runVerify(quietly = false) {
  const mine = ++verifyRequest;
  const errorNode = byId('activity-verify-error');
  if (!quietly) renderVerifyState('checking');
  try {
    const out = await activityApi.verify();
    if (mine !== verifyRequest) return;
    clearError(errorNode);
    renderVerifyState(out.state);
    byId('activity-verify-summary').textContent = out.summary || '';
    const detail = byId('activity-verify-detail');
    detail.textContent = out.detail || '';
    detail.hidden = !out.detail;
    const list = byId('activity-verify-anchors');
    clear(list);
    for (const a of Array.isArray(out.anchors) ? out.anchors : []) {
      list.appendChild(el('li', {
        class: `result activity-check activity-check-${a.status}`,
        'data-status': a.status,
        'data-count': String(a.count),
      }, el('span', { class: 'result-detail', text: a.text })));
    }
  } catch (error) {
    if (mine !== verifyRequest) return;
    renderVerifyState('checking');
    byId('activity-verify-state').textContent = 'Not checked';
    showError(errorNode, error);
  }
}

function onVerifyAgain(event) {
  return whileBusy(event.currentTarget, 'Checking…', () => runVerify());
}

// ---------------------------------------------------------------------------------------------
// Anchoring

async function onAnchorNow(event) {
  const errorNode = byId('activity-anchor-error');
  const note = byId('activity-anchor-note');
  clearError(errorNode);
  note.textContent = '';
  await whileBusy(event.currentTarget, 'Queueing…', async () => {
    try {
      const out = await activityApi.anchor();
      note.textContent = out.text;
      toast(out.outcome === 'queued' ? 'Queued to be pinned' : 'Already pinned or on its way');
      // If sending stopped on a problem earlier, this starts it again (as Attest buttons do).
      if (out.outcome === 'queued') activityApi.wakeWorker().catch(() => {});
    } catch (error) {
      showError(errorNode, error);
    }
  });
  await loadOverview();
}

async function onAutoSave(event) {
  event.preventDefault();
  const form = byId('activity-auto-form');
  const errorNode = byId('activity-auto-error');
  const field = byId('activity-auto-every');
  clearFlags(form);
  clearError(errorNode);
  const on = byId('activity-auto-on').checked;
  let every = null;
  if (on) {
    const text = field.value.trim();
    every = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(every) || every < 1 || every > 1000000) {
      showError(errorNode, 'Type a whole number of entries from 1 to 1000000.');
      flagField(field);
      return;
    }
  }
  await whileBusy(byId('activity-auto-save'), 'Saving…', async () => {
    try {
      const out = await activityApi.setAnchoring(every);
      byId('activity-auto-save').focus();
      renderOverview(out);
      toast(on ? 'Saved: the log is pinned automatically' : 'Saved: automatic pinning is off');
    } catch (error) {
      showError(errorNode, error);
    }
  }, form);
}

// ---------------------------------------------------------------------------------------------
// Export

async function onExport(event) {
  const errorNode = byId('activity-export-error');
  clearError(errorNode);
  const community = byId('activity-export-what').value || null;
  await whileBusy(event.currentTarget, 'Exporting…', async () => {
    try {
      const out = await activityApi.exportLog(community);
      exported = out;
      byId('activity-export-summary').textContent = out.summary;
      byId('activity-export-name').textContent = out.file_name;
      byId('activity-export-text').value = out.text;
      byId('activity-export-result').hidden = false;
    } catch (error) {
      byId('activity-export-result').hidden = true;
      showError(errorNode, error);
    }
  });
}

async function onCopy(event) {
  const errorNode = byId('activity-export-error');
  clearError(errorNode);
  if (!exported) return;
  const { text } = exported;
  await whileBusy(event.currentTarget, 'Copying…', async () => {
    try {
      await api.copy(text);
      toast('Copied');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Refreshing

/** Refreshes everything; after an event (`quietly`) the last verification stays until the new one. */
function refreshAll(quietly = false) {
  return Promise.all([loadOverview().then(loadEntries), runVerify(quietly)]);
}

/** Refreshes soon (many events in a row cause one refresh). */
function refreshSoon() {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => {
    if (current() === 'activity') refreshAll(true);
  }, 300);
}

/** Listens (once) to the attestation worker's events: a pin (or any record) confirmed. */
export async function listenForActivityEvents() {
  if (listening) return;
  listening = true;
  try {
    await listen('attest-changed', (event) => {
      const payload = (event && event.payload) || {};
      // Only the queue's changes touch the log (not the worker's status alone).
      if (current() === 'activity' && Array.isArray(payload.changed) && payload.changed.length > 0) refreshSoon();
    });
  } catch (error) {
    listening = false;
    console.error(error);
  }
}

/** Forgets everything shown (called when the wallet locks). */
export function resetActivity() {
  overviewRequest += 1;
  entriesRequest += 1;
  verifyRequest += 1;
  window.clearTimeout(refreshTimer);
  limit = PAGE;
  overviewShown = null;
  exported = null;
  for (const id of ['activity-list', 'activity-anchors', 'activity-verify-anchors', 'activity-filter-action',
    'activity-filter-community', 'activity-export-what']) {
    clear(byId(id));
  }
  for (const id of ['activity-count', 'activity-verify-summary', 'activity-verify-detail', 'activity-anchor-status',
    'activity-anchor-network', 'activity-anchor-note', 'activity-auto-status', 'activity-export-summary',
    'activity-export-name']) {
    byId(id).textContent = '';
  }
  for (const id of ['activity-error', 'activity-verify-error', 'activity-anchor-error', 'activity-auto-error',
    'activity-export-error']) {
    clearError(byId(id));
  }
  byId('activity-export-text').value = '';
  byId('activity-export-result').hidden = true;
  byId('activity-empty').hidden = true;
  byId('activity-more').hidden = true;
  renderVerifyState('checking');
}

export const activityScreen = {
  section: 'activity-screen',
  title: 'Activity',
  shell: true,
  nav: 'nav-activity',
  init() {
    byId('activity-filter-action').addEventListener('change', onFilter);
    byId('activity-filter-community').addEventListener('change', onFilter);
    byId('activity-more').addEventListener('click', onMore);
    byId('activity-verify-again').addEventListener('click', onVerifyAgain);
    byId('activity-anchor-now').addEventListener('click', onAnchorNow);
    byId('activity-auto-form').addEventListener('submit', onAutoSave);
    byId('activity-export-submit').addEventListener('click', onExport);
    byId('activity-export-copy').addEventListener('click', onCopy);
  },
  enter() {
    limit = PAGE;
    return refreshAll();
  },
};
