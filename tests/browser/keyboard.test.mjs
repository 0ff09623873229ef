// A walk with the keyboard alone, in real headless Chromium: a profile
// from the help list, tested against the real Dovecot, saved, and assigned
// to a tenant. No click, no fill: only keys, and checks of where the focus
// is. Started by tests/wizard_look.rs. Environment: WIZARD_URL, SMTP_PASSWORD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './chromium.mjs';

const url = process.env.WIZARD_URL;
const password = process.env.SMTP_PASSWORD;
assert.ok(url && password, 'run through `cargo test --test wizard_look`, which starts the servers');

let context;
before(async () => { context = await launch({ width: 1024, height: 768 }); });
after(async () => { await context?.close(); });

const focused = (page) => page.evaluate(() => {
  const e = document.activeElement;
  return e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}${e.className ? `.${e.className}` : ''}:${e.textContent.trim().slice(0, 40)}`;
});

/** Tab (or Shift+Tab) until `selector` has the focus, as a keyboard user would. */
async function tabTo(page, selector, { back = false } = {}) {
  for (let i = 0; i < 80; i++) {
    if (await page.evaluate((s) => document.activeElement.matches(s), selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${selector} is not reachable with ${back ? 'Shift+Tab' : 'Tab'}; the focus is on ${await focused(page)}`);
}

/** Types into the focused field, replacing what it held. */
async function retype(page, text) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

test('a profile from the help list, tested, saved and assigned, without the mouse', async () => {
  const page = await context.newPage();
  page.on('pageerror', (e) => assert.fail(`page error: ${e}`));
  await page.goto(url);
  await page.locator('#profile').waitFor({ state: 'visible' });
  // The page starts in the first field of a new profile.
  assert.equal(await focused(page), '#name');
  await page.keyboard.type('Praxis Müller');
  await tabTo(page, '#email');
  await page.keyboard.type('info@praxis-mueller.de');

  // The help list: opened with Enter, searched by typing, taken with Enter.
  await tabTo(page, '#help-open');
  await page.keyboard.press('Enter');
  await page.locator('#help-list li').first().waitFor();
  assert.equal(await focused(page), '#help-search');
  await page.keyboard.type('ionos');
  // Arrow keys move through the list; Enter takes the entry.
  await page.keyboard.press('ArrowDown');
  assert.match(await focused(page), /IONOS/);
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#help').evaluate((d) => d.open), false, 'the list closes');
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.ionos.de');
  assert.equal(await page.inputValue('#smtp-port'), '465');
  assert.equal(await page.inputValue('#smtp-security'), 'tls');
  assert.equal(await page.inputValue('#smtp-username'), 'info@praxis-mueller.de');
  // The focus moved on to what is still missing: the password.
  assert.equal(await focused(page), '#password');
  await page.keyboard.type(password);

  // This practice's server is the test server (same port and encryption as IONOS's).
  await tabTo(page, '#smtp-host', { back: true });
  await retype(page, 'smtp.musterpraxis.test');

  // Escape closes the help list without changing anything.
  await tabTo(page, '#help-open', { back: true });
  await page.keyboard.press('Enter');
  await page.locator('#help-list li').first().waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#help').evaluate((d) => d.open), false);
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.musterpraxis.test');

  await tabTo(page, '#test');
  await page.keyboard.press('Enter');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  // Passed: the focus is on the next step, OK, which saves the profile.
  assert.equal(await focused(page), '#ok');
  await page.keyboard.press('Enter');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();

  // A tenant for it: the new row's first field takes the focus.
  await tabTo(page, '#add-tenant', { back: true });
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.closest('tr')?.dataset.index), '0');
  await page.keyboard.type('Physio Nord');
  await page.keyboard.press('Tab');
  await page.keyboard.type('info@praxis-mueller.de');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'tenant-profile');
  assert.equal(await page.inputValue('#tenants .tenant-profile'), 'Praxis Müller');
  await tabTo(page, '#save-settings');
  await page.keyboard.press('Enter');
  await page.locator('#settings-status').filter({ hasText: 'Gespeichert.' }).waitFor();
  assert.equal(await page.locator('#tenants .findings p.error').count(), 0, 'the tenant rule holds');
  await page.close();
});
