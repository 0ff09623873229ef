// node bench/validate.bench.mjs — the wasm package's validateProfile against
// validator.js doing less (isEmail + isFQDN + isPort), same inputs, same
// process, alternating rounds. Prints the ratio (ours ÷ theirs; goal ≤ 0.5).
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

function ours() {
  let n = 0;
  for (const p of profiles) n += validateProfile(p, 'de').length;
  return n;
}
function theirs() {
  let n = 0;
  for (const p of profiles) {
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

for (let i = 0; i < 20; i++) { ours(); theirs(); } // warm up both JITs
const samples = { ours: [], theirs: [] };
for (let round = 0; round < 15; round++) {
  samples.ours.push(time(ours, 10));
  samples.theirs.push(time(theirs, 10));
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
const o = median(samples.ours) / profiles.length;
const t = median(samples.theirs) / profiles.length;
console.log(`profiles: ${profiles.length} (isemail corpus addresses)`);
console.log(`mailsetup validateProfile (wasm): ${(o / 1000).toFixed(2)} µs/profile`);
console.log(`validator.js isEmail+isFQDN+isPort: ${(t / 1000).toFixed(2)} µs/profile`);
console.log(`ratio ours/validator.js: ${(o / t).toFixed(2)} (goal ≤ 0.50)`);
