// Wraps credentials in a verifiable presentation with vc.js (Data Integrity) or jose (vp+jwt).
//
//   node present.mjs --out FILE --challenge C --domain D [--suite eddsa-rdfc-2022|eddsa-jcs-2022 | --jwt]
//                    [--seed HEX32] CREDENTIAL_FILE...
//
// The holder is an Ed25519 did:key (random, or derived from --seed). Credentials are JSON (Data
// Integrity, embedded as they are) or compact vc+jwt (embedded as EnvelopedVerifiableCredential).
// Writes FILE and prints one JSON line {"holder": DID, "file": FILE}. Exit 2 on any error.
import {readFileSync, writeFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError, finish, newDidKey, presentCredentials, run, seedBytes} from './lib.mjs';

run(async () => {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      out: {type: 'string'},
      challenge: {type: 'string'},
      domain: {type: 'string'},
      suite: {type: 'string', default: 'eddsa-rdfc-2022'},
      jwt: {type: 'boolean', default: false},
      seed: {type: 'string'}
    }
  });
  if(!values.out || values.challenge === undefined || values.domain === undefined) {
    throw new UsageError('usage: present.mjs --out FILE --challenge C --domain D ' +
      '[--suite eddsa-rdfc-2022|eddsa-jcs-2022 | --jwt] [--seed HEX32] CREDENTIAL_FILE...');
  }
  const credentials = positionals.map(f => {
    const text = readFileSync(f, 'utf8').trim();
    return text.startsWith('{') ? JSON.parse(text) : text;
  });
  const key = await newDidKey(values.seed === undefined ? undefined : seedBytes(values.seed));
  const vp = await presentCredentials(credentials, values.jwt ? 'jwt' : values.suite, key, {
    challenge: values.challenge, domain: values.domain
  });
  writeFileSync(values.out, typeof vp === 'string' ? vp : JSON.stringify(vp, null, 2) + '\n');
  finish({holder: key.did, file: values.out}, 0);
});
