// node bench/keystroke.bench.mjs [BEFORE_WWW]
//
// Keystroke to paint in headless Chromium: the time from an `input` event
// in the address field to the findings updated in the DOM, layout included,
// while every address of bench/typical-profiles.json is typed character by
// character. Measured on www/ (this tree) and, given a second www/ folder
// (e.g. a worktree of an earlier commit after `cargo xtask wasm`), on that
// one in the same run, alternating rounds; prints p50/p95/p99 and the p95
// ratio. Each page is served as static files (the wizard validates without
// its service).
import { createServer } from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const pages = [['now', join(here, '../www')]];
if (process.argv[2]) pages.push(['before', process.argv[2]]);
const addresses = JSON.parse(readFileSync(join(here, 'typical-profiles.json'), 'utf8')).map(([email]) => email);
const ROUNDS = 3;

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };
function serve(root) {
  const server = createServer((req, res) => {
    const path = join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/$/, '/index.html'));
    if (!path.startsWith(root) || !existsSync(path)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
});
const samples = Object.fromEntries(pages.map(([name]) => [name, []]));
const servers = [];
for (const [name, root] of pages) servers.push([name, await serve(root)]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, server] of servers) {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.locator('#email').waitFor({ state: 'visible' });
    // Capture listener first (t0), then after every other listener of the
    // event has run: force layout and take the time.
    await page.evaluate(() => {
      window.__times = [];
      const email = document.querySelector('#email');
      window.addEventListener('input', () => { window.__t0 = performance.now(); }, { capture: true });
      email.form.addEventListener('input', () => {
        void document.body.offsetHeight;
        window.__times.push(performance.now() - window.__t0);
      });
    });
    for (const address of addresses) {
      await page.fill('#email', '');
      await page.type('#email', address);
    }
    samples[name].push(...await page.evaluate(() => window.__times));
    await page.close();
  }
}
await browser.close();
for (const [, s] of servers) s.close();
const stats = {};
for (const [name] of pages) {
  const sorted = samples[name].sort((a, b) => a - b);
  stats[name] = { n: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
  const s = stats[name];
  console.log(`${name}: ${s.n} keystrokes, p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`);
}
if (stats.before) {
  console.log(`p95 ratio now/before: ${(stats.now.p95 / stats.before.p95).toFixed(2)} (goal ≤ 1.0)`);
}
