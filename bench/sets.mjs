// The two input sets of the validation benchmarks (validate.bench.mjs, ab.mjs).
import { readFileSync } from 'node:fs';

// Every address of the isemail corpus, with realistic servers and ports:
// the stress case, most profiles have several findings.
const corpus = readFileSync(new URL('../../shared/corpora/isemail.jsonl', import.meta.url), 'utf8')
  .split('\n').filter(Boolean).map((l) => JSON.parse(l).input);
const hosts = ['mail.gmx.net', 'smtp.web.de', 'securesmtp.t-online.de', 'smtp.ionos.de', 'smtp://x.de:587', 'smtp..x.de'];
export const corpusProfiles = corpus.map((email, i) => ({
  name: 'Praxis', email, auth: 'password',
  smtp: { host: hosts[i % hosts.length], port: [465, 587, 25, 70000][i % 4], security: 'tls', username: '' },
  pop_before_smtp: null,
}));

// What practices type (provider and own domains, an umlaut domain, typos,
// user name filled or left empty), written down before measuring
// (typical-profiles.json; core/examples/prof.rs reads it too).
export const typicalProfiles = JSON.parse(readFileSync(new URL('./typical-profiles.json', import.meta.url), 'utf8'))
  .map(([email, host, port, security, username]) => ({
    name: 'Praxis', email, auth: 'password', smtp: { host, port, security, username }, pop_before_smtp: null,
  }));

// validator.js doing less than we do: three booleans, no messages.
export function theirs(validator, set) {
  let n = 0;
  for (const p of set) {
    if (!validator.isEmail(p.email)) n++;
    if (!validator.isFQDN(p.smtp.host)) n++;
    if (!validator.isPort(String(p.smtp.port))) n++;
  }
  return n;
}

export function time(fn, rounds) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - t0) / rounds;
}

export const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
