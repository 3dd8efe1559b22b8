// Verifies the credential in FILE N times with vc.js (or jose for a vc+jwt), one after another,
// after one untimed warm-up run, and prints one JSON line {"per_second": x, "n": N}.
//
//   node bench-verify.mjs FILE N [--status-list FILE]...
//
// Exit 1 if the credential does not verify, 2 on a usage or unexpected error.
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError, finish, run, verifyAny} from './lib.mjs';

run(async () => {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {'status-list': {type: 'string', multiple: true, default: []}}
  });
  const n = Number(positionals[1]);
  if(positionals.length !== 2 || !Number.isSafeInteger(n) || n < 1) {
    throw new UsageError('usage: bench-verify.mjs FILE N [--status-list FILE]... (N >= 1)');
  }
  const text = readFileSync(positionals[0], 'utf8').trim();
  const options = {statusFiles: values['status-list']};
  // A fresh copy every time: nothing cached between runs but what vc.js caches itself.
  const input = () => (text.startsWith('{') ? JSON.parse(text) : text);
  const {kind} = await verifyAny(input(), options);
  if(kind !== 'credential') {
    throw new UsageError('bench-verify.mjs measures credentials, not presentations');
  }
  const start = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await verifyAny(input(), options);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  finish({per_second: n / seconds, n}, 0);
});
