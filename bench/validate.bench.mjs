// node bench/validate.bench.mjs — the wasm package's validateProfile against
// validator.js doing less (isEmail + isFQDN + isPort), same inputs, same
// process, alternating rounds. Prints the ratio (ours ÷ theirs; goal ≤ 1.0, issue #12).
import { readFileSync } from 'node:fs';
import validator from 'validator';
import { initSync, validateProfile } from '../www/pkg/mailsetup_wasm.js';
import { corpusProfiles, typicalProfiles, theirs, timeBoth, median } from './sets.mjs';

initSync({ module: readFileSync(new URL('../www/pkg/mailsetup_wasm_bg.wasm', import.meta.url)) });

function ours(set) {
  let n = 0;
  for (const p of set) n += validateProfile(p, 'de').length;
  return n;
}

for (const [label, set, rounds] of [
  ['isemail corpus addresses', corpusProfiles, 10],
  ['typical practice profiles', typicalProfiles, 400],
]) {
  for (let i = 0; i < 20; i++) { ours(set); theirs(validator, set); } // warm up both JITs
  // The ratio is taken per round, of two runs next to each other: this
  // machine's speed drifts (a shared host), and a slow stretch then slows
  // both sides of a round alike. Each side goes first in every other round.
  const samples = { ours: [], theirs: [], ratio: [] };
  for (let round = 0; round < 26; round++) {
    const [o, t] = timeBoth(() => ours(set), () => theirs(validator, set), rounds, round);
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
