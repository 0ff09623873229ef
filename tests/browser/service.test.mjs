// The local service stops while the page is open (tests/wizard_look.rs
// passes its process id): the page says so in plain words, every action
// answers with why it could not run, and nothing typed is lost.
// Environment: WIZARD_URL, SERVE_PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';

const url = process.env.WIZARD_URL;
const pid = Number(process.env.SERVE_PID);
assert.ok(url && pid, 'run through `cargo test --test wizard_look`, which starts the service');

let context;
before(async () => { context = await launch({ width: 1024, height: 768 }); });
after(async () => { await context?.close(); });

test('the service stops: said at once, every action answers, nothing typed is lost', async () => {
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e}`));
  await page.goto(url);
  await page.locator('#profile').waitFor({ state: 'visible' });
  const typed = {
    '#name': 'Praxis Müller', '#email': 'info@unbekannt-praxis.test', '#smtp-host': 'smtp.musterpraxis.test',
    '#smtp-port': '465', '#smtp-username': 'info@praxis-mueller.de', '#password': 'Geheim 1',
  };
  for (const [sel, value] of Object.entries(typed)) await page.fill(sel, value);
  assert.ok(await page.locator('#service').isHidden(), 'no alarm while the service runs');

  process.kill(pid, 'SIGKILL');
  // Without any action the page notices (it asks every few seconds).
  await page.locator('#service').waitFor({ state: 'visible', timeout: 15000 });
  assert.match(await page.locator('#service').textContent(), /Der lokale Dienst „mailprobe“ antwortet nicht mehr\. Ihre Eingaben auf dieser Seite bleiben erhalten\./);

  await page.click('#test');
  await page.locator('#status[data-state=failed]').waitFor();
  assert.equal(await page.locator('#status').textContent(), 'Der lokale Dienst „mailprobe“ antwortet nicht.');
  assert.match(await page.locator('#hint').textContent(), /Ihre Eingaben bleiben erhalten/);

  await page.click('#save-settings');
  await page.locator('#settings-status').filter({ hasText: 'Speichern fehlgeschlagen: Der lokale Dienst' }).waitFor();

  await page.click('#find');
  await page.locator('#preset[data-state=failed]').waitFor();
  assert.match(await page.locator('#preset').textContent(), /Die Suche im Netz war nicht möglich: Der lokale Dienst/);

  await page.click('#help-open');
  await page.locator('#help-count').filter({ hasText: 'Die Liste konnte nicht geladen werden' }).waitFor();
  await page.keyboard.press('Escape');

  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Der lokale Dienst' }).waitFor();

  for (const [sel, value] of Object.entries(typed)) assert.equal(await page.inputValue(sel), value, sel);
  await page.close();
});
