// 14. Attestations: public, permanent records on an Ethereum network that you vouch for a signed
// file or a credential (Ethereum Attestation Service). Only hashes, DIDs and your public Ethereum
// address go on the network. This screen chooses the network (remembered in the wallet), starts
// the local devnet, shows the queue as Rust's worker sends it (an "attest-changed" event after
// every step that changed something), and looks a file up: this wallet's attestations of it and
// the network's, by anyone. The other screens' "Attest" buttons call attestFile/attestCredential.
//
// NetworksOut = {networks: [{name, rpc_url, chain_id, source, label, about, ...}], chosen,
//   chosen_label, devnet: {running, available, block}, address}
// QueueOut = {counts: {queued, sent, confirmed, failed, signed}, items: [Item], worker: Worker}
// Item = {id, network, network_label, state ("queued" | "sent" | "confirmed" | "failed" |
//   "signed"), kind, label, source, what, problem, error, retry_in, uid, tx_hash, block_number,
//   revoked_at, created_at, ...}
// Worker = {state: "stopped"} | {state: "running", address} | {state: "elsewhere"}
//   | {state: "failed", message}
// QueuedOut = {outcome: "queued" | "existing", item: Item}
// LookupOut = {sha256, network, network_label, local: [Item], on_chain: [{uid, attester, yours,
//   time, revoked, what}], chain_error}
//
// Nothing here is secret: the Ethereum key stays in Rust's worker.

import { call, listen } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast, plural,
} from '../dom.js';
import { current } from '../router.js';

// The commands of this screen, with their argument names.
const attestApi = {
  networks: () => call('attest_networks'),
  choose: (name) => call('attest_choose_network', { name }),
  devnetStart: () => call('attest_devnet_start'),
  devnetStop: () => call('attest_devnet_stop'),
  queue: () => call('attest_queue'),
  retry: (id) => call('attest_retry', { id }),
  cancel: (id) => call('attest_cancel', { id }),
  workerStart: () => call('attest_worker_start'),
  file: (path) => call('attest_file', { path }),
  credential: (id) => call('attest_credential', { id }),
  lookup: (target) => call('attest_lookup', { target }),
};

/** The biggest file read in the page to compute its SHA-256 (bigger ones: drop them). */
const MAX_CHOSEN_BYTES = 512 * 1024 * 1024;

let networksShown = null;
let queueRequest = 0;
let lookupRequest = 0;
let refreshTimer = 0;
let listening = false;

// ---------------------------------------------------------------------------------------------
// Words

function formatDate(value) {
  if (value === null || value === undefined || value === '') return '';
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** The state of a row, in words. */
function stateText(item) {
  const net = item.network_label || item.network;
  switch (item.state) {
    case 'queued': return `Waiting to be sent to ${net}`;
    case 'sent': return `Sent to ${net}, waiting for it to be recorded`;
    case 'confirmed':
      if (item.kind === 'revoke') return `Revocation recorded on ${net}`;
      return item.revoked_at ? `Recorded on ${net}, then revoked` : `Recorded on ${net}`;
    case 'failed': return `Not recorded on ${net}`;
    case 'signed': return `Signed off-chain for ${net}`;
    default: return item.state;
  }
}

function workerText(worker) {
  switch (worker && worker.state) {
    case 'running': return 'Hallmark sends your attestations to the network while your wallet is unlocked.';
    case 'elsewhere':
      return 'Another Hallmark (for example the hallmark command) is sending your attestations now. This window takes over when it is done.';
    case 'failed': return `Sending stopped: ${worker.message}`;
    default: return 'Sending waits while your wallet is locked.';
  }
}

function countsText(counts) {
  if (!counts) return '';
  const parts = [];
  if (counts.queued) parts.push(`${counts.queued} waiting`);
  if (counts.sent) parts.push(`${counts.sent} sent`);
  if (counts.confirmed) parts.push(`${counts.confirmed} recorded`);
  if (counts.failed) parts.push(`${counts.failed} not recorded`);
  if (counts.signed) parts.push(`${counts.signed} signed off-chain`);
  return parts.length ? parts.join(' · ') : '';
}

// ---------------------------------------------------------------------------------------------
// Network picker and devnet

function renderNetworks(out) {
  networksShown = out;
  const select = byId('attest-network');
  clear(select);
  const networks = Array.isArray(out.networks) ? out.networks : [];
  if (!out.chosen) select.appendChild(el('option', { value: '', text: 'Choose a network…' }));
  if (out.chosen && !networks.some((n) => n.name === out.chosen)) {
    const label = out.chosen_label || out.chosen;
    const why = out.chosen === 'devnet' ? 'not running' : 'not available';
    select.appendChild(el('option', { value: out.chosen, text: `${label} – ${why}` }));
  }
  for (const n of networks) select.appendChild(el('option', { value: n.name, text: n.label }));
  select.value = out.chosen || '';
  const chosen = networks.find((n) => n.name === out.chosen);
  byId('attest-network-about').textContent = chosen ? chosen.about
    : out.chosen === 'devnet' ? 'The devnet is not running: start it below.'
      : 'Attestations are recorded on the network you choose here.';

  const devnet = out.devnet || {};
  const status = byId('attest-devnet-status');
  status.dataset.running = devnet.running ? 'true' : 'false';
  if (devnet.running) {
    status.textContent = `Running on this computer (block ${devnet.block ?? 0}). Your account got free test ETH on it. Started here, it stops when you quit Hallmark.`;
  } else if (devnet.available) {
    status.textContent = 'Not running. Start it to try attestations for free: a private test chain on this computer.';
  } else {
    status.textContent = 'Not available: the developer tools it needs (anvil and the EAS contracts) are not installed on this computer.';
  }
  byId('attest-devnet-start').hidden = Boolean(devnet.running) || !devnet.available;
  byId('attest-devnet-stop').hidden = !devnet.running;
  byId('attest-address').textContent = out.address || '';
}

async function loadNetworks() {
  const errorNode = byId('attest-network-error');
  try {
    renderNetworks(await attestApi.networks());
    clearError(errorNode);
  } catch (error) {
    showError(errorNode, error);
  }
}

async function onChoose(event) {
  const name = event.currentTarget.value;
  const errorNode = byId('attest-network-error');
  clearError(errorNode);
  if (!name) return;
  try {
    const out = await attestApi.choose(name);
    renderNetworks(out);
    toast(`Attestations will be recorded on ${out.chosen_label || name}`);
  } catch (error) {
    showError(errorNode, error);
    if (networksShown) renderNetworks(networksShown);
  }
}

async function onDevnet(event, start) {
  const errorNode = byId('attest-devnet-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, start ? 'Starting…' : 'Stopping…', async () => {
    try {
      const out = start ? await attestApi.devnetStart() : await attestApi.devnetStop();
      renderNetworks(out);
      toast(start ? 'The devnet is running' : 'The devnet is stopped');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The queue

function itemNode(item, { actions = true } = {}) {
  const lines = [
    el('span', { class: 'result-file', text: item.label || 'Attestation' }),
    el('span', { class: 'result-state attest-state', text: stateText(item) }),
  ];
  if (item.what) lines.push(el('span', { class: 'result-detail attest-what', text: item.what, translate: 'no' }));
  if (item.uid && item.kind !== 'revoke') {
    lines.push(el('span', { class: 'result-detail attest-uid mono', translate: 'no', text: `Attestation UID: ${item.uid}` }));
  }
  if (item.state === 'confirmed' && item.block_number !== null && item.block_number !== undefined) {
    lines.push(el('span', { class: 'result-detail', text: `In block ${item.block_number} · asked for on ${formatDate(item.created_at)}` }));
  } else {
    lines.push(el('span', { class: 'result-detail', text: `Asked for on ${formatDate(item.created_at)}` }));
  }
  if (item.problem && item.state !== 'confirmed') {
    let text = item.problem;
    if (item.state === 'queued' && Number.isFinite(item.retry_in) && item.retry_in > 0) {
      text += ` Next try in about ${plural(item.retry_in, 'second', 'seconds')}.`;
    }
    lines.push(el('span', { class: 'attest-problem', text }));
  }
  const li = el('li', {
    class: `result attest-item attest-${item.state}`,
    'data-id': String(item.id),
    'data-state': item.state,
    'data-uid': item.uid || '',
  }, lines);
  if (actions) {
    const buttons = [];
    if (item.state === 'failed') {
      buttons.push(itemButton('Try again', 'Trying…', 'attest-retry', item, async () => {
        const again = await attestApi.retry(item.id);
        toast(again ? 'Queued again' : 'It is already queued or recorded');
      }));
    }
    if (item.state === 'queued') {
      buttons.push(itemButton('Cancel', 'Cancelling…', 'attest-cancel', item, async () => {
        const cancelled = await attestApi.cancel(item.id);
        toast(cancelled ? 'Cancelled: it will not be sent' : 'Too late to cancel: it was sent already');
      }));
    }
    if (buttons.length) li.appendChild(el('div', { class: 'actions' }, buttons));
  }
  return li;
}

function itemButton(label, busy, cls, item, task) {
  const button = el('button', { type: 'button', class: `button button-secondary button-small ${cls}`, text: label });
  button.addEventListener('click', () => whileBusy(button, busy, async () => {
    const errorNode = byId('attest-queue-error');
    clearError(errorNode);
    try {
      await task();
    } catch (error) {
      showError(errorNode, error);
    }
    await refreshQueue();
  }));
  return button;
}

function renderWorker(worker) {
  const node = byId('attest-worker');
  node.textContent = workerText(worker);
  node.dataset.state = (worker && worker.state) || 'stopped';
  byId('attest-worker-actions').hidden = !(worker && worker.state === 'failed');
}

async function refreshQueue() {
  const mine = ++queueRequest;
  const errorNode = byId('attest-queue-error');
  try {
    const out = await attestApi.queue();
    if (mine !== queueRequest) return;
    clearError(errorNode);
    renderWorker(out.worker);
    byId('attest-counts').textContent = countsText(out.counts);
    const list = byId('attest-items');
    clear(list);
    const items = Array.isArray(out.items) ? out.items : [];
    for (const item of items) list.appendChild(itemNode(item));
    byId('attest-empty').hidden = items.length > 0;
  } catch (error) {
    if (mine === queueRequest) showError(errorNode, error);
  }
}

/** Refreshes the queue soon (many events in a row cause one refresh). */
function refreshSoon() {
  window.clearTimeout(refreshTimer);
  refreshTimer = window.setTimeout(() => {
    if (current() === 'attestations') refreshQueue();
  }, 150);
}

async function onWorkerStart(event) {
  const errorNode = byId('attest-queue-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Starting…', async () => {
    try {
      renderWorker(await attestApi.workerStart());
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

/** Listens (once) to Rust's "attest-changed" events: the worker's status and the queue. */
export async function listenForAttestEvents() {
  if (listening) return;
  listening = true;
  try {
    await listen('attest-changed', (event) => {
      const payload = (event && event.payload) || {};
      if (current() !== 'attestations') return;
      if (payload.worker) renderWorker(payload.worker);
      refreshSoon();
    });
  } catch (error) {
    listening = false;
    console.error(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Lookup

function foundNode(found, networkLabel) {
  const who = found.yours ? `you (${found.attester})` : found.attester;
  const lines = [
    el('span', { class: 'result-file', text: found.what }),
    el('span', {
      class: 'result-state',
      text: found.revoked ? `Recorded on ${networkLabel} by ${who}, then revoked` : `Recorded on ${networkLabel} by ${who}`,
    }),
    el('span', { class: 'result-detail', text: `On ${formatDate(found.time)}` }),
    el('span', { class: 'result-detail attest-uid mono', translate: 'no', text: `Attestation UID: ${found.uid}` }),
  ];
  return el('li', {
    class: `result attest-found${found.yours ? ' attest-found-yours' : ''}`,
    'data-uid': found.uid,
    'data-yours': found.yours ? 'true' : 'false',
  }, lines);
}

function renderLookup(out) {
  byId('attest-lookup-sha').textContent = `SHA-256 of the file: ${out.sha256}`;
  const net = out.network_label || out.network;
  const note = byId('attest-lookup-chain-note');
  const chain = byId('attest-lookup-chain');
  clear(chain);
  const found = Array.isArray(out.on_chain) ? out.on_chain : [];
  if (!out.network) {
    note.hidden = false;
    note.textContent = 'No network is chosen above, so only this wallet was searched.';
    byId('attest-lookup-chain-summary').textContent = '';
  } else if (out.chain_error) {
    note.hidden = false;
    note.textContent = `${net} could not be searched: ${out.chain_error}`;
    byId('attest-lookup-chain-summary').textContent = '';
  } else {
    note.hidden = true;
    note.textContent = '';
    byId('attest-lookup-chain-summary').textContent = found.length
      ? `${net} holds ${plural(found.length, 'attestation', 'attestations')} of this file:`
      : `Nobody recorded this file on ${net}.`;
  }
  for (const f of found) chain.appendChild(foundNode(f, net));
  const local = Array.isArray(out.local) ? out.local : [];
  const list = byId('attest-lookup-local');
  clear(list);
  for (const item of local) list.appendChild(itemNode(item, { actions: false }));
  byId('attest-lookup-local-summary').textContent = local.length
    ? `This wallet asked for ${plural(local.length, 'attestation', 'attestations')} of it:`
    : 'This wallet has not attested this file.';
  byId('attest-lookup-result').hidden = false;
}

async function lookup(target) {
  const errorNode = byId('attest-lookup-error');
  const field = byId('attest-lookup-target');
  clearFlags(byId('attest-lookup-form'));
  clearError(errorNode);
  if (!target) {
    showError(errorNode, 'Drop a file, choose it, type its full path, or paste its SHA-256.');
    flagField(field);
    return;
  }
  const mine = ++lookupRequest;
  await whileBusy(byId('attest-lookup-submit'), 'Looking…', async () => {
    try {
      const out = await attestApi.lookup(target);
      if (mine !== lookupRequest) return;
      renderLookup(out);
      byId('attest-lookup-result-title').focus();
    } catch (error) {
      if (mine !== lookupRequest) return;
      byId('attest-lookup-result').hidden = true;
      showError(errorNode, error);
      flagField(field);
    }
  }, byId('attest-lookup-form'));
}

function onLookup(event) {
  event.preventDefault();
  return lookup(byId('attest-lookup-target').value.trim());
}

function onPathsDropped(event) {
  const paths = event.detail && Array.isArray(event.detail.paths) ? event.detail.paths : [];
  if (paths.length === 0) return undefined;
  const field = byId('attest-lookup-target');
  field.value = String(paths[0]);
  if (paths.length > 1) toast(`Looking up the first of the ${plural(paths.length, 'dropped item', 'dropped items')}`);
  return lookup(field.value.trim());
}

/** The SHA-256 of a chosen file, computed here (the page does not learn its path). */
async function onFileChosen(event) {
  const input = event.currentTarget;
  const file = input.files && input.files[0];
  const errorNode = byId('attest-lookup-error');
  clearError(errorNode);
  if (!file) return undefined;
  const subtle = window.crypto && window.crypto.subtle;
  if (!subtle) {
    showError(errorNode, 'Hallmark cannot read a file chosen this way here: drop it, or type its full path.');
    return undefined;
  }
  if (file.size > MAX_CHOSEN_BYTES) {
    showError(errorNode, `${file.name} is too large to read this way: drop it, or type its full path.`);
    return undefined;
  }
  try {
    const digest = await subtle.digest('SHA-256', await file.arrayBuffer());
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    byId('attest-lookup-target').value = `0x${hex}`;
  } catch {
    showError(errorNode, `Hallmark could not read ${file.name}: drop it, or type its full path.`);
    return undefined;
  } finally {
    input.value = '';
  }
  return lookup(byId('attest-lookup-target').value);
}

// ---------------------------------------------------------------------------------------------
// "Attest" buttons on the other screens

function queuedText(out) {
  const item = out.item || {};
  const net = item.network_label || item.network;
  if (out.outcome === 'existing') {
    return item.state === 'confirmed' ? `Already recorded on ${net}.` : `Already queued for ${net}: see the Attestations screen.`;
  }
  return `Queued: Hallmark records it on ${net} in a moment. Follow it on the Attestations screen.`;
}

async function attestWith(task, button, noteNode, errorNode) {
  clearError(errorNode);
  if (noteNode) noteNode.textContent = '';
  await whileBusy(button, 'Queueing…', async () => {
    try {
      const out = await task();
      const text = queuedText(out);
      if (noteNode) noteNode.textContent = text;
      toast(out.outcome === 'existing' ? 'Already attested' : 'Queued to be recorded');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

/** Queues the attestation of the signed file at `path` on the chosen network. */
export function attestFile(path, button, noteNode, errorNode) {
  return attestWith(() => attestApi.file(path), button, noteNode, errorNode);
}

/** Queues the attestation of the held credential `id` on the chosen network. */
export function attestCredential(id, button, noteNode, errorNode) {
  return attestWith(() => attestApi.credential(id), button, noteNode, errorNode);
}

// ---------------------------------------------------------------------------------------------

/** Forgets everything shown (called when the wallet locks). */
export function resetAttest() {
  queueRequest += 1;
  lookupRequest += 1;
  networksShown = null;
  window.clearTimeout(refreshTimer);
  clear(byId('attest-network'));
  clear(byId('attest-items'));
  clear(byId('attest-lookup-chain'));
  clear(byId('attest-lookup-local'));
  for (const id of ['attest-network-about', 'attest-devnet-status', 'attest-address', 'attest-counts',
    'attest-lookup-sha', 'attest-lookup-chain-summary', 'attest-lookup-local-summary', 'attest-lookup-chain-note']) {
    byId(id).textContent = '';
  }
  for (const id of ['attest-error', 'attest-network-error', 'attest-devnet-error', 'attest-queue-error',
    'attest-lookup-error']) {
    clearError(byId(id));
  }
  byId('attest-lookup-target').value = '';
  byId('attest-lookup-result').hidden = true;
  byId('attest-empty').hidden = true;
  renderWorker({ state: 'stopped' });
}

export const attestScreen = {
  section: 'attestations-screen',
  title: 'Attestations',
  shell: true,
  nav: 'nav-attest',
  init() {
    byId('attest-network').addEventListener('change', onChoose);
    byId('attest-devnet-start').addEventListener('click', (event) => onDevnet(event, true));
    byId('attest-devnet-stop').addEventListener('click', (event) => onDevnet(event, false));
    byId('attest-worker-start').addEventListener('click', onWorkerStart);
    byId('attest-lookup-form').addEventListener('submit', onLookup);
    byId('attest-drop').addEventListener('paths-dropped', onPathsDropped);
    byId('attest-lookup-file').addEventListener('change', onFileChosen);
  },
  enter() {
    return Promise.all([loadNetworks(), refreshQueue()]);
  },
};
