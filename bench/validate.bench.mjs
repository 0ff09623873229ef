// node bench/validate.bench.mjs — the wasm package's validateProfile against
// validator.js doing less (isEmail + isFQDN + isPort), same inputs, same
// process, alternating rounds. Prints the ratio (ours ÷ theirs; goal ≤ 1.0, issue #12).
import { readFileSync } from 'node:fs';
import validator from 'validator';
import { initSync, validateProfile } from '../www/pkg/mailsetup_wasm.js';

initSync({ module: readFileSync(new URL('../www/pkg/mailsetup_wasm_bg.wasm', import.meta.url)) });

// Inputs: every address of the isemail corpus, with realistic servers and ports.
const corpus = readFileSync(new URL('../../shared/corpora/isemail.jsonl', import.meta.url), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l).input);
const hosts = ['mail.gmx.net', 'smtp.web.de', 'securesmtp.t-online.de', 'smtp.ionos.de', 'smtp://x.de:587', 'smtp..x.de'];
const profiles = corpus.map((email, i) => ({
  name: 'Praxis', email, auth: 'password',
  smtp: { host: hosts[i % hosts.length], port: [465, 587, 25, 70000][i % 4], security: 'tls', username: '' },
  pop_before_smtp: null,
}));

// A second set: what practices type (provider and own domains, an umlaut
// domain, typos, user name filled or left empty), written down before
// measuring (typical-profiles.json; core/examples/prof.rs reads it too).
// The corpus above is the stress case.
const typical = JSON.parse(readFileSync(new URL('./typical-profiles.json', import.meta.url), 'utf8'))
  .map(([email, host, port, security, username]) => ({
    name: 'Praxis', email, auth: 'password', smtp: { host, port, security, username }, pop_before_smtp: null,
  }));

function ours(set) {
  let n = 0;
  for (const p of set) n += validateProfile(p, 'de').length;
  return n;
}
function theirs(set) {
  let n = 0;
  for (const p of set) {
    if (!validator.isEmail(p.email)) n++;
    if (!validator.isFQDN(p.smtp.host)) n++;
    if (!validator.isPort(String(p.smtp.port))) n++;
  }
  return n;
}

function time(fn, rounds) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - t0) / rounds;
}

const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const [label, set, rounds] of [
  ['isemail corpus addresses', profiles, 10],
  ['typical practice profiles', typical, 400],
]) {
  for (let i = 0; i < 20; i++) { ours(set); theirs(set); } // warm up both JITs
  // The ratio is taken per round, of two runs next to each other: this
  // machine's speed drifts (a shared host), and a slow stretch then slows
  // both sides of a round alike.
  const samples = { ours: [], theirs: [], ratio: [] };
  for (let round = 0; round < 25; round++) {
    const o = time(() => ours(set), rounds);
    const t = time(() => theirs(set), rounds);
    samples.ours.push(o);
    samples.theirs.push(t);
    samples.ratio.push(o / t);
  }
  const o = median(samples.ours) / set.length;
  const t = median(samples.theirs) / set.length;
  console.log(`${label}: ${set.length} profiles`);
  console.log(`  mailsetup validateProfile (wasm): ${(o / 1000).toFixed(2)} µs/profile`);
  console.log(`  validator.js isEmail+isFQDN+isPort: ${(t / 1000).toFixed(2)} µs/profile`);
  console.log(`  ratio ours/validator.js (median of rounds): ${median(samples.ratio).toFixed(2)} (goal ≤ 1.0)`);
}
