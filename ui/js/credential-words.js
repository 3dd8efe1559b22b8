// Plain words for credentials: their kinds, the checks of a verification report, who is who.
// Shared by the screens that show credentials. Everything here returns text (shown with
// textContent), never markup.

/** Hallmark's credential types, as people call them. */
const TYPE_NAMES = {
  HumanityCredential: 'Humanity credential',
  CommunityMembershipCredential: 'Community membership',
  VouchCredential: 'Vouch for a person',
};

/** The checks of a report (core's verifier), in plain words. */
const CHECK_NAMES = {
  proof: 'Signature',
  issuer: 'Issuer',
  validity: 'Validity period',
  status: 'Not revoked',
  schema: 'Schema',
  trust: 'Trusted issuer',
  holder: 'Holder',
  challenge: 'Challenge',
  domain: 'Domain',
  subject: 'About the holder',
  credentials: 'Credentials inside',
};

const RESULT_NAMES = {
  passed: 'Passed',
  failed: 'Failed',
  not_checked: 'Not checked',
  not_applicable: 'Does not apply',
};

const HUMANITY_METHODS = {
  'in-person': 'In person',
  'video-call': 'In a live video call',
  vouching: 'Members of a community vouched',
};

const ROLES = { member: 'Member', moderator: 'Moderator' };

/** "UniversityDegreeCredential" → "University degree credential". */
function words(camel) {
  const spaced = String(camel).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The kind of a credential from its types, e.g. "Humanity credential". */
export function typeName(types) {
  const list = Array.isArray(types) ? types : [];
  for (const t of list) if (TYPE_NAMES[t]) return TYPE_NAMES[t];
  const other = list.find((t) => t !== 'VerifiableCredential');
  return other ? words(other) : 'Credential';
}

export function checkName(check) {
  return CHECK_NAMES[check] || words(check || 'check');
}

export function resultName(result) {
  return RESULT_NAMES[result] || String(result ?? '');
}

function sentence(text) {
  const t = String(text ?? '').trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) : t;
}

/** The first failed check of a stored report, or null. */
export function firstFailure(checks) {
  return (Array.isArray(checks) ? checks : []).find((c) => c && c.result === 'failed') || null;
}

/** The badge: "Verified", or "Not valid: <the first failed check's detail>". */
export function statusText(credential) {
  if (credential.valid) return 'Verified';
  const failure = firstFailure(credential.checks);
  return failure && failure.detail ? `Not valid: ${sentence(failure.detail)}` : 'Not valid';
}

/** A long DID shortened for lists: did:key:z6MkhaXg…2doK. */
export function shortDid(did) {
  const text = String(did ?? '');
  return text.length > 40 ? `${text.slice(0, 24)}…${text.slice(-6)}` : text;
}

/**
 * Who a DID is: "Alice (you)" for one of your identities (label known), "You (an unnamed
 * identity)", else the DID itself (shortened when `short`).
 */
export function personName(did, label, { short = true } = {}) {
  if (!did) return 'Nobody in particular';
  if (typeof label === 'string') return label ? `${label} (you)` : 'You (an unnamed identity)';
  return short ? shortDid(did) : did;
}

export function originName(origin) {
  if (origin === 'issued') return 'Issued by you';
  if (origin === 'imported') return 'Received';
  return String(origin ?? '');
}

export function formatName(format, suite) {
  if (format === 'jwt') return 'JWT (EdDSA signature)';
  if (format === 'di') return `Data Integrity (${suite || 'JSON'})`;
  return String(format ?? '');
}

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What a credential says, as [term, description] pairs for the kinds Hallmark knows; formatDate
 * turns a date-time into text.
 */
export function claimsOf(document, formatDate) {
  const out = [];
  if (!document || typeof document !== 'object') return out;
  const types = Array.isArray(document.type) ? document.type : [document.type];
  const subject = first(document.credentialSubject) || {};
  if (types.includes('HumanityCredential')) {
    out.push(['Real, unique person', subject.isUniqueHuman === true ? 'Yes' : 'Not stated']);
    const evidence = first(document.evidence) || {};
    if (evidence.method) out.push(['How it was checked', HUMANITY_METHODS[evidence.method] || String(evidence.method)]);
    if (evidence.description) out.push(['Note', String(evidence.description)]);
  } else if (types.includes('CommunityMembershipCredential')) {
    const community = subject.memberOf || {};
    const name = community.name ? String(community.name) : '';
    const id = community.id ? String(community.id) : '';
    out.push(['Community', name && id && name !== id ? `${name} (${id})` : name || id]);
    if (subject.role) out.push(['Role', ROLES[subject.role] || String(subject.role)]);
    if (subject.since) out.push(['Member since', formatDate(subject.since)]);
  }
  return out;
}
