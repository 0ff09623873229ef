// The wizard in real headless Chromium (Debian's), driven by playwright-core,
// against `mailprobe serve` and a real Dovecot started by tests/wizard_browser.rs.
// Environment: WIZARD_URL, SMTP_PORT_TLS, SMTP_PASSWORD, ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const url = process.env.WIZARD_URL;
const port = process.env.SMTP_PORT_TLS;
const password = process.env.SMTP_PASSWORD;
const artifacts = process.env.ARTIFACTS ?? join(tmpdir(), 'mailsetup-artifacts');
assert.ok(url && port && password, 'run through `cargo test --test wizard_browser`, which starts the servers');
mkdirSync(artifacts, { recursive: true });

let context;
let page;

before(async () => {
  // A fresh profile directory each run.
  context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'mailsetup-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  page = context.pages()[0] ?? await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(url);
  await page.locator('#profile').waitFor({ state: 'visible' });
});

after(async () => { await context?.close(); });

test('the token leaves the address bar', async () => {
  assert.ok(!page.url().includes('token='), page.url());
});

test('an invalid address shows the German message as one types', async () => {
  await page.fill('#email', 'info.praxis-mueller.de');
  const msg = page.locator('.findings[data-field=email] p.error');
  await msg.waitFor();
  assert.equal(await msg.textContent(), 'Der E-Mail-Adresse fehlt das @-Zeichen, z. B. info@praxis.de.');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  await page.screenshot({ path: join(artifacts, 'wizard-invalid-address.png') });
});

test('a typo suggestion is applied with one click', async () => {
  await page.fill('#email', 'info@gmx.dee');
  const hint = page.locator('.findings[data-field=email] p[data-code=domain_typo]');
  await hint.waitFor();
  assert.match(await hint.textContent(), /Meinten Sie gmx\.de\?/);
  await hint.locator('button').click();
  assert.equal(await page.inputValue('#email'), 'info@gmx.de');
  assert.equal(await page.locator('.findings[data-field=email] p').count(), 0);
});

test('"Einstellungen suchen" fills the GMX settings and shows the POP3/IMAP note', async () => {
  await page.fill('#email', 'praxis@gmx.de');
  await page.click('#find');
  assert.equal(await page.inputValue('#smtp-host'), 'mail.gmx.net');
  assert.equal(await page.inputValue('#smtp-port'), '465');
  assert.equal(await page.inputValue('#smtp-security'), 'tls');
  assert.equal(await page.inputValue('#smtp-username'), 'praxis@gmx.de');
  const note = page.locator('#preset p[data-kind=enable_access]');
  assert.match(await note.textContent(), /POP3 & IMAP/);
  assert.equal(await note.locator('a').getAttribute('href'), 'https://hilfe.gmx.net/pop-imap/einschalten.html');
  await page.screenshot({ path: join(artifacts, 'wizard-preset-gmx.png') });
  await page.fill('#email', 'info@praxis-mueller.de');
  await page.click('#find');
  assert.match(await page.locator('#preset').textContent(), /tragen Sie die Daten manuell ein/);
});

test('a valid profile against the test Dovecot logs in', async () => {
  await page.fill('#name', 'Praxis Müller');
  await page.fill('#email', 'info@praxis-mueller.de');
  await page.fill('#smtp-host', 'localhost');
  await page.fill('#smtp-port', port);
  await page.selectOption('#smtp-security', 'tls');
  await page.fill('#smtp-username', 'info@praxis-mueller.de');
  await page.fill('#password', password);
  assert.equal(await page.locator('#status').textContent(), 'Die Einstellungen wurden noch nicht getestet');
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#status').textContent(), /Anmeldung am Server localhost war erfolgreich/);
  assert.ok(await page.locator('#stages li[data-stage=auth][data-ok=true]').count() === 1);
  await page.screenshot({ path: join(artifacts, 'wizard-test-ok.png') });
  // Any change makes the result stale again.
  await page.fill('#smtp-username', 'info@praxis-mueller.de ');
  assert.equal(await page.locator('#status').textContent(), 'Die Einstellungen wurden noch nicht getestet');
});
