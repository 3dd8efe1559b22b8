// Shared pieces of the interop scripts: an offline document loader, did:key keys, the two EdDSA
// Data Integrity suites, VC-JOSE (JWT) signing and checking, Bitstring Status List checking, and
// the verification of credentials and presentations in any of those forms.
//
// Everything here is Digital Bazaar's vc.js stack or the `jose` package; nothing is shared with
// Hallmark's Rust code. Nothing is fetched: see `documentLoader`.

import {readFileSync} from 'node:fs';
import {isDeepStrictEqual} from 'node:util';
import {gunzipSync} from 'node:zlib';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as eddsaJcs from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as eddsaRdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import * as jose from 'jose';
import jsigs from 'jsonld-signatures';

export {vc, jose};

/** The VC Data Model 2.0 context URL, the only remote context the loader serves. */
export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';

/** The data-URL prefix of an enveloped VC-JOSE credential. */
export const ENVELOPED_PREFIX = 'data:application/vc+jwt,';

/** The Data Integrity cryptosuites the scripts know. */
export const SUITES = ['eddsa-rdfc-2022', 'eddsa-jcs-2022'];

const VC_V2_CONTEXT = credentialsContexts.get(VC_V2);
if(!VC_V2_CONTEXT) {
  throw new Error('@digitalbazaar/credentials-context does not ship the VC 2.0 context');
}

const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

/**
 * The JSON-LD document loader: the static VC 2.0 context and did:key documents (Ed25519 multikey),
 * nothing else. Every other URL is refused, so no verification can depend on the network.
 */
export async function documentLoader(url) {
  if(url === VC_V2) {
    return {contextUrl: null, documentUrl: url, document: structuredClone(VC_V2_CONTEXT)};
  }
  if(typeof url === 'string' && url.startsWith('did:key:z6Mk')) {
    const document = await didKey.get({url});
    return {contextUrl: null, documentUrl: url, document};
  }
  throw new Error(`refusing to fetch ${url}`);
}

/** Bytes of a 64-hex-digit seed. */
export function seedBytes(hex) {
  if(!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UsageError('--seed must be 64 hex digits (32 bytes)');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/**
 * An Ed25519 did:key: `{did, vm, keyPair}` where `vm` is the DID URL of its key and `keyPair` an
 * Ed25519Multikey with signer. Random unless `seed` (32 bytes) is given.
 */
export async function newDidKey(seed) {
  const generated = await Ed25519Multikey.generate(seed ? {seed} : {});
  const did = `did:key:${generated.publicKeyMultibase}`;
  const vm = `${did}#${generated.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.from({...await generated.export({
    publicKey: true, secretKey: true, includeContext: true
  }), id: vm, controller: did});
  return {did, vm, keyPair};
}

/** A signing suite for `cryptosuite` with the key of `key` (from `newDidKey`). */
export function signingSuite(cryptosuite, key) {
  const signer = key.keyPair.signer();
  switch(cryptosuite) {
    case 'eddsa-rdfc-2022':
      return new DataIntegrityProof({signer, cryptosuite: eddsaRdfc});
    case 'eddsa-jcs-2022':
      return new DataIntegrityProof({signer, cryptosuite: eddsaJcs.createSignCryptosuite()});
    default:
      throw new UsageError(`unknown cryptosuite ${cryptosuite}: use eddsa-rdfc-2022 or eddsa-jcs-2022`);
  }
}

/** The verifying suite for a proof's `cryptosuite`. */
function verifyingSuite(cryptosuite) {
  switch(cryptosuite) {
    case 'eddsa-rdfc-2022':
      return new DataIntegrityProof({cryptosuite: eddsaRdfc});
    case 'eddsa-jcs-2022':
      return new DataIntegrityProof({cryptosuite: jcsVerifyCryptosuite()});
    default:
      throw new VerifyError(`unsupported cryptosuite ${JSON.stringify(cryptosuite)}`);
  }
}

/**
 * eddsa-jcs-2022-cryptosuite 1.0.0's verifier, with one fix. Its check "the document's @context
 * starts with the proof's @context" (vc-di-eddsa, Verify Proof (eddsa-jcs-2022) step 4.1) compares
 * entries with `!==`, so an inline context object (Hallmark's `{"@vocab": …}`) never matches its
 * copy in the proof once the document has been parsed from JSON, and every such credential fails
 * with "document.@context does not start with proof.@context". The fix gives deep-equal proof
 * entries the identity of the document's entries before that check runs: the check then passes
 * exactly when the values are equal (what the spec asks) and the bytes hashed are unchanged.
 */
function jcsVerifyCryptosuite() {
  const upstream = eddsaJcs.createVerifyCryptosuite();
  return {
    ...upstream,
    async createVerifyData(options) {
      const {proof, document} = options;
      if(proof?.['@context'] !== undefined && document?.['@context'] !== undefined) {
        const docContext = [].concat(document['@context']);
        if(Array.isArray(proof['@context'])) {
          proof['@context'] = proof['@context'].map((c, i) => isDeepStrictEqual(c, docContext[i]) ? docContext[i] : c);
        } else if(isDeepStrictEqual(proof['@context'], docContext[0])) {
          proof['@context'] = docContext[0];
        }
      }
      return upstream.createVerifyData(options);
    }
  };
}

/** Suites for every proof of `doc`, chosen from each proof's `cryptosuite`. */
function suitesFor(doc) {
  const proofs = [].concat(doc.proof ?? []);
  if(proofs.length === 0) {
    throw new VerifyError('no proof');
  }
  const names = new Set();
  for(const p of proofs) {
    if(p?.type !== 'DataIntegrityProof') {
      throw new VerifyError(`unsupported proof type ${JSON.stringify(p?.type)}`);
    }
    names.add(p.cryptosuite);
  }
  return [...names].map(verifyingSuite);
}

/** The DID of a DID URL. */
function didOf(didUrl) {
  return String(didUrl).split('#')[0];
}

/** The `id` of an issuer/holder value (string or object). */
function idOf(value) {
  return typeof value === 'string' ? value : value?.id;
}

/** A failed verification (exit 1). */
export class VerifyError extends Error {}

/** A bad command line (exit 2). */
export class UsageError extends Error {}

/** Reads and parses a JSON file. */
export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The message of an error, including vc.js' nested errors. */
export function messageOf(error) {
  if(!error) {
    return 'unknown error';
  }
  if(Array.isArray(error)) {
    return error.map(messageOf).join('; ');
  }
  if(error.errors && Array.isArray(error.errors) && error.errors.length) {
    return error.errors.map(messageOf).join('; ');
  }
  let message = error.message ?? String(error);
  // jsonld's safe mode says which term it could not expand.
  const event = error.details?.event;
  if(event?.message) {
    message += ` ${event.message} ${JSON.stringify(event.details ?? {})}`;
  }
  // jsonld nests the loader's own error ("refusing to fetch …") as details.cause.
  const cause = error.cause ?? error.details?.cause;
  if(cause && cause !== error) {
    message += ` (${messageOf(cause)})`;
  }
  return message;
}

// ---------------------------------------------------------------------------------------------
// VC-JOSE

/** The Ed25519 public key (a jose KeyLike) of a did:key verification method, via the loader. */
async function publicKeyOf(vm) {
  if(typeof vm !== 'string' || !vm.startsWith('did:key:') || !vm.includes('#')) {
    throw new VerifyError(`kid ${JSON.stringify(vm)} is not a did:key DID URL`);
  }
  const {document} = await documentLoader(vm);
  if(document.id !== vm) {
    throw new VerifyError(`kid ${vm} is not a key of its DID`);
  }
  const keyPair = await Ed25519Multikey.from(document);
  const jwk = await Ed25519Multikey.toJwk({keyPair});
  return jose.importJWK(jwk, 'EdDSA');
}

/**
 * The private JWK of an Ed25519Multikey key pair. Not `Ed25519Multikey.toJwk({secretKey: true})`:
 * ed25519-multikey 1.3.1 writes its 64-byte secret key (seed ‖ public key) as `d`, which jose
 * rightly rejects ("Invalid keyData"); RFC 8037's `d` is the 32-byte seed.
 */
function privateJwk(keyPair) {
  const {secretKey, publicKey} = keyPair;
  if(secretKey?.length !== 64 || !Buffer.from(secretKey.subarray(32)).equals(Buffer.from(publicKey))) {
    throw new Error('unexpected Ed25519 secret key layout from ed25519-multikey');
  }
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x: Buffer.from(publicKey).toString('base64url'),
    d: Buffer.from(secretKey.subarray(0, 32)).toString('base64url')
  };
}

/** Signs `payload` (a credential or presentation) as a compact JWT of type `typ` with `key`. */
export async function signJwt(payload, typ, key) {
  const privateKey = await jose.importJWK(privateJwk(key.keyPair), 'EdDSA');
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({alg: 'EdDSA', typ, kid: key.vm})
    .sign(privateKey);
}

/**
 * Verifies a compact JWT of type `typ` (`vc+jwt` or `vp+jwt`) with jose and the key named by its
 * `kid`; returns `{payload, kid}`. Checks `exp`/`nbf` when present.
 */
async function verifyJwt(jwt, typ) {
  let header;
  try {
    header = jose.decodeProtectedHeader(jwt);
  } catch(e) {
    throw new VerifyError(`not a JWT: ${e.message}`);
  }
  if(header.alg !== 'EdDSA') {
    throw new VerifyError(`alg ${JSON.stringify(header.alg)} is not EdDSA`);
  }
  if(header.typ !== typ) {
    throw new VerifyError(`typ ${JSON.stringify(header.typ)} is not ${typ}`);
  }
  const key = await publicKeyOf(header.kid);
  let result;
  try {
    result = await jose.compactVerify(jwt, key, {algorithms: ['EdDSA']});
  } catch(e) {
    throw new VerifyError(`JWT signature: ${e.message}`);
  }
  let payload;
  try {
    payload = JSON.parse(new TextDecoder().decode(result.payload));
  } catch(e) {
    throw new VerifyError(`JWT payload is not JSON: ${e.message}`);
  }
  if(payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new VerifyError('JWT payload is not a JSON object');
  }
  const now = Math.floor(Date.now() / 1000);
  if(typeof payload.exp === 'number' && now >= payload.exp) {
    throw new VerifyError('JWT expired (exp)');
  }
  if(typeof payload.nbf === 'number' && now < payload.nbf) {
    throw new VerifyError('JWT not yet valid (nbf)');
  }
  return {payload, kid: header.kid};
}

// ---------------------------------------------------------------------------------------------
// Issuing and presenting with vc.js / jose

/** Now as an XSD dateTime without fractional seconds. */
export function nowXsd() {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * An unsigned VC 2.0 credential from `issuer` about `subject`. `humanity`: exactly the shape of
 * Hallmark's HumanityCredential (v2 context + inline issuer-dependent `@vocab`); `plain`: only the
 * v2 context.
 */
export function unsignedCredential(type, issuer, subject) {
  switch(type) {
    case 'humanity':
      return {
        '@context': [VC_V2, {'@vocab': 'https://www.w3.org/ns/credentials/issuer-dependent#'}],
        type: ['VerifiableCredential', 'HumanityCredential'],
        issuer,
        validFrom: nowXsd(),
        credentialSubject: {id: subject, isUniqueHuman: true},
        evidence: [{type: ['HumanityCheck'], method: 'in-person', checkedBy: issuer}]
      };
    case 'plain':
      return {
        '@context': [VC_V2],
        type: ['VerifiableCredential'],
        issuer,
        validFrom: nowXsd(),
        name: 'Interop test credential',
        credentialSubject: {id: subject}
      };
    default:
      throw new UsageError(`unknown --type ${type}: use humanity or plain`);
  }
}

/**
 * `credential` secured by `key`: a Data Integrity proof of `format` (a cryptosuite name) with
 * vc.js, or a vc+jwt with jose when `format` is `jwt`.
 */
export async function secureCredential(credential, format, key) {
  if(format === 'jwt') {
    return signJwt(credential, 'vc+jwt', key);
  }
  return vc.issue({credential: structuredClone(credential), suite: signingSuite(format, key), documentLoader});
}

/**
 * A presentation by `key`'s DID of `credentials` (DI objects, or vc+jwt strings which become
 * EnvelopedVerifiableCredential), bound to `challenge` and `domain`: a DI proof of `format` with
 * vc.js, or a vp+jwt (nonce = challenge, aud = domain) with jose when `format` is `jwt`. `holder`
 * defaults to `key`'s DID (another value makes a forgery, for tests).
 */
export async function presentCredentials(credentials, format, key, {challenge, domain, holder = key.did}) {
  const verifiableCredential = credentials.map(c => typeof c === 'string' ?
    {'@context': VC_V2, id: ENVELOPED_PREFIX + c, type: 'EnvelopedVerifiableCredential'} : c);
  const presentation = {
    '@context': [VC_V2],
    type: ['VerifiablePresentation'],
    holder,
    verifiableCredential
  };
  if(format === 'jwt') {
    return signJwt({...presentation, nonce: challenge, aud: domain}, 'vp+jwt', key);
  }
  return vc.signPresentation({
    presentation, suite: signingSuite(format, key), challenge, domain, documentLoader
  });
}

// ---------------------------------------------------------------------------------------------
// Bitstring Status List

/**
 * A vc.js `checkStatus` function reading status list credentials from `files` (none → every
 * credential with a status fails with "status not checked"). Each list credential is verified
 * itself (same issuer as the credential), the bit is read from its GZIP'd `encodedList`
 * (multibase 'u' = base64url, first index = most significant bit of the first byte) and a set
 * bit fails.
 */
export function statusChecker(files) {
  const lists = files.map(f => ({file: f, credential: readListFile(f)}));
  return async function checkStatus({credential}) {
    try {
      if(lists.length === 0) {
        throw new VerifyError('status not checked');
      }
      for(const entry of [].concat(credential.credentialStatus)) {
        await checkEntry(entry, credential, lists);
      }
      return {verified: true};
    } catch(error) {
      return {verified: false, error};
    }
  };
}

function readListFile(file) {
  const text = readFileSync(file, 'utf8').trim();
  if(text.startsWith('{')) {
    return JSON.parse(text);
  }
  return text; // a vc+jwt list credential
}

async function checkEntry(entry, credential, lists) {
  if(entry?.type !== 'BitstringStatusListEntry') {
    throw new VerifyError(`unsupported credentialStatus type ${JSON.stringify(entry?.type)}`);
  }
  const url = entry.statusListCredential;
  const index = Number(entry.statusListIndex);
  if(typeof entry.statusListIndex !== 'string' || !Number.isSafeInteger(index) || index < 0) {
    throw new VerifyError(`bad statusListIndex ${JSON.stringify(entry.statusListIndex)}`);
  }
  if((entry.statusSize ?? 1) !== 1) {
    throw new VerifyError(`statusSize ${entry.statusSize} is not supported`);
  }
  // Verify each candidate list credential; use the one whose id is the entry's URL.
  let list;
  for(const candidate of lists) {
    const {kind, document} = await verifyAny(candidate.credential, {statusFiles: []});
    if(kind === 'credential' && document.id === url) {
      list = document;
      break;
    }
  }
  if(!list) {
    throw new VerifyError(`status list ${url} not among the --status-list files`);
  }
  if(idOf(list.issuer) !== idOf(credential.issuer)) {
    throw new VerifyError(`status list ${url} is issued by ${idOf(list.issuer)}, not by the credential's issuer`);
  }
  const types = [].concat(list.type);
  const subject = list.credentialSubject;
  if(!types.includes('BitstringStatusListCredential') || subject?.type !== 'BitstringStatusList') {
    throw new VerifyError(`${url} is not a BitstringStatusListCredential`);
  }
  const listPurposes = [].concat(subject.statusPurpose);
  if(!listPurposes.includes(entry.statusPurpose)) {
    throw new VerifyError(`status purpose ${entry.statusPurpose} is not the list's (${listPurposes})`);
  }
  const bits = decodeList(subject.encodedList);
  if(index >= bits.length * 8) {
    throw new VerifyError(`statusListIndex ${index} is outside the list (${bits.length * 8} bits)`);
  }
  if((bits[index >> 3] >> (7 - (index & 7))) & 1) {
    throw new VerifyError(`credential status is set: ${entry.statusPurpose}`);
  }
}

/** The bytes of an `encodedList`: multibase 'u' (base64url, no padding) of a GZIP stream. */
export function decodeList(encoded) {
  if(typeof encoded !== 'string' || !encoded.startsWith('u')) {
    throw new VerifyError('encodedList is not multibase base64url (u…)');
  }
  try {
    return gunzipSync(Buffer.from(encoded.slice(1), 'base64url'));
  } catch(e) {
    throw new VerifyError(`encodedList is not GZIP: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Verification of anything

/**
 * Verifies `input` — a credential or presentation as a JSON object (Data Integrity) or a compact
 * JWT string (VC-JOSE). Returns `{kind, document}` (the credential/presentation) or throws
 * VerifyError/UsageError. Options: `challenge`, `domain` (presentations), `statusFiles`.
 */
export async function verifyAny(input, options) {
  if(typeof input === 'string') {
    return verifyJwtDocument(input.trim(), options);
  }
  if(input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new VerifyError('not a credential or presentation');
  }
  const types = [].concat(input.type ?? []);
  if(types.includes('VerifiablePresentation')) {
    return {kind: 'presentation', document: await verifyDiPresentation(input, options)};
  }
  return {kind: 'credential', document: await verifyDiCredential(input, options)};
}

async function verifyDiCredential(credential, {statusFiles}) {
  const result = await vc.verifyCredential({
    credential,
    suite: suitesFor(credential),
    documentLoader,
    checkStatus: statusChecker(statusFiles)
  });
  if(!result.verified) {
    throw new VerifyError(messageOf(result.statusResult?.error ?? result.error ?? result.results?.[0]?.error));
  }
  return credential;
}

/** A credential in a presentation: a DI object or an EnvelopedVerifiableCredential. */
async function verifyEmbedded(credential, options) {
  if(credential?.type === 'EnvelopedVerifiableCredential' ||
    [].concat(credential?.type).includes('EnvelopedVerifiableCredential')) {
    const id = credential.id;
    if(typeof id !== 'string' || !id.startsWith(ENVELOPED_PREFIX)) {
      throw new VerifyError(`enveloped credential id is not ${ENVELOPED_PREFIX}<jwt>`);
    }
    const {kind, document} = await verifyJwtDocument(id.slice(ENVELOPED_PREFIX.length), options);
    if(kind !== 'credential') {
      throw new VerifyError('an enveloped credential holds a presentation');
    }
    return document;
  }
  return verifyDiCredential(credential, options);
}

/** Runs `fn`; whatever it throws (a malformed document) becomes a VerifyError. */
async function asVerifyError(fn) {
  try {
    return await fn();
  } catch(e) {
    throw e instanceof VerifyError || e instanceof UsageError ? e : new VerifyError(messageOf(e));
  }
}

function checkHolder(presentation, signerDid) {
  const holder = idOf(presentation.holder);
  if(holder !== undefined && holder !== signerDid) {
    throw new VerifyError(`the presentation is signed by ${signerDid}, not by its holder ${holder}`);
  }
}

async function verifyDiPresentation(presentation, {challenge, domain, statusFiles}) {
  if(typeof challenge !== 'string') {
    throw new UsageError('a presentation needs --challenge');
  }
  const suite = suitesFor(presentation);
  const credentials = [].concat(presentation.verifiableCredential ?? []);
  const presentationPurpose = new jsigs.purposes.AuthenticationProofPurpose({challenge, domain});
  const enveloped = credentials.some(c => [].concat(c?.type).includes('EnvelopedVerifiableCredential'));
  if(!enveloped) {
    // Everything embedded is Data Integrity: vc.js checks it all.
    const credentialSuites = credentials.flatMap(c => suitesFor(c));
    // (vc.verify rejects instead of reporting when the presentation is malformed.)
    const result = await asVerifyError(() => vc.verify({
      presentation,
      challenge,
      domain,
      presentationPurpose,
      suite: [...suite, ...credentialSuites],
      documentLoader,
      checkStatus: statusChecker(statusFiles)
    }));
    if(!result.verified) {
      const failed = result.credentialResults?.find(r => !r.verified);
      throw new VerifyError(messageOf(
        result.presentationResult?.error ?? result.error ??
        (failed && (failed.statusResult?.error ?? failed.error))));
    }
  } else {
    // vc.js cannot read EnvelopedVerifiableCredential: the presentation's own proof with
    // jsonld-signatures (as vc.verify does), each credential on its own.
    await asVerifyError(() => vc._checkPresentation(presentation));
    const result = await jsigs.verify(presentation, {suite, purpose: presentationPurpose, documentLoader});
    if(!result.verified) {
      throw new VerifyError(messageOf(result.error));
    }
    for(const c of credentials) {
      await verifyEmbedded(c, {statusFiles});
    }
  }
  for(const p of [].concat(presentation.proof)) {
    checkHolder(presentation, didOf(p.verificationMethod));
  }
  return presentation;
}

async function verifyJwtDocument(jwt, {challenge, domain, statusFiles}) {
  let typ;
  try {
    typ = jose.decodeProtectedHeader(jwt).typ;
  } catch(e) {
    throw new VerifyError(`not a JWT: ${e.message}`);
  }
  if(typ === 'vp+jwt') {
    if(typeof challenge !== 'string') {
      throw new UsageError('a presentation needs --challenge');
    }
    const {payload, kid} = await verifyJwt(jwt, 'vp+jwt');
    await asVerifyError(() => vc._checkPresentation(payload));
    if(payload.nonce !== challenge) {
      throw new VerifyError(`nonce ${JSON.stringify(payload.nonce)} is not the challenge`);
    }
    if(domain !== undefined && ![].concat(payload.aud ?? []).includes(domain)) {
      throw new VerifyError(`aud ${JSON.stringify(payload.aud)} is not the domain`);
    }
    checkHolder(payload, didOf(kid));
    for(const c of [].concat(payload.verifiableCredential ?? [])) {
      await verifyEmbedded(c, {statusFiles});
    }
    return {kind: 'presentation', document: payload};
  }
  const {payload, kid} = await verifyJwt(jwt, 'vc+jwt');
  await asVerifyError(() => vc._checkCredential({credential: payload}));
  if(idOf(payload.issuer) !== didOf(kid)) {
    throw new VerifyError(`the JWT is signed by ${didOf(kid)}, not by its issuer ${idOf(payload.issuer)}`);
  }
  if(payload.credentialStatus !== undefined) {
    const status = await statusChecker(statusFiles)({credential: payload});
    if(!status.verified) {
      throw status.error;
    }
  }
  return {kind: 'credential', document: payload};
}

/** Prints one JSON line and exits with `code`. */
export function finish(object, code) {
  process.stdout.write(JSON.stringify(object) + '\n', () => process.exit(code));
}

/** The exit code for an error: 1 for a failed verification, 2 for anything else. */
export function exitCodeOf(error) {
  return error instanceof VerifyError ? 1 : 2;
}

/** Runs `main`, printing `{...errorFields, error}` and exiting per `exitCodeOf` if it throws. */
export function run(main, errorFields = {}) {
  main().catch(error => finish({...errorFields, error: messageOf(error)}, exitCodeOf(error)));
}
