// The settings file as the page meets it (issues #12 and #13), in real
// headless Chromium against `mailprobe serve` (started by
// tests/wizard_browser.rs with a damaged settings file).
// Environment: WIZARD_URL, SETTINGS_PATH.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './chromium.mjs';

const url = process.env.WIZARD_URL;
const file = process.env.SETTINGS_PATH;
assert.ok(url && file, 'run through `cargo test --test wizard_browser`, which starts the service');

let context;

before(async () => {
  context = await launch({ width: 1280, height: 900 });
});

after(async () => { await context?.close(); });

// Each test on a fresh page (the session cookie is the context's).
async function open(path = '/') {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(new URL(path, url).href);
  await page.locator('#profile').waitFor({ state: 'visible' });
  return page;
}

async function fillProfile(page, name, email) {
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#smtp-host', 'smtp.praxis-mueller.de');
  await page.fill('#smtp-port', '465');
  await page.selectOption('#smtp-security', 'tls');
  await page.fill('#smtp-username', email);
}

test('a damaged settings file is named, never overwritten, and kept when starting anew', async () => {
  const damaged = readFileSync(file, 'utf8');
  const page = await open(url);
  const status = page.locator('#settings-status');
  await status.filter({ hasText: 'konnten nicht geladen werden' }).waitFor();
  assert.ok((await status.textContent()).includes(file), await status.textContent());
  await fillProfile(page, 'Praxis Neu', 'info@praxis-mueller.de');
  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Speichern ist gesperrt' }).waitFor();
  assert.equal(readFileSync(file, 'utf8'), damaged, 'the damaged file is untouched');
  await status.getByRole('button', { name: /Neu beginnen/ }).click();
  await status.filter({ hasText: 'aufbewahrt als' }).waitFor();
  const kept = (await status.textContent()).match(/aufbewahrt als (\S+)\./)[1];
  assert.equal(readFileSync(kept, 'utf8'), damaged);
  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).profiles[0].name, 'Praxis Neu');
  await page.close();
});

test('two tabs: the second is told the settings changed, and keeps what was typed', async () => {
  const a = await open();
  const b = await open();
  await a.click('#add-tenant');
  const row = a.locator('#tenants tbody tr').first();
  await row.locator('input').first().fill('Physio Nord');
  await row.locator('.tenant-email').fill('info@praxis-mueller.de');
  await a.click('#save-settings');
  await a.locator('#settings-status').filter({ hasText: 'Gespeichert.' }).waitFor();
  await b.click('#new-profile');
  await fillProfile(b, 'Filiale', 'filiale@praxis-mueller.de');
  await b.click('#ok');
  const status = b.locator('#settings-status');
  await status.filter({ hasText: 'an anderer Stelle geändert' }).waitFor();
  await status.getByRole('button', { name: 'Neu laden' }).click();
  await status.filter({ hasText: 'Neu geladen' }).waitFor();
  assert.equal(await b.inputValue('#name'), 'Filiale', 'what was typed is kept');
  assert.equal(await b.locator('#tenants tbody tr').count(), 1, 'the other tab\'s tenant is there');
  await b.click('#ok');
  await b.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(doc.profiles.map((p) => p.name), ['Praxis Neu', 'Filiale']);
  assert.equal(doc.tenants[0].name, 'Physio Nord');
  await a.close();
  await b.close();
});

test('import, edit nothing, save, load: every field identical (POP3 over TLS, its own user, unknown fields)', async () => {
  const doc = {
    profiles: [{
      name: 'Praxis Süd', email: 'sued@praxis-mueller.de', auth: 'password',
      smtp: { host: 'smtp.praxis-mueller.de', port: 587, security: 'starttls', username: 'sued@praxis-mueller.de', client_cert: 'none' },
      pop_before_smtp: { host: 'pop.praxis-mueller.de', port: 995, security: 'tls', username: 'pop-sued' },
      signature: { id: 7, html: false },
    }],
    tenants: [{ id: 's1', name: 'Physio Süd', email: 'sued@praxis-mueller.de', profile: 'Praxis Süd', color: 'green' }],
    written_by: 'a later version',
  };
  const page = await open();
  const importFile = join(mkdtempSync(join(tmpdir(), 'mailsetup-import-')), 'import.json');
  writeFileSync(importFile, JSON.stringify(doc));
  await page.setInputFiles('#import', importFile);
  await page.locator('#settings-status').filter({ hasText: 'Importiert und gespeichert:' }).waitFor();
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), doc);
  await page.locator('#profiles li', { hasText: 'Praxis Süd' }).getByRole('button', { name: 'Ändern…' }).click();
  assert.equal(await page.inputValue('#pop-security'), 'tls');
  assert.equal(await page.inputValue('#pop-username'), 'pop-sued');
  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();
  await page.reload();
  await page.locator('#profile').waitFor({ state: 'visible' });
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), doc, 'saved unchanged');
  await page.close();
});

test('each odd port text gets the core\'s own finding', async () => {
  const page = await open();
  await page.click('#new-profile');
  for (const text of ['0x1D1', '4.65e2', 'abc', '+465', '70000']) {
    await page.fill('#smtp-port', text);
    const f = page.locator('.findings[data-field~="smtp.port"] p[data-code=port_invalid]');
    await f.waitFor();
    assert.match(await f.textContent(), /Der Port muss eine Zahl von 1 bis 65535 sein/, text);
  }
  await page.fill('#smtp-port', '');
  await page.locator('.findings[data-field~="smtp.port"] p[data-code=port_missing]').waitFor();
  await page.close();
});
