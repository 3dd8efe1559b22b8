// Verifies the credential in FILE N times with vc.js (or jose for a vc+jwt), one after another,
// after W untimed warm-up runs (--warmup W, default N: the JavaScript engine compiles the hot code
// with its optimizing compiler only after many runs, so the timed runs see vc.js at its steady
// speed), and prints one JSON line {"per_second": x, "n": N}.
//
//   node bench-verify.mjs FILE N [--warmup W] [--status-list FILE]...
//
// Exit 1 if the credential does not verify, 2 on a usage or unexpected error.
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {UsageError, finish, run, verifyAny} from './lib.mjs';

run(async () => {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {
      'status-list': {type: 'string', multiple: true, default: []},
      warmup: {type: 'string'}
    }
  });
  const n = Number(positionals[1]);
  const warmup = Number(values.warmup ?? positionals[1]);
  if(positionals.length !== 2 || !Number.isSafeInteger(n) || n < 1 ||
    !Number.isSafeInteger(warmup) || warmup < 1) {
    throw new UsageError(
      'usage: bench-verify.mjs FILE N [--warmup W] [--status-list FILE]... (N, W >= 1)');
  }
  const text = readFileSync(positionals[0], 'utf8').trim();
  const options = {statusFiles: values['status-list']};
  // A fresh copy every time: nothing cached between runs but what vc.js caches itself.
  const input = () => (text.startsWith('{') ? JSON.parse(text) : text);
  const {kind} = await verifyAny(input(), options);
  if(kind !== 'credential') {
    throw new UsageError('bench-verify.mjs measures credentials, not presentations');
  }
  for(let i = 1; i < warmup; i++) {
    await verifyAny(input(), options);
  }
  const start = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await verifyAny(input(), options);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  finish({per_second: n / seconds, n}, 0);
});
