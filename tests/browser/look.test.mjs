// The wizard's key states in real headless Chromium: each compared with its
// reference image (tests/browser/screenshots/) and checked by axe-core
// (WCAG 2.1 A/AA), in light mode at 1024×768, some in dark mode and at
// 200 % zoom too. Started by tests/wizard_look.rs, which runs Dovecot for
// smtp.musterpraxis.test, a silent server for slow.musterpraxis.test and
// dnsmasq. Environment: WIZARD_URL, SMTP_PASSWORD, ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';
import { fillProfile } from './forms.mjs';
import { assertAccessible, matchScreenshot } from './look.mjs';

const url = process.env.WIZARD_URL;
const password = process.env.SMTP_PASSWORD;
assert.ok(url && password, 'run through `cargo test --test wizard_look`, which starts the servers');

let context;
before(async () => {
  context = await launch({ width: 1024, height: 768 });
  const first = context.pages()[0] ?? await context.newPage();
  await first.goto(url);
  await first.locator('#profile').waitFor({ state: 'visible' });
});
after(async () => { await context?.close(); });

/** A fresh page of the wizard, in `scheme`, at `width`×`height` CSS pixels. */
async function open(t, { scheme = 'light', width = 1024, height = 768 } = {}) {
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e}`));
  t.after(() => page.close());
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
  await page.goto(new URL('/', url).href);
  await page.locator('#profile').waitFor({ state: 'visible' });
  return page;
}

/** The profile of the test server, with `pw`. */
const profile = (page, host, pw) => fillProfile(page, { host, port: 465, password: pw });

/** Nothing wider than the window: no sideways scrolling. */
async function assertNoSidewaysScroll(page, state) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${state}: the page is ${scroll} px wide in a window of ${client} px`);
}

// Timings and the settings file's temporary path change from run to run.
const VARYING = ['#stages .ms', '#settings-status'];

async function state(page, name, { mask = VARYING } = {}) {
  await assertNoSidewaysScroll(page, name);
  await assertAccessible(page, name);
  await matchScreenshot(page, name, mask);
}

test('empty', async (t) => {
  const page = await open(t);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'name', 'focus on the first field');
  await state(page, 'empty');
});

test('empty, dark mode', async (t) => {
  const page = await open(t, { scheme: 'dark' });
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(bg, 'rgb(238, 240, 243)', 'the dark colours are in use');
  await state(page, 'empty-dark');
});

test('findings shown next to their fields', async (t) => {
  const page = await open(t);
  await page.fill('#name', 'Praxis Müller');
  await page.fill('#email', 'info@praxis-mueller..de');
  await page.fill('#smtp-host', 'smtp praxis-mueller.de');
  await page.fill('#smtp-port', '99999');
  await page.click('#test');
  assert.equal(await page.locator('#status').textContent(), 'Bitte beheben Sie zuerst die markierten Fehler.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'email', 'focus on the first error');
  for (const field of ['email', 'smtp.host', 'smtp.port smtp.security']) {
    assert.ok(await page.locator(`.findings[data-field="${field}"] p.error`).count() > 0, field);
  }
  await state(page, 'findings');
});

test('settings found', async (t) => {
  const page = await open(t);
  await page.fill('#email', 'praxis@gmx.de');
  await page.click('#find');
  await page.locator('#preset[data-state=found]').waitFor();
  assert.equal(await page.inputValue('#smtp-host'), 'mail.gmx.net');
  assert.equal(await page.locator('#preset .found').textContent(), 'Einstellungen für GMX eingetragen, aus der Liste bekannter Anbieter.');
  assert.match(await page.locator('#preset .note').textContent(), /Zugriff über POP3 & IMAP/);
  // The next step has the focus: the user name is filled in, the password not.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await state(page, 'found');
});

test('an unconfirmed discovery result', async (t) => {
  const page = await open(t);
  await page.fill('#email', 'info@hosterpraxis.test');
  await page.click('#find');
  await page.locator('#preset[data-state=confirm]').waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Einstellungen übernehmen');
  await state(page, 'unconfirmed');
});

test('the help list, searched', async (t) => {
  const page = await open(t);
  await page.click('#help-open');
  await page.locator('#help-list li').first().waitFor();
  await page.keyboard.type('web');
  assert.equal(await page.locator('#help-list li').first().locator('.label').textContent(), 'WEB.DE');
  await state(page, 'help');
});

test('a test running', async (t) => {
  const page = await open(t);
  await profile(page, 'slow.musterpraxis.test', password);
  await page.click('#test');
  // Connected; the TLS handshake waits for a server that never answers.
  await page.locator('#stages li[data-ok=running]').waitFor({ timeout: 20000 });
  await page.locator('#stages li[data-ok=true]').first().waitFor();
  assert.equal(await page.getAttribute('#result', 'data-state'), 'testing');
  assert.ok(await page.locator('#test').isDisabled(), 'one test at a time');
  await state(page, 'running');
});

test('a failure', async (t) => {
  const page = await open(t);
  await profile(page, 'smtp.musterpraxis.test', 'Falsch-Geraten 1');
  await page.click('#test');
  await page.locator('#status[data-state=failed]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#status').textContent(), 'Anmeldung abgelehnt: Benutzername oder Kennwort stimmen nicht.');
  assert.equal(await page.locator('#hint').textContent(), 'Prüfen Sie beides.', 'the fix, in plain words');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'result', 'focus on the result');
  await state(page, 'failure');
});

test('a success', async (t) => {
  const page = await open(t);
  await profile(page, 'smtp.musterpraxis.test', password);
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'ok', 'focus on the next step: OK');
  await state(page, 'success');
});

test('a success, dark mode', async (t) => {
  const page = await open(t, { scheme: 'dark' });
  await profile(page, 'smtp.musterpraxis.test', password);
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  await state(page, 'success-dark');
});

// 200 % zoom of a 1024×768 window: 512×384 CSS pixels.
test('200 % zoom: every state fits the width, and stays accessible', async (t) => {
  const page = await open(t, { width: 512, height: 384 });
  await assertNoSidewaysScroll(page, 'zoom: empty');
  await assertAccessible(page, 'zoom: empty');
  await profile(page, 'smtp.musterpraxis.test', password);
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  await assertNoSidewaysScroll(page, 'zoom: success');
  await page.click('#help-open');
  await page.locator('#help-list li').first().waitFor();
  const box = await page.locator('#help').boundingBox();
  assert.ok(box.width <= 512 && box.height <= 384, `the help list fits the window: ${JSON.stringify(box)}`);
  await assertAccessible(page, 'zoom: help');
});
