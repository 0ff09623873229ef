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

// `a` and `b` timed one after the other, `a` first in even rounds and `b`
// in odd ones: the one that runs second pays for the garbage of the first.
export function timeBoth(a, b, rounds, round) {
  if (round % 2 === 0) {
    const ta = time(a, rounds);
    return [ta, time(b, rounds)];
  }
  const tb = time(b, rounds);
  return [time(a, rounds), tb];
}

export const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
