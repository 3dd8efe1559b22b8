// Issues a VC 2.0 credential with vc.js (Data Integrity) or jose (vc+jwt), offline.
//
//   node issue.mjs --out FILE [--suite eddsa-rdfc-2022|eddsa-jcs-2022 | --jwt]
//                  [--type humanity|plain] [--seed HEX32] [--subject DID]
//
// The issuer is an Ed25519 did:key (random, or derived from --seed); the subject is --subject or
// a fresh did:key. Writes the credential (JSON, or the compact JWT) to FILE and prints one JSON
// line {"issuer": DID, "file": FILE}. Exit 2 on a usage or unexpected error.
import {writeFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError, finish, newDidKey, run, secureCredential, seedBytes, unsignedCredential} from './lib.mjs';

run(async () => {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      out: {type: 'string'},
      suite: {type: 'string', default: 'eddsa-rdfc-2022'},
      jwt: {type: 'boolean', default: false},
      type: {type: 'string', default: 'humanity'},
      seed: {type: 'string'},
      subject: {type: 'string'}
    }
  });
  if(!values.out || positionals.length) {
    throw new UsageError('usage: issue.mjs --out FILE [--suite eddsa-rdfc-2022|eddsa-jcs-2022 | --jwt] ' +
      '[--type humanity|plain] [--seed HEX32] [--subject DID]');
  }
  const key = await newDidKey(values.seed === undefined ? undefined : seedBytes(values.seed));
  const subject = values.subject ?? (await newDidKey()).did;
  const credential = unsignedCredential(values.type, key.did, subject);
  const secured = await secureCredential(credential, values.jwt ? 'jwt' : values.suite, key);
  writeFileSync(values.out, typeof secured === 'string' ? secured : JSON.stringify(secured, null, 2) + '\n');
  finish({issuer: key.did, file: values.out}, 0);
});
