// Self-test of the interop scripts on vc.js' and jose's OWN outputs, so that a failure when
// checking Hallmark can be blamed on Hallmark, not on these scripts. For each form (Data Integrity
// eddsa-rdfc-2022 and eddsa-jcs-2022, VC-JOSE vc+jwt) and each credential shape: issue, verify,
// tamper → fail; presentations (DI and vp+jwt, embedded and enveloped credentials) with the right
// and wrong challenge/domain/holder; Bitstring Status List; the loader refusing other contexts.
// The command-line scripts are run too (issue.mjs, present.mjs, verify.mjs: output and exit codes).
//
//   node selftest.mjs
//
// Prints one JSON line {"passed": n, "failed": [names…]}; exit 0 when nothing failed, else 1.
import {execFile} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {gzipSync} from 'node:zlib';

import {
  UsageError, VC_V2, VerifyError, finish, messageOf, newDidKey, presentCredentials, secureCredential,
  unsignedCredential, verifyAny
} from './lib.mjs';

const here = new URL('.', import.meta.url).pathname;
const passed = [];
const failed = [];

/** Records a check: `fn` returns normally when the check holds. */
async function check(name, fn) {
  try {
    await fn();
    passed.push(name);
  } catch(e) {
    failed.push(`${name}: ${messageOf(e)}`);
  }
}

/** A copy of `input` as a verifier reads it from a file (shares no objects with the original). */
function viaJson(input) {
  return typeof input === 'string' ? input : JSON.parse(JSON.stringify(input));
}

/** `input` verifies, as `kind`. */
async function accepts(input, kind, options = {}) {
  const result = await verifyAny(viaJson(input), {statusFiles: [], ...options});
  if(result.kind !== kind) {
    throw new Error(`verified as ${result.kind}, expected ${kind}`);
  }
}

/** `input` does not verify (a VerifyError, not a crash), with a message matching `pattern`. */
async function rejects(input, pattern, options = {}) {
  try {
    await verifyAny(viaJson(input), {statusFiles: [], ...options});
  } catch(e) {
    if(!(e instanceof VerifyError)) {
      throw new Error(`failed with an unexpected error: ${messageOf(e)}`);
    }
    if(!pattern.test(messageOf(e))) {
      throw new Error(`failed for another reason: ${messageOf(e)}`);
    }
    return;
  }
  throw new Error('verified, but should not have');
}

/** A JWT whose payload is changed (same header and signature). */
function tamperJwt(jwt, change) {
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  change(payload);
  return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
}

const OTHER = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';

/** A credential whose subject is changed. */
function tamper(credential) {
  if(typeof credential === 'string') {
    return tamperJwt(credential, c => { c.credentialSubject.id = OTHER; });
  }
  const copy = structuredClone(credential);
  copy.credentialSubject.id = OTHER;
  return copy;
}

const FORMATS = ['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'jwt'];
const issuer = await newDidKey();
const holder = await newDidKey();
const stranger = await newDidKey();
const subject = holder.did;

// Credentials in every form and shape.
const issued = {};
for(const format of FORMATS) {
  for(const type of ['humanity', 'plain']) {
    await check(`${format} ${type}: issue, verify, tamper`, async () => {
      const vc = await secureCredential(unsignedCredential(type, issuer.did, subject), format, issuer);
      issued[`${format} ${type}`] = vc;
      await accepts(vc, 'credential');
      await rejects(tamper(vc), /signature|Invalid|verification/i);
    });
  }
}

await check('humanity credential keeps the inline @vocab context', async () => {
  const vc = issued['eddsa-rdfc-2022 humanity'];
  if(!vc || JSON.stringify(vc['@context']) !==
    JSON.stringify([VC_V2, {'@vocab': 'https://www.w3.org/ns/credentials/issuer-dependent#'}])) {
    throw new Error('unexpected @context');
  }
});

await check('without the inline @vocab, safe mode refuses the undefined terms', async () => {
  const vc = structuredClone(issued['eddsa-rdfc-2022 humanity']);
  vc['@context'] = [VC_V2];
  await rejects(vc, /Safe mode validation error.*isUniqueHuman|Safe mode validation error/);
});

await check('eddsa-jcs-2022-cryptosuite 1.0.0 as published still needs lib.mjs\'s inline-context fix', async () => {
  // If this fails, upstream compares contexts by value now: drop jcsVerifyCryptosuite in lib.mjs.
  const {DataIntegrityProof} = await import('@digitalbazaar/data-integrity');
  const {createVerifyCryptosuite} = await import('@digitalbazaar/eddsa-jcs-2022-cryptosuite');
  const {documentLoader, vc: vcjs} = await import('./lib.mjs');
  const result = await vcjs.verifyCredential({
    credential: viaJson(issued['eddsa-jcs-2022 humanity']),
    suite: new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()}),
    documentLoader
  });
  if(result.verified || !/document.@context does not start with proof.@context/.test(messageOf(result.error))) {
    throw new Error(`upstream behaviour changed: ${result.verified ? 'verified' : messageOf(result.error)}`);
  }
});

await check('the loader refuses any other context', async () => {
  const c = unsignedCredential('plain', issuer.did, subject);
  c['@context'].push('https://www.w3.org/ns/credentials/examples/v2');
  // Signing already needs the context: the loader refuses it there too.
  try {
    await secureCredential(c, 'eddsa-rdfc-2022', issuer);
  } catch(e) {
    if(!/refusing to fetch https:\/\/www\.w3\.org\/ns\/credentials\/examples\/v2/.test(messageOf(e))) {
      throw e;
    }
    const vc = structuredClone(issued['eddsa-rdfc-2022 plain']);
    vc['@context'].push('https://www.w3.org/ns/credentials/examples/v2');
    await rejects(vc, /refusing to fetch https:\/\/www\.w3\.org\/ns\/credentials\/examples\/v2/);
    return;
  }
  throw new Error('signed with an unknown remote context');
});

for(const format of ['eddsa-rdfc-2022', 'eddsa-jcs-2022']) {
  await check(`${format}: a proof by another key than the issuer's fails`, async () => {
    const c = unsignedCredential('plain', issuer.did, subject);
    let vc;
    try {
      vc = await secureCredential(c, format, stranger);
    } catch {
      // vc.js may refuse to sign for another issuer; forge it by swapping the issuer after signing.
      vc = await secureCredential({...c, issuer: stranger.did}, format, stranger);
      vc.issuer = issuer.did;
    }
    await rejects(vc, /issuer|controller|signature/i);
  });
  await check(`${format}: an expired credential fails`, async () => {
    const c = {...unsignedCredential('plain', issuer.did, subject),
      validFrom: '2020-01-01T00:00:00Z', validUntil: '2021-01-01T00:00:00Z'};
    await rejects(await secureCredential(c, format, issuer), /validUntil/);
  });
}

await check('jwt: signed by another key than the issuer\'s fails', async () => {
  const vc = await secureCredential(unsignedCredential('plain', issuer.did, subject), 'jwt', stranger);
  await rejects(vc, /not by its issuer/);
});

await check('jwt: alg none and a wrong typ fail', async () => {
  const vc = issued['jwt plain'];
  const [, p] = vc.split('.');
  const none = Buffer.from(JSON.stringify({alg: 'none', typ: 'vc+jwt'})).toString('base64url');
  await rejects(`${none}.${p}.`, /alg/);
  const [h, , s] = vc.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  const other = Buffer.from(JSON.stringify({...header, typ: 'JWT'})).toString('base64url');
  await rejects(`${other}.${p}.${s}`, /typ/);
});

// Presentations.
const challenge = 'c-' + Math.random().toString(36).slice(2);
const domain = 'https://verifier.example';
const good = {challenge, domain};
for(const vpFormat of FORMATS) {
  for(const vcFormat of FORMATS) {
    // A DI presentation can hold DI credentials or enveloped JWTs; a vp+jwt holds enveloped JWTs
    // or DI credentials.
    const name = `presentation ${vpFormat} of ${vcFormat}`;
    await check(name, async () => {
      const vc = issued[`${vcFormat} humanity`];
      const vp = await presentCredentials([vc], vpFormat, holder, good);
      await accepts(vp, 'presentation', good);
      await rejects(vp, /challenge|nonce/i, {challenge: 'other', domain});
      await rejects(vp, /domain|aud/i, {challenge, domain: 'https://evil.example'});
      const forgedVp = await presentCredentials([tamper(vc)], vpFormat, holder, good);
      await rejects(forgedVp, /signature|Invalid|verification/i, good);
      try {
        await verifyAny(vp, {statusFiles: []});
      } catch(e) {
        if(e instanceof UsageError) {
          return;
        }
      }
      throw new Error('a presentation verified without a challenge');
    });
  }
}

await check('presentation: signed by someone other than its holder fails', async () => {
  for(const format of FORMATS) {
    const vp = await presentCredentials(
      [issued['eddsa-rdfc-2022 plain']], format, stranger, {...good, holder: holder.did});
    await rejects(vp, /not by its holder/, good);
  }
});

// Bitstring Status List.
await check('status list: revoked fails, valid passes, unchecked fails', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'interop-status-'));
  try {
    const listUrl = 'https://issuer.example/status/1';
    const bits = Buffer.alloc(16 * 1024);
    const revoked = 94567;
    bits[revoked >> 3] |= 0x80 >> (revoked & 7);
    const list = await secureCredential({
      '@context': [VC_V2],
      id: listUrl,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: issuer.did,
      validFrom: '2024-01-01T00:00:00Z',
      credentialSubject: {
        id: `${listUrl}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
        encodedList: 'u' + gzipSync(bits).toString('base64url')
      }
    }, 'eddsa-rdfc-2022', issuer);
    const listFile = join(dir, 'list.json');
    writeFileSync(listFile, JSON.stringify(list));
    const withStatus = async (index, format) => secureCredential({
      ...unsignedCredential('plain', issuer.did, subject),
      credentialStatus: {
        id: `${listUrl}#${index}`,
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: String(index),
        statusListCredential: listUrl
      }
    }, format, issuer);
    for(const format of FORMATS) {
      await rejects(await withStatus(revoked, format), /status is set: revocation/, {statusFiles: [listFile]});
      await accepts(await withStatus(revoked + 1, format), 'credential', {statusFiles: [listFile]});
      await rejects(await withStatus(revoked + 1, format), /^status not checked$/);
    }
    // A tampered list (bit cleared) does not verify, so it cannot clear a revocation.
    const cleared = structuredClone(list);
    cleared.credentialSubject.encodedList = 'u' + gzipSync(Buffer.alloc(16 * 1024)).toString('base64url');
    writeFileSync(listFile, JSON.stringify(cleared));
    await rejects(await withStatus(revoked, 'eddsa-rdfc-2022'), /signature/i, {statusFiles: [listFile]});
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

// The command-line scripts themselves: output line and exit codes.
const exec = promisify(execFile);
async function script(args) {
  try {
    const {stdout} = await exec(process.execPath, args, {cwd: here});
    return {code: 0, out: JSON.parse(stdout)};
  } catch(e) {
    if(typeof e.code !== 'number') {
      throw e;
    }
    return {code: e.code, out: JSON.parse(e.stdout)};
  }
}
await check('command line: issue.mjs, present.mjs and verify.mjs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'interop-cli-'));
  try {
    const seed = '11'.repeat(32);
    const jcs = join(dir, 'jcs.json');
    const jwt = join(dir, 'vc.jwt');
    const [a, b] = await Promise.all([
      script(['issue.mjs', '--out', jcs, '--suite', 'eddsa-jcs-2022', '--seed', seed]),
      script(['issue.mjs', '--out', jwt, '--jwt', '--type', 'plain', '--seed', seed])
    ]);
    if(a.code !== 0 || b.code !== 0 || a.out.issuer !== b.out.issuer || a.out.file !== jcs) {
      throw new Error(`issue.mjs: ${JSON.stringify([a, b])}`);
    }
    const vp = join(dir, 'vp.jwt');
    const p = await script(['present.mjs', '--out', vp, '--challenge', 'n1', '--domain', 'd1', '--jwt', jcs, jwt]);
    if(p.code !== 0) {
      throw new Error(`present.mjs: ${JSON.stringify(p)}`);
    }
    // The two credentials are checked inside the presentation (DI jcs embedded, JWT enveloped).
    const results = await Promise.all([
      script(['verify.mjs', vp, '--challenge', 'n1', '--domain', 'd1']),
      script(['verify.mjs', vp, '--challenge', 'n2', '--domain', 'd1']),
      script(['verify.mjs', vp]),
    ]);
    const expected = [
      [0, {verified: true, kind: 'presentation'}],
      [1, {verified: false, kind: 'presentation'}],
      [2, {verified: false, kind: 'presentation'}],
    ];
    results.forEach((r, i) => {
      const [code, fields] = expected[i];
      const ok = r.code === code && Object.entries(fields).every(([k, v]) => r.out[k] === v) &&
        (code === 0) === (r.out.error === undefined);
      if(!ok) {
        throw new Error(`verify.mjs case ${i}: ${JSON.stringify(r)}`);
      }
    });
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
});

finish({passed: passed.length, failed}, failed.length ? 1 : 0);
