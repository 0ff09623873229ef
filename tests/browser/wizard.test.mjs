// The wizard in real headless Chromium (Debian's), driven by playwright-core,
// against `mailprobe serve` and a real Dovecot started by tests/wizard_browser.rs.
// Every test opens a page of its own and sets up what it needs, so that the
// tests do not depend on each other's order or state.
// Environment: WIZARD_URL, SMTP_PORT_TLS, SMTP_PASSWORD, ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from './chromium.mjs';
import { fillProfile } from './forms.mjs';

const url = process.env.WIZARD_URL;
const port = process.env.SMTP_PORT_TLS;
const password = process.env.SMTP_PASSWORD;
const artifacts = process.env.ARTIFACTS ?? join(tmpdir(), 'mailsetup-artifacts');
assert.ok(url && port && password, 'run through `cargo test --test wizard_browser`, which starts the servers');
mkdirSync(artifacts, { recursive: true });

let context;
let landed;

before(async () => {
  // A fresh profile directory each run. The first page opens the printed
  // URL, whose one-time token becomes the context's session cookie.
  context = await launch({ width: 1280, height: 800 });
  const first = context.pages()[0] ?? await context.newPage();
  await first.goto(url);
  await first.locator('#profile').waitFor({ state: 'visible' });
  landed = first.url();
  // It stays open: Chromium drops session cookies when its last page closes.
});

after(async () => { await context?.close(); });

/** A fresh page of the wizard, loaded. */
async function open(t) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  t.after(() => page.close());
  await page.goto(new URL('/', url).href);
  await page.locator('#profile').waitFor({ state: 'visible' });
  return page;
}

/** A new profile in the form that logs in to the test Dovecot. */
async function goodProfile(page, pw = password) {
  await page.click('#new-profile');
  await fillGood(page, pw);
}

/** The fields of a profile that logs in to the test Dovecot. */
const fillGood = (page, pw = password) => fillProfile(page, { host: 'localhost', port, password: pw });

test('the token leaves the address bar', () => {
  assert.ok(!landed.includes('token='), landed);
});

test('an invalid address shows the German message as one types', async (t) => {
  const page = await open(t);
  await page.fill('#email', 'info.praxis-mueller.de');
  const msg = page.locator('.findings[data-field=email] p.error');
  await msg.waitFor();
  assert.equal(await msg.textContent(), 'Der E-Mail-Adresse fehlt das @-Zeichen, z. B. info@praxis.de.');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  await page.screenshot({ path: join(artifacts, 'wizard-invalid-address.png') });
});

test('a typo suggestion is applied with one click', async (t) => {
  const page = await open(t);
  await page.fill('#email', 'info@gmx.dee');
  const hint = page.locator('.findings[data-field=email] p[data-code=domain_typo]');
  await hint.waitFor();
  assert.match(await hint.textContent(), /Meinten Sie gmx\.de\?/);
  await hint.locator('button').click();
  assert.equal(await page.inputValue('#email'), 'info@gmx.de');
  assert.equal(await page.locator('.findings[data-field=email] p').count(), 0);
});

test('"Einstellungen suchen" fills the GMX settings and shows the POP3/IMAP note', async (t) => {
  const page = await open(t);
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
  // Unknown domains are searched over the network: tests/browser/discover.test.mjs,
  // against its own name server (this service asks the system's).
});

test('a wrong password gets the German reason and the redacted transcript', async (t) => {
  const page = await open(t);
  await goodProfile(page, 'falsch');
  await page.click('#test');
  await page.locator('#status[data-state=failed]').waitFor({ timeout: 20000 });
  assert.equal(await page.locator('#status').textContent(), 'Anmeldung abgelehnt: Benutzername oder Kennwort stimmen nicht.');
  assert.equal(await page.getAttribute('#status', 'data-category'), 'auth_failed');
  assert.match(await page.locator('#transcript').textContent(), /C: AUTH PLAIN <redacted>/);
  assert.ok(!(await page.locator('#transcript').textContent()).includes('falsch'));
  await page.screenshot({ path: join(artifacts, 'wizard-wrong-password.png') });
});

test('a valid profile against the test Dovecot logs in, and sends a test message', async (t) => {
  const page = await open(t);
  await goodProfile(page);
  assert.equal(await page.locator('#status').textContent(), 'Die Einstellungen wurden noch nicht getestet');
  await page.click('#test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  assert.match(await page.locator('#status').textContent(), /Anmeldung am Server localhost war erfolgreich/);
  assert.equal(await page.locator('#stages li[data-stage=auth][data-ok=true]').count(), 1);
  assert.equal(await page.locator('#stages li[data-stage=sender][data-ok=true]').count(), 1);
  // Each stage's label comes from the core, with the progress event.
  assert.match(await page.locator('#stages li[data-stage=auth]').textContent(), /^Anmeldung \(\d+ ms\)$/);
  await page.screenshot({ path: join(artifacts, 'wizard-test-ok.png') });
  await page.click('#send-test');
  await page.locator('#status[data-state=ok]').waitFor({ timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('#status').textContent.includes('Testnachricht wurde an'));
  assert.match(await page.locator('#stages li[data-stage=data]').textContent(), /^Testnachricht \(\d+ ms\)$/);
  // Any change makes the result stale again.
  await page.fill('#smtp-username', 'info@praxis-mueller.de ');
  assert.equal(await page.locator('#status').textContent(), 'Die Einstellungen wurden noch nicht getestet');
  assert.ok(await page.locator('#send-test').isHidden());
  await page.fill('#smtp-username', 'info@praxis-mueller.de');
});

test('OK saves the profile; a tenant with another address shows the rule; reload keeps everything', async (t) => {
  const page = await open(t);
  // Saved over an earlier "Praxis Müller", if there is one.
  const earlier = page.locator('#profiles li', { hasText: 'Praxis Müller' }).getByRole('button', { name: 'Ändern…' });
  if (await earlier.count()) await earlier.click();
  else await page.click('#new-profile');
  await fillGood(page);
  await page.click('#ok');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();
  assert.match(await page.locator("#profiles").textContent(), /Praxis Müller\s*info@praxis-mueller\.de · localhost:\d+/);
  await page.click('#add-tenant');
  const row = page.locator('#tenants tbody tr').last();
  await row.locator('input').first().fill('Physio Nord');
  await row.locator('.tenant-email').fill('nord@praxis-mueller.de');
  const rule = row.locator('.findings p[data-code=tenant_address_mismatch]');
  await rule.waitFor();
  assert.match(await rule.textContent(), /muss mit der Adresse des Profils „Praxis Müller“ \(info@praxis-mueller\.de\) übereinstimmen/);
  await page.screenshot({ path: join(artifacts, 'wizard-tenant-mismatch.png') });
  await row.locator('.tenant-email').fill('info@praxis-mueller.de');
  assert.equal(await row.locator('.findings p').count(), 0);
  await page.click('#save-settings');
  await page.locator('#settings-status').filter({ hasText: 'Gespeichert.' }).waitFor();
  await page.reload();
  await page.locator('#profile').waitFor({ state: 'visible' });
  assert.match(await page.locator('#profiles').textContent(), /Praxis Müller/);
  assert.equal(await page.inputValue('#smtp-host'), 'localhost');
  assert.equal(await page.inputValue('#password'), '', 'the password is never stored');
  assert.equal(await page.locator('#tenants .tenant-email').last().inputValue(), 'info@praxis-mueller.de');
  assert.equal(await page.locator('#tenants .tenant-profile').last().inputValue(), 'Praxis Müller');
});

test('English can be switched on, and it stays', async (t) => {
  const page = await open(t);
  await page.selectOption('#lang', 'en');
  assert.equal(await page.locator('label[for=smtp-host]').textContent(), 'Outgoing server (SMTP):');
  assert.equal(await page.locator('#test').textContent(), 'Test settings');
  await page.click('#new-profile');
  assert.equal(await page.locator('#form-title').textContent(), 'New profile');
  await page.fill('#smtp-port', '70000');
  assert.match(await page.locator('.findings[data-field~="smtp.port"] p.error').textContent(), /^The port must be a number/);
  await page.screenshot({ path: join(artifacts, 'wizard-english.png') });
  await page.reload();
  await page.locator('#profile').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#test').textContent(), 'Test settings');
  await page.selectOption('#lang', 'de');
});

test('a second profile can be created (by keyboard) and deleted', async (t) => {
  const page = await open(t);
  await page.click('#new-profile');
  assert.equal(await page.locator('#form-title').textContent(), 'Neues Profil');
  await page.fill('#name', 'Filiale');
  await page.fill('#email', 'filiale@web.de');
  await page.keyboard.press('Enter'); // in the address field: "Einstellungen suchen"
  assert.equal(await page.inputValue('#smtp-host'), 'smtp.web.de');
  assert.equal(await page.inputValue('#smtp-username'), 'filiale', 'WEB.DE logs in with the part before the @');
  const before = (await page.locator('#profiles li .name').allTextContents()).filter((n) => !n.startsWith('Filiale'));
  await page.focus('#ok');
  await page.keyboard.press('Enter');
  await page.locator('#form-status').filter({ hasText: 'Profil gespeichert.' }).waitFor();
  assert.equal(await page.locator('#profiles li .name').count(), before.length + 1);
  await page.locator('#profiles li', { hasText: 'Filiale' }).getByRole('button', { name: 'Löschen' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('#profiles li .name').length === n, before.length);
  assert.deepEqual(await page.locator('#profiles li .name').allTextContents(), before);
});

test('"Einstellungen suchen" for a provider that takes only OAuth 2.0 switches the profile to it', async (t) => {
  const page = await open(t);
  await page.fill('#email', 'praxis@outlook.com');
  await page.click('#find');
  assert.ok(await page.locator('input[name=auth][value=oauth2]').isChecked());
  assert.equal(await page.inputValue('#oauth-provider'), 'microsoft');
  assert.ok(await page.locator('#oauth-signin').isVisible());
  assert.ok(await page.locator('#password').isHidden());
  assert.match(await page.locator('#preset').textContent(), /nur die Anmeldung über OAuth 2\.0/);
});

test('OAuth 2.0 is explained, with the providers that require it, and asks no password', async (t) => {
  const page = await open(t);
  await page.check('input[name=auth][value=oauth2]');
  assert.ok(await page.locator('#oauth-info').isVisible());
  assert.match(await page.locator('#oauth-info').textContent(), /Outlook\.com\/Hotmail und Microsoft 365/);
  assert.ok(await page.locator('#oauth-signin').isVisible());
  assert.ok(await page.locator('#password').isHidden());
  await page.check('input[name=auth][value=password]');
  assert.ok(await page.locator('#oauth-info').isHidden());
  assert.ok(await page.locator('#password').isVisible());
});

test('settings export and import', async (t) => {
  const page = await open(t);
  // What is saved now is what export hands out (never a password).
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  assert.equal(download.suggestedFilename(), 'mailsetup-einstellungen.json');
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.ok(Array.isArray(exported.profiles) && Array.isArray(exported.tenants));
  assert.ok(!JSON.stringify(exported).includes(password));
  // The page says what went where.
  const n = exported.profiles.length;
  assert.match(await page.locator('#settings-status').textContent(),
    new RegExp(`^Exportiert: ${n} Profile?, \\d+ Mandant(en)? in die Datei mailsetup-einstellungen\\.json \\(im Download-Ordner Ihres Browsers\\)\\.$`));
  const file = join(mkdtempSync(join(tmpdir(), 'mailsetup-import-')), 'import.json');
  const doc = {
    profiles: [{ name: 'Praxis Müller', email: 'info@praxis-mueller.de', auth: 'password',
      smtp: { host: 'localhost', port: Number(port), security: 'tls', username: 'info@praxis-mueller.de' }, pop_before_smtp: null }],
    tenants: [{ id: 'nord', name: 'Physio Nord', email: 'info@praxis-mueller.de', profile: 'Praxis Müller' },
      { id: 'sued', name: 'Physio Süd', email: 'sued@praxis-mueller.de', profile: 'Praxis Müller' }],
  };
  writeFileSync(file, JSON.stringify(doc));
  await page.setInputFiles('#import', file);
  await page.locator('#settings-status').filter({ hasText: 'Importiert und gespeichert:' }).waitFor();
  // What came from which file, and where it is saved.
  assert.match(await page.locator('#settings-status').textContent(),
    /^Importiert und gespeichert: 1 Profil, 2 Mandanten aus import\.json\. \(Datei: \/.*settings\.json\)$/);
  assert.equal(await page.locator('#tenants tbody tr').count(), 2);
  assert.equal(await page.locator('#tenants tbody tr').nth(1).locator('.findings p[data-code=tenant_address_mismatch]').count(), 1);
  writeFileSync(file, '{"profiles": 5}');
  await page.setInputFiles('#import', file);
  await page.locator('#settings-status').filter({ hasText: 'keine Einstellungsdatei' }).waitFor();
  assert.match(await page.locator('#settings-status').textContent(), /\(Datei: import\.json\)$/);
  assert.equal(await page.locator('#tenants tbody tr').count(), 2, 'a bad file changes nothing');
});

test('usable on a narrow window', async (t) => {
  const page = await open(t);
  await page.setViewportSize({ width: 390, height: 800 });
  const box = await page.locator('#smtp-host').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
  await page.screenshot({ path: join(artifacts, 'wizard-narrow.png'), fullPage: true });
});
