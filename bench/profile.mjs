// Where a call of validateProfile goes, by V8's sampling profiler:
//
//   CARGO_PROFILE_RELEASE_DEBUG=1 cargo build --release -p mailsetup-wasm --target wasm32-unknown-unknown
//   wasm-bindgen --target web --keep-debug --out-dir /tmp/named target/wasm32-unknown-unknown/release/mailsetup_wasm.wasm
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --cpu-prof-interval 50 bench/profile.mjs /tmp/named
//   node bench/profile.mjs --summary /tmp/prof/*.cpuprofile
//
// The first run validates the corpus profiles for eight seconds (a build
// with names, as above, shows the Rust functions by name); the second
// prints the self time of the busiest functions, in percent.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { corpusProfiles } from './sets.mjs';

if (process.argv[2] === '--summary') {
  const profile = JSON.parse(readFileSync(process.argv[3], 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (const id of profile.samples) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)} ${key}`);
  }
} else {
  const dir = resolve(process.argv[2] ?? new URL('../www/pkg', import.meta.url).pathname);
  const m = await import(pathToFileURL(resolve(dir, 'mailsetup_wasm.js')).href);
  m.initSync({ module: readFileSync(resolve(dir, 'mailsetup_wasm_bg.wasm')) });
  let findings = 0;
  const start = Date.now();
  while (Date.now() - start < 8000) for (const p of corpusProfiles) findings += m.validateProfile(p, 'de').length;
  console.log(`${findings} findings`);
}
