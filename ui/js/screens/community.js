// 11. Communities. The overview lists the communities this wallet runs (a moderator's desk) and
// the ones its identities belong to elsewhere, with forms to create a community, to join one from
// an invitation, and to vouch as a member. A community's page shows its members, the join
// requests waiting, the vouches with the humanity tally, and its history; moderators make
// invitations, receive and admit (or turn down) requests, issue humanity credentials, approve
// and make moderators, and ban; members vouch and leave.
//
// CommunitiesOut = {runs: [{id, name, created_by, created_at, vouch_threshold, moderator_threshold,
//   active_members, moderators, pending_requests}], member_of: [{community_id, community_name, role,
//   member, issuer, credential_id, valid}]}
// CommunityPage = {community, members: [{did, role, state, since, updated_at, credential,
//   revoked: [{credential, revoked_at}], approvals: null | Tally}], pending_requests: [{id, holder,
//   received_at, ...}], open_invites, candidates: [{did, tally: Tally, humanity_credential}],
//   my_moderators: [did], my_members: [did], history: [{seq, at, actor, action, subject, detail,
//   credential, revoked}]}
// Tally = {needed, counted: [did], not_counted: [{did, why}], enough}
// HandOver = {text, qr: null | {size, modules}, qr_bytes, credential_id, added_here}
//
// Nothing here is secret: invitations, requests, vouches and credentials are public statements;
// the keys that sign them stay in Rust.

import { api, call } from '../api.js';
import {
  byId, el, clear, showError, clearError, flagField, clearFlags, whileBusy, toast, plural,
} from '../dom.js';
import { qrSvg } from '../qr.js';
import { personName, shortDid } from '../credential-words.js';

/** The most Hallmark reads as one document (the same limit as in Rust). */
const MAX_FILE_BYTES = 512 * 1024;

const ROLE_NAMES = { member: 'Member', moderator: 'Moderator' };

// The commands of this screen, with their argument names.
const communityApi = {
  list: () => call('communities_list'),
  show: (id) => call('community_show', { id }),
  create: (form) => call('community_create', { form }),
  invite: (id, moderator) => call('community_invite', { id, moderator }),
  join: (holder, invitation) => call('community_join', { holder, invitation }),
  receive: (id, text) => call('community_receive', { id, text, lists: null }),
  admit: (request, moderator) => call('community_admit', { request, moderator }),
  reject: (request, reason, moderator) => call('community_reject', { request, reason, moderator }),
  vouch: (voucher, community, candidate, note) => call('community_vouch', { voucher, community, candidate, note }),
  approve: (moderator, community, member) => call('community_approve', { moderator, community, member }),
  addVouches: (id, texts, lists) => call('community_add_vouches', { id, texts, lists }),
  humanity: (id, candidate, moderator) => call('community_humanity', { id, candidate, moderator }),
  promote: (id, member, moderator) => call('community_promote', { id, member, moderator }),
  leave: (id, member) => call('community_leave', { id, member }),
  ban: (id, did, reason, moderator) => call('community_ban', { id, did, reason, moderator }),
};

let overview = { runs: [], member_of: [] };
let identities = [];
/** The id of the community whose page is open, and its CommunityPage once loaded. */
let openId = null;
let page = null;
// Increases on every page load, so answers for an earlier community are ignored.
let pageRequest = 0;
/** Whom the open confirmation is about: {did} for ban and leave, {id, holder} for a request. */
let banTarget = null;
let leaveTarget = null;
let rejectTarget = null;
/** The credential whose status list the handover's "Copy your status list" copies, per handover. */
const handoverCredential = { 'list-handover': null, 'page-handover': null };

// ---------------------------------------------------------------------------------------------
// Words

function formatDate(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Dates written inside core's sentences ("they left the community on 2025-…Z"), made readable. */
function readableDates(text) {
  return String(text ?? '').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g, formatDate);
}

function labelOf(did) {
  const identity = identities.find((i) => i.did === did);
  return identity ? identity.label || '' : undefined;
}

/** "Alice (you)", "You (an unnamed identity)" or a shortened DID. */
function who(did) {
  return personName(did, labelOf(did));
}

function signers() {
  return identities.filter((identity) => identity.key_type === 'ed25519');
}

function identityOption(did) {
  return el('option', { value: did, text: `${who(did)} – ${shortDid(did)}` });
}

function fillSelect(select, dids, emptyText) {
  const previous = select.value;
  clear(select);
  if (dids.length === 0) select.appendChild(el('option', { value: '', text: emptyText }));
  for (const did of dids) select.appendChild(identityOption(did));
  if (dids.includes(previous)) select.value = previous;
}

function roleName(role) {
  return ROLE_NAMES[role] || String(role ?? '');
}

/** "Active since …", "Left on …", "Banned on …". */
function standingText(member) {
  if (member.state === 'active') return `Active since ${formatDate(member.since)}`;
  if (member.state === 'left') return `Left on ${formatDate(member.updated_at)}`;
  if (member.state === 'banned') return `Banned on ${formatDate(member.updated_at)}`;
  return String(member.state ?? '');
}

/** "2 of 3 vouches from current members". */
function tallyText(tally, what) {
  return `${tally.counted.length} of ${tally.needed} ${what}`;
}

function notCountedText(tally) {
  return tally.not_counted.map((n) => `${who(n.did)} (${readableDates(n.why)})`).join('; ');
}

/** One line of the history, in plain words. */
function historyText(d) {
  const actor = who(d.actor);
  const subject = d.subject ? who(d.subject) : '';
  const detail = d.detail || {};
  const reason = detail.reason ? `: “${detail.reason}”` : '';
  let text;
  switch (d.action) {
    case 'created': text = `${actor} created the community`; break;
    case 'invited': text = `${actor} made an invitation`; break;
    case 'admitted': text = `${actor} admitted ${subject}`; break;
    case 'rejected': text = `${actor} turned down the join request of ${subject}${reason}`; break;
    case 'vouch_received':
      text = detail.vouched_for === 'moderator'
        ? `${actor} approved making ${subject} a moderator`
        : `${actor} vouched for ${subject}`;
      break;
    case 'humanity_issued': text = `${actor} gave ${subject} a humanity credential`; break;
    case 'moderator_added': text = `${actor} made ${subject} a moderator`; break;
    case 'left': text = `${subject} left the community`; break;
    case 'banned': text = `${actor} banned ${subject}${reason}`; break;
    default: text = `${actor}: ${d.action}${subject ? ` (${subject})` : ''}`;
  }
  if (Array.isArray(d.revoked) && d.revoked.length > 0) {
    text += ` – ${plural(d.revoked.length, 'credential', 'credentials')} revoked`;
  }
  return `${text}.`;
}

// ---------------------------------------------------------------------------------------------
// Handing documents over: QR code and text

function hideHandover(prefix) {
  byId(prefix).hidden = true;
  clear(byId(`${prefix}-qr`));
  byId(`${prefix}-title`).textContent = '';
  byId(`${prefix}-note`).textContent = '';
  byId(`${prefix}-text`).value = '';
  byId(`${prefix}-list`).hidden = true;
  clearError(byId(`${prefix}-error`));
  handoverCredential[prefix] = null;
}

/**
 * Shows a document to hand over in the panel `prefix` (list-handover, page-handover):
 * {title, note, text, qr, qrBytes, credentialId (its status list can be copied)}.
 */
function showHandover(prefix, { title, note, text, qr = null, qrBytes = 0, credentialId = null }) {
  hideHandover(prefix);
  byId(`${prefix}-title`).textContent = title;
  const qrNode = byId(`${prefix}-qr`);
  let drawn = false;
  if (qr) {
    try {
      qrNode.appendChild(qrSvg(qr, title));
      drawn = true;
    } catch (error) {
      showError(byId(`${prefix}-error`), error);
    }
  }
  let qrNote = '';
  if (drawn) qrNote = ' It can be scanned from this QR code, or copied as text below.';
  else if (qrBytes > 0) qrNote = ` It is too large for a QR code (${qrBytes} characters), so copy the text below.`;
  byId(`${prefix}-note`).textContent = `${note}${qrNote}`;
  byId(`${prefix}-text`).value = text || '';
  handoverCredential[prefix] = credentialId;
  byId(`${prefix}-list`).hidden = !credentialId;
  byId(prefix).hidden = false;
  byId(`${prefix}-title`).focus();
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

async function copyStatusList(button, prefix) {
  const id = handoverCredential[prefix];
  if (!id) return;
  const errorNode = byId(`${prefix}-error`);
  await whileBusy(button, 'Copying…', async () => {
    try {
      const list = await api.credentialStatusList(id);
      await api.copy(list.text);
      clearError(errorNode);
      toast('Status list copied');
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

/** After a revocation: shows the re-signed status list to hand out or publish again. */
async function showStatusList(credentialId, whom) {
  try {
    const list = await api.credentialStatusList(credentialId);
    const where = /^https?:\/\//.test(list.url)
      ? `Publish it again at ${list.url}`
      : 'Give it again, as a file, to the people who check these cards';
    showHandover('page-handover', {
      title: 'Your updated status list',
      note: `People who check ${whom}’s membership card read this list to see that it is revoked. ${where}.`,
      text: list.text,
    });
  } catch (error) {
    showError(byId('members-error'), error);
  }
}

// ---------------------------------------------------------------------------------------------
// Files

async function readFile(file, errorNode) {
  if (file.size > MAX_FILE_BYTES) {
    showError(errorNode, `The file ${file.name} is ${file.size} bytes, more than Hallmark reads (${MAX_FILE_BYTES}).`);
    return null;
  }
  try {
    return await file.text();
  } catch {
    showError(errorNode, `Hallmark could not read the file ${file.name}.`);
    return null;
  }
}

/** A file chosen in `inputId` fills the text field `textId`. */
function wireFileToText(inputId, textId, errorId) {
  byId(inputId).addEventListener('change', async () => {
    const input = byId(inputId);
    const errorNode = byId(errorId);
    clearError(errorNode);
    const file = input.files && input.files[0];
    if (!file) return;
    const text = await readFile(file, errorNode);
    if (text !== null) byId(textId).value = text;
  });
}

// ---------------------------------------------------------------------------------------------
// Overview

function renderOverview() {
  const list = byId('community-list');
  clear(list);
  byId('communities-empty').hidden = overview.runs.length > 0;
  list.hidden = overview.runs.length === 0;
  for (const c of overview.runs) {
    const lines = [
      el('span', { class: 'community-name', text: c.name }),
      el('span', {
        class: 'credential-line community-counts',
        text: `${plural(c.active_members, 'member', 'members')}, ${plural(c.moderators, 'moderator', 'moderators')}`,
      }),
    ];
    if (c.pending_requests > 0) {
      lines.push(el('span', {
        class: 'credential-line community-pending',
        text: `${plural(c.pending_requests, 'join request', 'join requests')} waiting`,
      }));
    }
    const button = el('button', { type: 'button', class: 'identity-button community-button', 'data-id': c.id }, lines);
    button.addEventListener('click', () => openCommunity(c.id, { focus: true }));
    list.appendChild(el('li', { class: 'community', 'data-id': c.id }, button));
  }

  const memberships = byId('membership-list');
  clear(memberships);
  byId('memberships-block').hidden = overview.member_of.length === 0;
  for (const m of overview.member_of) {
    memberships.appendChild(el('li', { class: 'membership identity-button', 'data-id': m.community_id },
      el('span', { class: 'community-name', text: m.community_name }),
      el('span', { class: 'credential-line', text: `${roleName(m.role)}, as ${who(m.member)}` }),
      el('span', {
        class: `badge ${m.valid ? 'badge-ok' : 'badge-bad'}`,
        text: m.valid ? 'Membership card verified' : 'Membership card not valid (see Credentials)',
      })));
  }

  // Vouching as a member of a community run elsewhere.
  byId('member-vouch-panel').hidden = overview.member_of.length === 0;
  const choice = byId('member-vouch-in');
  clear(choice);
  overview.member_of.forEach((m, index) => {
    choice.appendChild(el('option', { value: String(index), text: `${m.community_name} – as ${who(m.member)}` }));
  });

  fillSelect(byId('create-community-as'), signers().map((i) => i.did),
    'No identity can moderate yet: create one on the Identities screen');
  fillSelect(byId('join-as'), signers().map((i) => i.did), 'No identity can join yet: create one on the Identities screen');
}

async function refreshOverview() {
  const loading = byId('communities-loading');
  const errorNode = byId('communities-error');
  loading.hidden = false;
  try {
    const [out, ids] = await Promise.all([communityApi.list(), api.listIdentities()]);
    overview = out && Array.isArray(out.runs) ? out : { runs: [], member_of: [] };
    identities = Array.isArray(ids) ? ids : [];
    clearError(errorNode);
  } catch (error) {
    showError(errorNode, error);
    return;
  } finally {
    loading.hidden = true;
  }
  renderOverview();
}

function showOverview({ focus = false } = {}) {
  openId = null;
  page = null;
  pageRequest += 1;
  hideConfirms();
  hideHandover('page-handover');
  byId('community-page').hidden = true;
  byId('communities-overview').hidden = false;
  if (focus) byId('communities-title').focus();
}

async function onCreate(event) {
  event.preventDefault();
  const form = byId('create-community-form');
  const errorNode = byId('create-community-error');
  clearFlags(form);
  clearError(errorNode);
  const nameField = byId('create-community-name');
  const vouchesField = byId('create-community-vouches');
  const approvalsField = byId('create-community-approvals');
  const name = nameField.value.trim();
  const creator = byId('create-community-as').value;
  const vouches = Number(vouchesField.value);
  const approvals = Number(approvalsField.value);
  if (name === '') {
    showError(errorNode, 'Please give the community a name.');
    flagField(nameField);
    return;
  }
  if (!creator) {
    showError(errorNode, 'First create an identity on the Identities screen: it moderates the community.');
    return;
  }
  for (const [field, value, what] of [[vouchesField, vouches, 'vouches'], [approvalsField, approvals, 'approvals']]) {
    if (!Number.isInteger(value) || value < 1 || value > 100) {
      showError(errorNode, `The number of ${what} needed is a whole number from 1 to 100.`);
      flagField(field);
      return;
    }
  }
  await whileBusy(byId('create-community-submit'), 'Creating…', async () => {
    try {
      const created = await communityApi.create({ name, creator, vouches, moderator_approvals: approvals });
      nameField.value = '';
      toast('Community created');
      await refreshOverview();
      await openCommunity(created.community.id, { focus: true, preloaded: created });
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'invalid_input') flagField(nameField);
    }
  });
}

/** The community id, name and challenge of an invitation's text, or null. */
function invitationOf(text) {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

async function onJoin(event) {
  event.preventDefault();
  const form = byId('join-form');
  const errorNode = byId('join-error');
  const field = byId('join-invitation');
  clearFlags(form);
  clearError(errorNode);
  const invitation = field.value.trim();
  const holder = byId('join-as').value;
  if (invitation === '') {
    showError(errorNode, 'Please paste the invitation the moderator gave you, or choose its file.');
    flagField(field);
    return;
  }
  if (!holder) {
    showError(errorNode, 'First create an identity on the Identities screen: it is the one that joins.');
    return;
  }
  await whileBusy(byId('join-submit'), 'Signing…', async () => {
    try {
      const out = await communityApi.join(holder, invitation);
      const inv = invitationOf(invitation) || {};
      const name = typeof inv.name === 'string' && inv.name ? inv.name : 'the community';
      field.value = '';
      byId('join-file').value = '';
      showHandover('list-handover', {
        title: `Your join request to ${name}`,
        note: 'Send it back to the moderator who invited you. Once they let you in, they give you your membership card: add it on the Credentials screen.',
        text: out.text,
        qr: out.qr,
        qrBytes: out.qr_bytes,
      });
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'bad_setting') flagField(field);
    }
  });
}

async function onMemberVouch(event) {
  event.preventDefault();
  const form = byId('member-vouch-form');
  const errorNode = byId('member-vouch-error');
  const forField = byId('member-vouch-for');
  clearFlags(form);
  clearError(errorNode);
  const membership = overview.member_of[Number(byId('member-vouch-in').value)];
  const candidate = forField.value.trim();
  if (!membership) {
    showError(errorNode, 'Choose the community you vouch in.');
    return;
  }
  if (candidate === '') {
    showError(errorNode, 'Please type the public address (DID) of the person you vouch for. It starts with “did:”.');
    flagField(forField);
    return;
  }
  const note = byId('member-vouch-note').value.trim() || null;
  await whileBusy(byId('member-vouch-submit'), 'Signing…', async () => {
    try {
      const out = await communityApi.vouch(membership.member, membership.community_id, candidate, note);
      forField.value = '';
      byId('member-vouch-note').value = '';
      showHandover('list-handover', {
        title: `Your vouch for ${shortDid(candidate)}`,
        note: `Send it to a moderator of ${membership.community_name}, with your status list so they can check you did not take it back.`,
        text: out.text,
        qr: out.qr,
        qrBytes: out.qr_bytes,
        credentialId: out.credential_id,
      });
    } catch (error) {
      showError(errorNode, error);
      if (error.code === 'invalid_did' || error.code === 'self_vouch') flagField(forField);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// A community's page

function isModerator() {
  return Boolean(page && page.my_moderators.length > 0);
}

function acting() {
  return byId('community-acting').value || null;
}

function hideConfirms() {
  banTarget = null;
  leaveTarget = null;
  rejectTarget = null;
  byId('ban-panel').hidden = true;
  byId('leave-panel').hidden = true;
  byId('reject-panel').hidden = true;
  for (const id of ['ban-error', 'leave-error', 'reject-error']) clearError(byId(id));
}

function actionButton(cls, text, handler) {
  const button = el('button', { type: 'button', class: `button button-secondary button-small ${cls}`, text });
  button.addEventListener('click', handler);
  return button;
}

function renderMembers() {
  const list = byId('member-list');
  clear(list);
  const c = page.community;
  for (const m of page.members) {
    const revokedAt = m.revoked.map((r) => r.revoked_at).filter(Boolean);
    const lines = [
      el('span', { class: 'member-name', text: who(m.did) }),
      el('span', { class: 'did member-did', text: m.did, translate: 'no' }),
      el('span', { class: 'member-line member-role', text: roleName(m.role) }),
      el('span', { class: `member-line member-state state-${m.state}`, text: standingText(m) }),
    ];
    if (m.state !== 'active' && revokedAt.length > 0) {
      lines.push(el('span', {
        class: 'member-line member-card',
        text: `Membership card revoked on ${formatDate(revokedAt[revokedAt.length - 1])}`,
      }));
    }
    const actions = [];
    const me = acting();
    if (m.approvals) {
      const t = m.approvals;
      lines.push(el('span', {
        class: 'member-line member-approvals',
        text: `To become a moderator: ${tallyText(t, `approvals from current moderators (${c.moderator_threshold} needed)`)}`,
      }));
      if (isModerator() && me && !t.counted.includes(me)) {
        actions.push(actionButton('member-approve', 'Approve as moderator', (e) => onApprove(e, m.did)));
      }
      if (isModerator() && t.enough) {
        actions.push(actionButton('member-promote', 'Make moderator', (e) => onPromote(e, m.did)));
      }
    }
    if (isModerator() && m.state !== 'banned' && !page.my_moderators.includes(m.did)) {
      actions.push(actionButton('member-ban', 'Ban…', () => onBanAsk(m.did)));
    }
    if (m.state === 'active' && page.my_members.includes(m.did)) {
      actions.push(actionButton('member-leave', 'Leave…', () => onLeaveAsk(m.did)));
    }
    if (actions.length > 0) lines.push(el('div', { class: 'actions member-actions' }, actions));
    list.appendChild(el('li', { class: `member state-${m.state}`, 'data-did': m.did, 'data-state': m.state }, lines));
  }
}

function renderRequests() {
  const list = byId('pending-list');
  clear(list);
  byId('pending-empty').hidden = page.pending_requests.length > 0;
  for (const r of page.pending_requests) {
    const lines = [
      el('span', { class: 'member-name request-from', text: `From ${who(r.holder)}` }),
      el('span', { class: 'did member-did', text: r.holder, translate: 'no' }),
      el('span', { class: 'member-line', text: `Received ${formatDate(r.received_at)}; its signature checked` }),
    ];
    if (isModerator()) {
      lines.push(el('div', { class: 'actions member-actions' },
        actionButton('request-admit', 'Admit', (e) => onAdmit(e, r)),
        actionButton('request-reject', 'Turn down…', () => onRejectAsk(r))));
    }
    list.appendChild(el('li', { class: 'request', 'data-id': r.id, 'data-holder': r.holder }, lines));
  }
  byId('invite-count').textContent = page.open_invites > 0
    ? `${plural(page.open_invites, 'invitation', 'invitations')} given out and not used yet.`
    : '';
}

function renderCandidates() {
  const list = byId('candidate-list');
  clear(list);
  const c = page.community;
  byId('vouches-rule').textContent = `A moderator can give someone a humanity credential – proof that they are a real, unique person – once ${plural(c.vouch_threshold, 'current member vouches', 'current members vouch')} for them.`;
  byId('candidates-empty').hidden = page.candidates.length > 0;
  for (const x of page.candidates) {
    const t = x.tally;
    const lines = [
      el('span', { class: 'member-name', text: who(x.did) }),
      el('span', { class: 'did member-did', text: x.did, translate: 'no' }),
      el('span', { class: `member-line candidate-tally ${t.enough ? 'tally-enough' : ''}`, text: tallyText(t, 'vouches from current members') }),
    ];
    if (t.counted.length > 0) {
      lines.push(el('span', { class: 'member-line', text: `Counted: ${t.counted.map(who).join(', ')}` }));
    }
    if (t.not_counted.length > 0) {
      lines.push(el('span', { class: 'member-line', text: `Not counted: ${notCountedText(t)}` }));
    }
    if (x.humanity_credential) {
      lines.push(el('span', { class: 'badge badge-ok candidate-issued', text: 'Humanity credential given' }));
    } else if (t.enough && isModerator()) {
      lines.push(el('div', { class: 'actions member-actions' },
        actionButton('candidate-issue', 'Give humanity credential', (e) => onHumanity(e, x.did))));
    } else if (!t.enough) {
      const missing = t.needed - t.counted.length;
      lines.push(el('span', { class: 'member-line', text: `${plural(missing, 'more vouch', 'more vouches')} needed.` }));
    }
    list.appendChild(el('li', { class: 'candidate', 'data-did': x.did }, lines));
  }
  // The vouch form: as one of this wallet's active members, for anyone the page knows.
  byId('vouch-form').hidden = page.my_members.length === 0;
  fillSelect(byId('vouch-as'), page.my_members, 'None of your identities is a member');
  const options = byId('vouch-for-options');
  clear(options);
  const known = new Set([...page.members.filter((m) => m.state === 'active').map((m) => m.did),
    ...page.pending_requests.map((r) => r.holder), ...page.candidates.map((x) => x.did)]);
  for (const did of known) options.appendChild(el('option', { value: did, label: who(did) }));
}

function renderHistory() {
  const list = byId('history-list');
  clear(list);
  for (const d of page.history) {
    list.appendChild(el('li', { class: 'history-item', 'data-action': d.action },
      el('span', { class: 'history-when', text: formatDate(d.at) }),
      el('span', { class: 'history-what', text: historyText(d) })));
  }
}

function renderPage() {
  const c = page.community;
  byId('community-name').textContent = c.name;
  byId('community-created').textContent = `${formatDate(c.created_at)} by ${who(c.created_by)}`;
  const active = page.members.filter((m) => m.state === 'active');
  const moderators = active.filter((m) => m.role === 'moderator');
  byId('community-counts').textContent = `${plural(active.length, 'active member', 'active members')}, of whom ${plural(moderators.length, 'moderator', 'moderators')}`;
  byId('community-rule-vouches').textContent = `After ${plural(c.vouch_threshold, 'vouch', 'vouches')} from current members`;
  byId('community-rule-approvals').textContent = `After ${plural(c.moderator_threshold, 'approval', 'approvals')} from current moderators`;
  byId('community-id').textContent = c.id;
  fillSelect(byId('community-acting'), page.my_moderators, '');
  const moderator = isModerator();
  byId('acting-field').hidden = !moderator;
  byId('community-not-moderator').hidden = moderator;
  for (const node of document.querySelectorAll('#community-page .mod-only')) node.hidden = !moderator;
  renderMembers();
  renderRequests();
  renderCandidates();
  renderHistory();
}

/** Opens (or reloads) a community's page; `preloaded` is a CommunityPage already at hand. */
async function openCommunity(id, { focus = false, preloaded = null } = {}) {
  const request = ++pageRequest;
  const changed = openId !== id;
  openId = id;
  if (changed) {
    hideConfirms();
    hideHandover('page-handover');
    for (const field of ['receive-text', 'receive-file', 'vouch-for', 'vouch-note', 'add-vouch-text', 'add-vouch-file',
      'add-vouch-list']) byId(field).value = '';
    for (const e of ['members-error', 'pending-error', 'candidates-error', 'receive-error', 'vouch-error',
      'add-vouch-error']) clearError(byId(e));
  }
  byId('communities-overview').hidden = true;
  byId('community-page').hidden = false;
  try {
    const loaded = preloaded || await communityApi.show(id);
    if (request !== pageRequest) return;
    page = loaded;
    renderPage();
    clearError(byId('communities-error'));
    if (focus) {
      window.scrollTo(0, 0);
      byId('community-name').focus({ preventScroll: true });
    }
  } catch (error) {
    if (request !== pageRequest) return;
    showOverview();
    showError(byId('communities-error'), error);
  }
}

/** Reloads the open page after a change (and the counts of the overview behind it). */
async function reload() {
  if (!openId) return;
  await openCommunity(openId);
  refreshOverview();
}

async function onInvite(event) {
  if (!openId) return;
  const errorNode = byId('pending-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Making…', async () => {
    try {
      const inv = await communityApi.invite(openId, acting());
      showHandover('page-handover', {
        title: `Invitation to ${inv.name}`,
        note: 'Give this to the person you invite. In Hallmark they paste it under “Join a community” and send you back a join request, which you receive under “Join requests”. It works once.',
        text: inv.text,
        qr: inv.qr,
        qrBytes: inv.qr ? 0 : inv.text.length,
      });
      await reload();
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

async function onReceive(event) {
  event.preventDefault();
  if (!openId) return;
  const field = byId('receive-text');
  const errorNode = byId('receive-error');
  clearFlags(byId('receive-form'));
  clearError(errorNode);
  const text = field.value.trim();
  if (text === '') {
    showError(errorNode, 'Please paste the join request the person sent you, or choose its file.');
    flagField(field);
    return;
  }
  await whileBusy(byId('receive-submit'), 'Checking…', async () => {
    try {
      const r = await communityApi.receive(openId, text);
      field.value = '';
      byId('receive-file').value = '';
      toast(`Join request from ${who(r.holder)} checked: it waits for a decision`);
      await reload();
    } catch (error) {
      showError(errorNode, error);
      flagField(field);
    }
  });
}

async function onAdmit(event, r) {
  const errorNode = byId('pending-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Admitting…', async () => {
    try {
      const out = await communityApi.admit(r.id, acting());
      const ours = labelOf(r.holder) !== undefined;
      showHandover('page-handover', {
        title: `Membership card for ${who(r.holder)}`,
        note: ours
          ? 'They are in. This identity is yours, so the card is already in this wallet, on the Credentials screen.'
          : 'They are in. Give them this membership card: they add it on their Credentials screen, with your status list so their wallet can check it is not revoked.',
        text: out.credential.text,
        qr: out.credential.qr,
        qrBytes: out.credential.qr_bytes,
        credentialId: out.credential.credential_id,
      });
      toast(`${who(r.holder)} is now a member`);
      await reload();
    } catch (error) {
      showError(errorNode, error);
    }
  }, byId('pending-list'));
}

function onRejectAsk(r) {
  hideConfirms();
  rejectTarget = r;
  byId('reject-who').textContent = who(r.holder);
  byId('reject-reason').value = '';
  byId('reject-panel').hidden = false;
  byId('reject-reason').focus();
}

async function onRejectConfirm(event) {
  const r = rejectTarget;
  if (!r || !openId) return;
  const errorNode = byId('reject-error');
  const field = byId('reject-reason');
  clearError(errorNode);
  const reason = field.value.trim();
  if (reason === '') {
    showError(errorNode, 'Please say why, in a few words. It is kept in the community’s history.');
    flagField(field);
    return;
  }
  await whileBusy(event.currentTarget, 'Turning down…', async () => {
    try {
      await communityApi.reject(r.id, reason, acting());
      hideConfirms();
      toast('Join request turned down');
      await reload();
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

function onBanAsk(did) {
  hideConfirms();
  banTarget = did;
  byId('ban-who').textContent = who(did);
  byId('ban-reason').value = '';
  byId('ban-panel').hidden = false;
  byId('ban-reason').focus();
}

async function onBanConfirm(event) {
  const did = banTarget;
  if (!did || !openId) return;
  const errorNode = byId('ban-error');
  const field = byId('ban-reason');
  clearError(errorNode);
  const reason = field.value.trim();
  if (reason === '') {
    showError(errorNode, 'Please say why, in a few words. It is kept in the community’s history.');
    flagField(field);
    return;
  }
  await whileBusy(event.currentTarget, 'Banning…', async () => {
    try {
      const out = await communityApi.ban(openId, did, reason, acting());
      hideConfirms();
      toast(`${who(did)} is banned; ${plural(out.revoked.length, 'credential', 'credentials')} revoked`);
      await reload();
      if (out.revoked.length > 0) await showStatusList(out.revoked[0], who(did));
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

function onLeaveAsk(did) {
  hideConfirms();
  leaveTarget = did;
  byId('leave-who').textContent = who(did);
  byId('leave-panel').hidden = false;
  byId('leave-no').focus();
}

async function onLeaveConfirm(event) {
  const did = leaveTarget;
  if (!did || !openId) return;
  const errorNode = byId('leave-error');
  await whileBusy(event.currentTarget, 'Leaving…', async () => {
    try {
      const out = await communityApi.leave(openId, did);
      hideConfirms();
      toast(`${who(did)} left the community`);
      await reload();
      if (out.revoked.length > 0) await showStatusList(out.revoked[0], who(did));
    } catch (error) {
      showError(errorNode, error);
    }
  });
}

async function onApprove(event, did) {
  const moderator = acting();
  if (!moderator || !openId) return;
  const errorNode = byId('members-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Approving…', async () => {
    try {
      await communityApi.approve(moderator, openId, did);
      toast(`You approved making ${who(did)} a moderator`);
      await reload();
    } catch (error) {
      showError(errorNode, error);
    }
  }, byId('member-list'));
}

async function onPromote(event, did) {
  if (!openId) return;
  const errorNode = byId('members-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Changing…', async () => {
    try {
      const out = await communityApi.promote(openId, did, acting());
      toast(`${who(did)} is now a moderator`);
      await reload();
      if (out.credential) {
        showHandover('page-handover', {
          title: `New membership card for ${who(did)} (moderator)`,
          note: 'Give them this card: it replaces their old one, which is now revoked.',
          text: out.credential.text,
          qr: out.credential.qr,
          qrBytes: out.credential.qr_bytes,
          credentialId: out.credential.credential_id,
        });
      }
    } catch (error) {
      showError(errorNode, error);
    }
  }, byId('member-list'));
}

async function onHumanity(event, did) {
  if (!openId) return;
  const errorNode = byId('candidates-error');
  clearError(errorNode);
  await whileBusy(event.currentTarget, 'Issuing…', async () => {
    try {
      const out = await communityApi.humanity(openId, did, acting());
      toast(`${who(did)} has a humanity credential now`);
      await reload();
      showHandover('page-handover', {
        title: `Humanity credential for ${who(did)}`,
        note: 'Give it to them: it shows that members of this community vouched they are a real, unique person.',
        text: out.text,
        qr: out.qr,
        qrBytes: out.qr_bytes,
        credentialId: out.credential_id,
      });
    } catch (error) {
      showError(errorNode, error);
    }
  }, byId('candidate-list'));
}

async function onVouch(event) {
  event.preventDefault();
  if (!openId) return;
  const errorNode = byId('vouch-error');
  const forField = byId('vouch-for');
  clearFlags(byId('vouch-form'));
  clearError(errorNode);
  const voucher = byId('vouch-as').value;
  const candidate = forField.value.trim();
  if (!voucher) {
    showError(errorNode, 'Only members can vouch, and none of your identities is a member here.');
    return;
  }
  if (candidate === '') {
    showError(errorNode, 'Please type the public address (DID) of the person you vouch for. It starts with “did:”.');
    flagField(forField);
    return;
  }
  const note = byId('vouch-note').value.trim() || null;
  await whileBusy(byId('vouch-submit'), 'Vouching…', async () => {
    try {
      const out = await communityApi.vouch(voucher, openId, candidate, note);
      forField.value = '';
      byId('vouch-note').value = '';
      toast(out.added_here ? `You vouched for ${who(candidate)}` : 'Vouch signed');
      await reload();
    } catch (error) {
      showError(errorNode, error);
      if (['invalid_did', 'self_vouch', 'duplicate_vouch'].includes(error.code)) flagField(forField);
    }
  });
}

async function onAddVouch(event) {
  event.preventDefault();
  if (!openId) return;
  const field = byId('add-vouch-text');
  const errorNode = byId('add-vouch-error');
  clearFlags(byId('add-vouch-form'));
  clearError(errorNode);
  const text = field.value.trim();
  if (text === '') {
    showError(errorNode, 'Please paste the vouch the member sent you, or choose its file.');
    flagField(field);
    return;
  }
  const lists = [];
  const listInput = byId('add-vouch-list');
  const listFile = listInput.files && listInput.files[0];
  if (listFile) {
    const list = await readFile(listFile, errorNode);
    if (list === null) return;
    lists.push(list);
  }
  await whileBusy(byId('add-vouch-submit'), 'Checking…', async () => {
    try {
      const added = await communityApi.addVouches(openId, [text], lists);
      field.value = '';
      byId('add-vouch-file').value = '';
      listInput.value = '';
      const v = added[0];
      toast(v ? `${who(v.voucher)} vouched for ${who(v.candidate)}: added` : 'Nothing was added');
      await reload();
    } catch (error) {
      showError(errorNode, error);
      flagField(field);
    }
  });
}

// ---------------------------------------------------------------------------------------------

/** Forgets everything shown (called when the wallet locks). */
export function resetCommunity() {
  overview = { runs: [], member_of: [] };
  identities = [];
  showOverview();
  hideHandover('list-handover');
  for (const id of ['community-list', 'membership-list', 'member-list', 'pending-list', 'candidate-list',
    'history-list', 'create-community-as', 'join-as', 'member-vouch-in', 'community-acting', 'vouch-as',
    'vouch-for-options']) clear(byId(id));
  for (const id of ['create-community-name', 'join-invitation', 'join-file', 'member-vouch-for', 'member-vouch-note',
    'receive-text', 'receive-file', 'vouch-for', 'vouch-note', 'add-vouch-text', 'add-vouch-file', 'add-vouch-list',
    'ban-reason', 'reject-reason']) byId(id).value = '';
  for (const id of ['communities-error', 'create-community-error', 'join-error', 'member-vouch-error']) {
    clearError(byId(id));
  }
  byId('communities-empty').hidden = true;
  byId('memberships-block').hidden = true;
  byId('member-vouch-panel').hidden = true;
}

export const communityScreen = {
  section: 'communities-screen',
  title: 'Communities',
  shell: true,
  nav: 'nav-communities',
  init() {
    byId('create-community-form').addEventListener('submit', onCreate);
    byId('join-form').addEventListener('submit', onJoin);
    wireFileToText('join-file', 'join-invitation', 'join-error');
    byId('member-vouch-form').addEventListener('submit', onMemberVouch);
    byId('community-back').addEventListener('click', () => {
      showOverview({ focus: true });
      refreshOverview();
    });
    byId('community-acting').addEventListener('change', () => { if (page) renderPage(); });
    byId('invite-submit').addEventListener('click', onInvite);
    byId('receive-form').addEventListener('submit', onReceive);
    wireFileToText('receive-file', 'receive-text', 'receive-error');
    byId('reject-yes').addEventListener('click', onRejectConfirm);
    byId('reject-no').addEventListener('click', hideConfirms);
    byId('ban-yes').addEventListener('click', onBanConfirm);
    byId('ban-no').addEventListener('click', hideConfirms);
    byId('leave-yes').addEventListener('click', onLeaveConfirm);
    byId('leave-no').addEventListener('click', hideConfirms);
    byId('vouch-form').addEventListener('submit', onVouch);
    byId('add-vouch-form').addEventListener('submit', onAddVouch);
    wireFileToText('add-vouch-file', 'add-vouch-text', 'add-vouch-error');
    for (const prefix of ['list-handover', 'page-handover']) {
      byId(`${prefix}-copy`).addEventListener('click', (event) => {
        copyText(event.currentTarget, byId(`${prefix}-text`).value, byId(`${prefix}-error`));
      });
      byId(`${prefix}-list`).addEventListener('click', (event) => copyStatusList(event.currentTarget, prefix));
      byId(`${prefix}-close`).addEventListener('click', () => hideHandover(prefix));
    }
  },
  async enter() {
    const reopen = openId;
    if (!reopen) showOverview();
    await refreshOverview();
    if (reopen && reopen === openId) await openCommunity(reopen);
  },
};
