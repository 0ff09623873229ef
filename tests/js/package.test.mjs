// The very package www/ loads (www/pkg, built by `cargo xtask wasm`), tested
// from JS as the page uses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, validateProfile, validateField, validateSettings } from '../../www/pkg/mailsetup_wasm.js';

initSync({ module: readFileSync(new URL('../../www/pkg/mailsetup_wasm_bg.wasm', import.meta.url)) });

const good = () => ({
  name: 'Praxis Müller', email: 'info@praxis-mueller.de', auth: 'password',
  smtp: { host: 'smtp.example.de', port: 587, security: 'starttls', username: 'info@praxis-mueller.de' },
  pop_before_smtp: null,
});

test('a good profile has no findings', () => {
  assert.deepEqual(validateProfile(good(), 'de'), []);
});

test('findings are plain objects with stable codes, German by default', () => {
  const p = good();
  p.email = 'Praxis <info@praxis-mueller.de>';
  p.smtp.port = 465;
  const f = validateProfile(p);
  assert.deepEqual(f.map((x) => [x.code, x.field, x.severity]), [
    ['email_display_name', 'email', 'error'],
    ['port_security_mismatch', 'smtp.security', 'warning'],
  ]);
  assert.deepEqual(f[0].fix, { set: { email: 'info@praxis-mueller.de' } });
  assert.equal(Object.getPrototypeOf(f[0].params), Object.prototype);
});

test('typed text comes back exactly: separators, umlauts, characters beyond the BMP', () => {
  // The boundary writes lengths with `,` and `!` and sends texts beyond
  // ASCII apart from the rest (wasm/src/boundary.rs).
  const typed = '𝔘ä,!1|x.de';
  const f = validateProfile({ ...good(), smtp: { ...good().smtp, host: `smtp://${typed}:587` } }, 'de');
  const url = f.find((x) => x.code === 'host_is_url');
  assert.equal(url.params.suggestion, typed);
  assert.deepEqual(url.fix, { set: { 'smtp.host': typed, 'smtp.port': '587' } });
  assert.ok(url.message.endsWith(`„smtp://“: ${typed}`), url.message);
});

test('a profile longer than the first buffer comes through whole, wherever a character beyond ASCII falls', () => {
  // The profile is written into a buffer of 256 bytes first, and again
  // into one large enough when it does not fit (wasm/src/boundary.rs).
  for (const typed of ['x'.repeat(300) + '.de', 'ü'.repeat(150) + 'x.de', 'x'.repeat(240) + '𝔘ä.de']) {
    const f = validateProfile({ ...good(), name: 'N'.repeat(100), smtp: { ...good().smtp, host: `smtp://${typed}:587` } }, 'de');
    assert.equal(f.find((x) => x.code === 'host_is_url').params.suggestion, typed);
  }
});

test('every call returns fresh plain objects, the same whatever came before it', () => {
  const [a] = validateProfile({ ...good(), email: 'info@gmx.dee' }, 'de');
  const [b] = validateProfile({ ...good(), email: 'info@gmx.dee' }, 'de');
  assert.notEqual(a, b);
  assert.deepEqual(a, b);
  assert.ok(!Object.isFrozen(a));

  const fresh = (p) => {
    validateProfile({ ...good(), name: 'other' }, 'en');
    return validateProfile(p, 'de');
  };
  const base = good();
  const steps = [
    base,
    { ...base, email: 'info@praxis-mueller.d' }, // typing in the address, the last value
    { ...base, email: 'info@praxis-mueller.de ' },
    { ...base, name: 'Praxis Müller 2', email: 'info@praxis-mueller.de ' }, // the first value
    { ...base, smtp: { ...base.smtp, port: 465 } }, // one in the middle
    { ...base, smtp: { ...base.smtp, host: 'smtp://mail.gmx.net:587', username: '' } },
    { ...base, smtp: { ...base.smtp, host: 'smtp://mail.gmx.net:587', username: '' } }, // equal, other objects
    { ...base, pop_before_smtp: { host: 'pop.gmx.net', port: 110, security: 'tls', username: '' } },
    { ...base, pop_before_smtp: null },
    { ...base, email: 'x'.repeat(50000) + '@gmx.de' }, // the buffer grows (and may move)
    { ...base, email: 'info@gmx.dee' },
  ];
  for (const [i, p] of steps.entries()) {
    validateProfile(steps[i === 0 ? 0 : i - 1], 'de');
    const got = validateProfile(p, 'de');
    const expected = fresh(p);
    assert.deepEqual(got, expected, `step ${i}`);
    // A field and a settings document in between, and a call that fails while reading.
    validateField('email', p.email, 'de');
    assert.throws(() => validateProfile({ ...p, smtp: { ...p.smtp, security: 'ssl' } }, 'de'), /security/);
    assert.throws(() => validateProfile({ ...p, smtp: { ...p.smtp, port: '587' } }, 'de'), /smtp\.port/);
    assert.deepEqual(validateProfile(p, 'de'), expected, `step ${i}, after other calls`);
    const doc = { profiles: [p], tenants: [] };
    const settings = validateSettings(doc, 'de');
    assert.deepEqual(validateSettings(doc, 'de'), settings, `step ${i}, settings twice`);
    assert.deepEqual(validateProfile(p, 'de'), expected, `step ${i}, after settings`);
  }
});

test('English, and field-by-field validation as one types'

, () => {
  const [f] = validateField('smtp.host', 'smtp://mail.gmx.net:587', 'en');
  assert.equal(f.code, 'host_is_url');
  assert.deepEqual(f.fix.set, { 'smtp.host': 'mail.gmx.net', 'smtp.port': '587' });
  assert.match(f.message, /^Please enter only the server name/);
});

test('bad input throws a specific error', () => {
  assert.throws(() => validateProfile({ name: 'x' }), /^Error: not a profile: `smtp` is missing$/);
  assert.throws(() => validateField('smtp.hostname', 'x'), /unknown field/);
  assert.throws(() => validateProfile(good(), 'fr'), /unknown language/);
});

test('lookupPreset fills GMX with notes; unknown is null', async () => {
  const { lookupPreset, suggestDomain, validateSettings } = await import('../../www/pkg/mailsetup_wasm.js');
  const p = lookupPreset('Praxis@GMX.de', 'de');
  assert.equal(p.provider, 'GMX');
  assert.deepEqual(p.smtp[0], { host: 'mail.gmx.net', port: 465, security: 'tls', username: 'Praxis@GMX.de' });
  assert.equal(p.notes[0].kind, 'enable_access');
  assert.equal(lookupPreset('info@praxis-mueller.de'), null);
  assert.deepEqual(suggestDomain('info@t-onlne.de'), { domain: 't-online.de', address: 'info@t-online.de' });
  assert.equal(suggestDomain('info@web.de'), null);
  const doc = { profiles: [good()], tenants: [{ id: '1', name: 'Nord', email: 'nord@praxis.de', profile: 'Praxis Müller' }] };
  assert.deepEqual(validateSettings(doc).map((f) => f.code), ['tenant_address_mismatch']);
});

test('the package exports the API and nothing else', async () => {
  const entry = await import('../../www/pkg/mailsetup_wasm.js');
  assert.deepEqual(Object.keys(entry).sort(), [
    'default', 'initSync', 'lookupPreset', 'suggestDomain', 'validateField', 'validateProfile', 'validateSettings',
  ]);
  const pkg = JSON.parse(readFileSync(new URL('../../www/pkg/package.json', import.meta.url), 'utf8'));
  assert.equal(pkg.main, 'mailsetup_wasm.js');
});

test('a wrongly typed argument is a specific error, and the next call works', () => {
  assert.throws(() => validateField('email', 5), /the value must be a string/);
  assert.throws(() => validateField(null, 'x'), /the field name must be a string/);
  assert.throws(() => validateProfile(good(), 'x'), /unknown language "x"/);
  assert.throws(() => validateProfile(null), /not a profile: expected an object/);
  assert.throws(() => validateProfile([good()]), /not a profile: expected an object/);
  const p = good();
  p.pop_before_smtp = { host: 'pop.example.de', port: '110', security: 'tls', username: '' };
  assert.throws(() => validateProfile(p), /^Error: not a profile: `pop_before_smtp\.port` must be a whole number$/);
  p.pop_before_smtp = 7;
  assert.throws(() => validateProfile(p), /^Error: not a profile: `pop_before_smtp` must be an object$/);
  assert.deepEqual(validateProfile(good(), 'en'), []);
});

test('a large input is read whole', () => {
  const p = good();
  p.name = 'Ä'.repeat(100_000);
  p.email = `${'a'.repeat(70)}@praxis.de`;
  const [f] = validateProfile(p, 'en');
  assert.equal(f.code, 'email_local_too_long');
  assert.deepEqual(validateProfile(good()), []);
});

test('the TypeScript types accept the API as the page uses it and reject misuse (tsc)', async () => {
  const { execFile } = await import('node:child_process');
  const root = new URL('../../', import.meta.url);
  const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;
  const project = new URL('tests/js/types/tsconfig.json', root).pathname;
  const { code, out } = await new Promise((resolve) =>
    execFile(process.execPath, [tsc, '-p', project], (err, stdout, stderr) =>
      resolve({ code: err ? err.code : 0, out: stdout + stderr })));
  assert.equal(code, 0, `tsc found problems in the package's types:\n${out}`);
});

test('a bad settings document names the profile or tenant at fault', async () => {
  const { validateSettings } = await import('../../www/pkg/mailsetup_wasm.js');
  assert.throws(() => validateSettings({ profiles: [good(), { smtp: 5 }] }),
    /^Error: not a settings document: `profiles\[1\]\.smtp` must be an object$/);
  assert.throws(() => validateSettings({ profiles: [], tenants: [{ id: '1' }, 'x'] }),
    /^Error: not a settings document: `tenants\[1\]` must be an object$/);
  assert.throws(() => validateSettings({ profiles: {} }), /^Error: not a settings document: `profiles` must be an array$/);
  assert.throws(() => validateSettings({ tenants: [{ id: 1 }] }),
    /^Error: not a settings document: `tenants\[0\]\.id` must be a string$/);
  assert.throws(() => validateSettings({}, 'fr'), /unknown language "fr"/);
  assert.deepEqual(validateSettings({ profiles: [good()], tenants: [] }, 'en'), []);
});

test('a getter that validates again while its profile is read works: nothing is kept between calls', () => {
  const p = good();
  Object.defineProperty(p, 'email', { enumerable: true, get: () => { validateField('email', 'x'); return 'a@b.de'; } });
  assert.deepEqual(validateProfile(p).map((f) => f.code), []);
  assert.deepEqual(validateProfile(good()), []);
  assert.equal(validateField('email', 'info.praxis.de')[0].code, 'email_missing_at');
});
