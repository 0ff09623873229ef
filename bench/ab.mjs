// node bench/ab.mjs BEFORE AFTER — two builds of the wasm package (directories
// like www/pkg) in one process, each against validator.js, in 31 alternating
// rounds, after checking that both give the same findings for every profile.
// Prints each one's ratio to validator.js and AFTER ÷ BEFORE (medians of the
// rounds). A package of another revision: `git worktree add /tmp/before REV`,
// then `CARGO_TARGET_DIR=/tmp/target-before cargo xtask wasm` there.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import validator from 'validator';
import { corpusProfiles, typicalProfiles, theirs, time, timeBoth, median } from './sets.mjs';

if (process.argv.length !== 4) {
  console.error('usage: node bench/ab.mjs BEFORE_PKG_DIR AFTER_PKG_DIR');
  process.exit(2);
}
async function load(dir) {
  const m = await import(pathToFileURL(resolve(dir, 'mailsetup_wasm.js')).href);
  m.initSync({ module: readFileSync(resolve(dir, 'mailsetup_wasm_bg.wasm')) });
  return m;
}
const [before, after] = [await load(process.argv[2]), await load(process.argv[3])];

for (const p of [...corpusProfiles, ...typicalProfiles]) {
  if (JSON.stringify(before.validateProfile(p, 'de')) !== JSON.stringify(after.validateProfile(p, 'de'))) {
    console.error('the two packages give different findings for', JSON.stringify(p));
    process.exit(1);
  }
}

let sink = 0;
const run = (m, set) => () => { for (const p of set) sink += m.validateProfile(p, 'de').length; };
for (const [label, set, rounds] of [['isemail corpus', corpusProfiles, 8], ['typical profiles', typicalProfiles, 300]]) {
  const a = run(before, set);
  const b = run(after, set);
  const v = () => { sink += theirs(validator, set); };
  for (let w = 0; w < 20; w++) { a(); b(); v(); }
  const ra = [], rb = [], rba = [];
  for (let r = 0; r < 32; r++) {
    // Each package goes first in every other round.
    const tv = time(v, rounds);
    const [ta, tb] = timeBoth(a, b, rounds, r);
    ra.push(ta / tv);
    rb.push(tb / tv);
    rba.push(tb / ta);
  }
  console.log(`${label}: before ÷ validator.js ${median(ra).toFixed(3)}, after ÷ validator.js ${median(rb).toFixed(3)}, after ÷ before ${median(rba).toFixed(3)}`);
}
