// The wizard served by mailprobe.exe under Wine (tests/windows.rs), in the
// Linux Chromium: a test against the real Dovecot, and two saves, the
// second replacing the file the first wrote (Windows file semantics).
// Environment: WIZARD_URL, SMTP_PORT_TLS, SMTP_PASSWORD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';
import { fillProfile } from './forms.mjs';

const url = process.env.WIZARD_URL;
const port = process.env.SMTP_PORT_TLS;
const password = process.env.SMTP_PASSWORD;
assert.ok(url && port && password, 'run through `cargo test --test windows`, which starts mailprobe.exe');

let context;
before(async () => { context = await launch({ width: 1024, height: 768 }); });
after(async () => { await context?.close(); });

const profile = (page, name) => fillProfile(page, { name, host: 'localhost', port, password });

test('tested and saved twice through mailprobe.exe', async () => {
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e}`));
  await page.goto(url);
  await page.locator('#profile').waitFor({ state: 'visible', timeout: 30000 });
  await profile(page, 'Praxis Müller');
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 30000 });
  assert.match(await page.locator('#status').textContent(), /Anmeldung am Server localhost war erfolgreich/);
  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor({ timeout: 20000 });
  assert.match(await page.locator('#settings-status').textContent(), /Datei: C:\\users\\.*\\AppData\\Roaming\\mailsetup\\settings\.json/);
  await page.click('#new-profile');
  await profile(page, 'Praxis Süd');
  await page.click('#ok');
  await page.locator('#profiles li').nth(1).waitFor();
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor({ timeout: 20000 });
  await page.close();
});
