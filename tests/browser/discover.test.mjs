// "Einstellungen suchen" in real headless Chromium against `mailprobe
// serve --dns …` (started by tests/discover.rs with dnsmasq, HTTPS
// autoconfig servers and a real Dovecot on loopback): every source, the
// confirmation of an unconfirmed result, and what the page says when
// nothing is found. Environment: WIZARD_URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';

const url = process.env.WIZARD_URL;
assert.ok(url, 'run through `cargo test --test discover`, which starts the service');

let context;
before(async () => { context = await launch({ width: 1280, height: 900 }); });
after(async () => { await context?.close(); });

async function open() {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto(url);
  await page.locator('#profile').waitFor({ state: 'visible' });
  return page;
}

async function search(page, address) {
  await page.fill('#email', address);
  await page.click('#find');
  await page.locator('#preset:not([data-state=searching])[data-state]').waitFor({ timeout: 20000 });
  return page.locator('#preset').getAttribute('data-state');
}

test('a known provider is answered at once from the offline table', async () => {
  const page = await open();
  let asked = false;
  page.on('request', (r) => { if (r.url().includes('/api/discover')) asked = true; });
  assert.equal(await search(page, 'praxis@gmx.de'), 'found');
  assert.equal(await page.inputValue('#smtp-host'), 'mail.gmx.net');
  assert.equal(asked, false, 'no network search for a known provider');
  await page.close();
});

test('the seed case: a hoster found by MX is shown with its domain and taken only when confirmed', async () => {
  const page = await open();
  await page.fill('#smtp-host', '');
  assert.equal(await search(page, 'info@musterpraxis.test'), 'confirm');
  const domain = page.locator('#preset .confirm .domain');
  assert.equal(await domain.textContent(), 'ionos.de');
  assert.ok(await domain.isVisible());
  // Shown whole: the element is as wide as its text needs.
  const box = await domain.evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(box.scroll <= box.client + 1, JSON.stringify(box));
  assert.match(await page.locator('#preset .to-confirm').first().textContent(), /ionos\.de/);
  assert.equal(await page.inputValue('#smtp-host'), '', 'nothing filled in before the confirmation');
  // Focus is on the next step.
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Einstellungen übernehmen');
  await page.locator('#preset').getByRole('button', { name: 'Einstellungen übernehmen', exact: true }).click();
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.ionos.de');
  assert.equal(await page.inputValue('#smtp-port'), '465');
  assert.equal(await page.inputValue('#smtp-security'), 'tls');
  await page.close();
});

test('an unconfirmed result can be refused', async () => {
  const page = await open();
  await page.fill('#smtp-host', 'smtp.eigen.test');
  assert.equal(await search(page, 'info@srvpraxis.test'), 'confirm');
  await page.getByRole('button', { name: 'Nicht übernehmen' }).click();
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.eigen.test', 'what the user typed stays');
  await page.close();
});

test('the domain\'s own autoconfig is filled in at once', async () => {
  const page = await open();
  assert.equal(await search(page, 'info@acpraxis.test'), 'found');
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.hoster.test');
  assert.equal(await page.inputValue('#smtp-username'), 'info');
  assert.match(await page.locator('#preset .found').textContent(), /Einstellungen für acpraxis\.test gefunden/);
  // The sources tried are listed.
  assert.ok(await page.locator('#preset .tried li').count() >= 2);
  await page.close();
});

test('an autoconfig file with an <oAuth2> block switches the profile to OAuth 2.0 with its provider', async () => {
  const page = await open();
  assert.equal(await search(page, 'info@m365praxis.test'), 'found');
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.office365.com');
  assert.ok(await page.locator('input[name=auth][value=oauth2]').isChecked());
  assert.equal(await page.inputValue('#oauth-provider'), 'microsoft');
  await page.close();
});

test('guessing finds a real server; look-alike digits are marked', async () => {
  const page = await open();
  assert.equal(await search(page, 'info@guesspraxis.test'), 'confirm');
  assert.equal(await page.locator('#preset .confirm .domain').textContent(), 'guesspraxis.test');
  await page.locator('#preset').getByRole('button', { name: 'Einstellungen übernehmen', exact: true }).click();
  assert.equal(await page.inputValue('#smtp-host'), 'mail.guesspraxis.test');

  assert.equal(await search(page, 'info@lookalike.test'), 'confirm');
  assert.equal(await page.locator('#preset .confirm .domain').textContent(), 'i0nos-mail.test');
  assert.equal(await page.locator('#preset .confirm mark.lookalike').count(), 1);
  assert.match(await page.locator('#preset .confirm .warning').textContent(), /Ziffern/);
  await page.close();
});

test('nothing found names the domain and the next step', async () => {
  const page = await open();
  assert.equal(await search(page, 'info@nothing-here.test'), 'not-found');
  const text = await page.locator('#preset').textContent();
  assert.match(text, /Für nothing-here\.test wurden keine Einstellungen gefunden/);
  assert.match(text, /fragen Sie Ihren E-Mail-Anbieter nach Postausgangsserver und Port/);
  // The next step has the focus: the help list, which fills in what is chosen.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'not-found-list');
  await page.keyboard.press('Enter');
  await page.locator('#help-list li').first().waitFor();
  await page.keyboard.type('posteo');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#smtp-host'), 'posteo.de');
  assert.match(await page.locator('#preset .found').textContent(), /Einstellungen für Posteo aus der Liste eingetragen/);
  await page.close();
});

test('a server that does not exist: the test offers the domain\'s settings', async () => {
  const page = await open();
  await page.fill('#name', 'Praxis');
  await page.fill('#email', 'info@musterpraxis.test');
  await page.fill('#smtp-host', 'smtp.musterpraxis.test');
  await page.fill('#smtp-port', '465');
  await page.selectOption('#smtp-security', 'tls');
  await page.fill('#password', 'x');
  await page.click('#test');
  await page.locator('#status[data-category=dns_not_found]').waitFor({ timeout: 20000 });
  await page.locator('#preset[data-state=confirm]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#preset .confirm .domain').textContent(), 'ionos.de');
  await page.close();
});
