// Verifies a credential or presentation with vc.js (Data Integrity: eddsa-rdfc-2022 or
// eddsa-jcs-2022) or jose (VC-JOSE compact JWT: vc+jwt / vp+jwt), offline.
//
//   node verify.mjs FILE [--challenge C] [--domain D] [--status-list FILE]...
//
// Prints one JSON line {"verified", "kind", "error"?}; exit 0 verified, 1 not verified, 2 usage or
// unexpected error.
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError, exitCodeOf, finish, messageOf, run, verifyAny} from './lib.mjs';

run(async () => {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      challenge: {type: 'string'},
      domain: {type: 'string'},
      'status-list': {type: 'string', multiple: true, default: []}
    }
  });
  if(positionals.length !== 1) {
    throw new UsageError('usage: verify.mjs FILE [--challenge C] [--domain D] [--status-list FILE]...');
  }
  const text = readFileSync(positionals[0], 'utf8').trim();
  // JSON (Data Integrity) or a compact JWT (three base64url parts).
  let input;
  if(text.startsWith('{')) {
    try {
      input = JSON.parse(text);
    } catch(e) {
      throw new UsageError(`${positionals[0]} is not JSON: ${e.message}`);
    }
  } else {
    input = text;
  }
  const kind = guessKind(input);
  try {
    const result = await verifyAny(input, {
      challenge: values.challenge,
      domain: values.domain,
      statusFiles: values['status-list']
    });
    finish({verified: true, kind: result.kind}, 0);
  } catch(error) {
    finish({verified: false, kind, error: messageOf(error)}, exitCodeOf(error));
  }
}, {verified: false});

// What the input claims to be, for the output line even when it does not verify.
function guessKind(input) {
  let doc = input;
  if(typeof input === 'string') {
    try {
      const header = JSON.parse(Buffer.from(input.split('.')[0], 'base64url').toString('utf8'));
      return header.typ === 'vp+jwt' ? 'presentation' : 'credential';
    } catch {
      return 'credential';
    }
  }
  return [].concat(doc?.type ?? []).includes('VerifiablePresentation') ? 'presentation' : 'credential';
}
