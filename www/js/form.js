// The profile form: what it shows as a profile, validation as one types
// (by the core, through the wasm package), "Einstellungen suchen", and the
// tests with their streamed progress.
import { lookupPreset, validateField, validateProfile } from '../pkg/mailsetup_wasm.js';
import { ServiceDown, streamTest } from './api.js';
import { notes, searchNetwork } from './discover.js';
import { $, button } from './dom.js';
import { openHelp } from './help.js';
import { getLang, t } from './i18n.js';
import { store } from './store.js';

const form = $('#profile');
// Findings show for fields the user has touched, so an empty form does not
// greet them with errors; "Einstellungen testen" shows everything.
export const touched = new Set();
let showAll = false;

const POP_INPUTS = ['#pop-host', '#pop-port', '#pop-security', '#pop-username'];
// The port fields and their inputs: a port the model cannot hold gets the
// core's own finding for the text as typed.
const PORTS = [['smtp.port', '#smtp-port'], ['pop_before_smtp.port', '#pop-port']];

export const blankProfile = () => ({
  name: '', email: '', auth: 'password',
  smtp: { host: '', port: 587, security: 'starttls', username: '' }, pop_before_smtp: null,
});

// A port typed as digits only; anything else (`0x1D1`, `4.65e2`, `abc`)
// is not a port, and the core says why (see validate()).
function portNumber(text) {
  const s = text.trim();
  return /^[0-9]{1,10}$/.test(s) ? Number(s) : null;
}

/**
 * The profile as the form shows it. Fields the form does not know (from a
 * later version, or another program) are kept from the profile being
 * edited: saving never drops them.
 */
export function profile() {
  const v = (id) => $(id).value;
  const popOn = $('#pop-enabled').checked;
  const port = (id) => portNumber(v(id)) ?? 0;
  const base = (store.editing >= 0 && store.settings.profiles[store.editing]) || {};
  const auth = form.querySelector('input[name=auth]:checked').value;
  const provider = v('#oauth-provider') === 'other' ? v('#oauth-issuer').trim() : v('#oauth-provider');
  const oauth = auth === 'oauth2' ? { oauth_provider: provider } : {};
  return {
    ...base,
    ...oauth,
    name: v('#name'),
    email: v('#email'),
    auth,
    smtp: { ...base.smtp, host: v('#smtp-host'), port: port('#smtp-port'), security: v('#smtp-security'), username: v('#smtp-username') },
    pop_before_smtp: popOn
      ? { ...base.pop_before_smtp, host: v('#pop-host'), port: port('#pop-port'), security: v('#pop-security'), username: v('#pop-username') }
      : null,
  };
}

function inputFor(field) {
  return form.querySelector(`[name="${CSS.escape(field)}"]`);
}

/** Validates the form, shows each field's findings next to it, returns all. */
export function validate() {
  const lang = getLang();
  let findings = validateProfile(profile(), lang);
  for (const [field, id] of PORTS) {
    const text = $(id).value;
    if (!$(id).disabled && portNumber(text) === null) {
      findings = findings.filter((f) => f.field !== field).concat(validateField(field, text, lang));
    }
  }
  for (const box of form.querySelectorAll('.findings[data-field]')) {
    const fields = box.dataset.field.split(' ');
    const mine = findings.filter((f) => fields.includes(f.field) && (showAll || touched.has(f.field)));
    box.replaceChildren(...mine.map(renderFinding));
    for (const field of fields) {
      const input = inputFor(field);
      if (input) input.setAttribute('aria-invalid', String(mine.some((f) => f.field === field && f.severity === 'error')));
    }
  }
  return findings;
}

/** The first field with an error takes the focus: where the fix starts. */
export function focusFirstError() {
  form.querySelector('[aria-invalid=true]')?.focus();
}

/** Shows all findings from now on ("Einstellungen testen", "OK"). */
export function showAllFindings() {
  showAll = true;
}

/** A finding as a paragraph, with its one-click fix. */
export function renderFinding(f) {
  const p = document.createElement('p');
  p.className = f.severity;
  p.dataset.code = f.code;
  p.textContent = f.message;
  if (f.fix) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = t('apply');
    b.addEventListener('click', () => {
      for (const [field, value] of Object.entries(f.fix.set)) {
        const input = inputFor(field);
        if (input) input.value = value;
        touched.add(field);
      }
      changed();
    });
    p.append(b);
  }
  return p;
}

/**
 * The OAuth 2.0 provider of found settings: from an autoconfig `<oAuth2>`
 * block's issuer, else from the SMTP server's name.
 */
function oauthProviderOf(found) {
  const issuer = found.oauth2?.issuer ?? '';
  const host = found.smtp[0]?.host ?? '';
  if (/(^|\.)(microsoftonline\.com|office365\.com|outlook\.com)$/.test(issuer || host)) return 'microsoft';
  if (/(^|\.)(google\.com|gmail\.com|googlemail\.com)$/.test(issuer || host)) return 'google';
  return issuer ? `https://${issuer}` : '';
}

/** Fills in host, port, encryption and user name together, as found. */
function fillFound(found) {
  const smtp = found.smtp[0];
  $('#smtp-host').value = smtp.host;
  $('#smtp-port').value = String(smtp.port);
  $('#smtp-security').value = smtp.security;
  // A template the list could not resolve (no address typed yet) is no user name.
  if (!smtp.username.includes('%')) $('#smtp-username').value = smtp.username;
  if (found.pop3.length) {
    // Host, port and encryption together, as the provider gives them.
    const pop = found.pop3[0];
    $('#pop-host').value = pop.host;
    $('#pop-port').value = String(pop.port);
    $('#pop-security').value = pop.security === 'tls' ? 'tls' : 'starttls';
  }
  // A provider that takes only OAuth 2.0: the profile says so, with its provider.
  const provider = oauthProviderOf(found);
  if (!found.auth.includes('password') && found.auth.includes('oauth2') && provider) {
    form.querySelector('input[name=auth][value=oauth2]').checked = true;
    const builtIn = provider === 'microsoft' || provider === 'google';
    $('#oauth-provider').value = builtIn ? provider : 'other';
    $('#oauth-issuer').value = builtIn ? '' : provider;
    touched.add('auth');
  }
  for (const f of ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.username']) touched.add(f);
  changed();
}

/** After settings were filled in: the next field the user must fill. */
function focusNext() {
  const next = ['#smtp-username', '#password'].map((id) => $(id)).find((e) => !e.value && !e.closest('[hidden]'));
  (next ?? $('#test')).focus();
}

/** The help list: the provider chosen fills in its settings, with its notes. */
export function openHelpList() {
  openHelp($('#email').value, (entry) => {
    const box = $('#preset');
    box.replaceChildren();
    box.dataset.state = 'found';
    fillFound(entry.preset);
    const p = document.createElement('p');
    p.className = 'found';
    p.textContent = t('help_filled').replace('{provider}', entry.label);
    box.append(p);
    if (!entry.preset.auth.includes('password')) {
      const o = document.createElement('p');
      o.className = 'note';
      o.textContent = t('oauth_only').replace('{provider}', entry.label);
      box.append(o);
    }
    notes(box, entry.preset.notes);
    focusNext();
  });
}

/**
 * "Einstellungen suchen": the offline table at once (the wasm package);
 * else the search over the network through the local service.
 */
export function findSettings() {
  const box = $('#preset');
  box.replaceChildren();
  delete box.dataset.state;
  const address = $('#email').value;
  const preset = lookupPreset(address, getLang());
  const para = (text, cls) => { const p = document.createElement('p'); p.textContent = text; if (cls) p.className = cls; box.append(p); return p; };
  if (!preset) {
    touched.add('email');
    const errors = validateField('email', address, getLang()).filter((f) => f.severity === 'error');
    if (errors.length) {
      validate();
      para(t('find_needs_address'), 'not-found');
      $('#email').focus();
      return;
    }
    searchNetwork(address, box, fillFound, { openList: openHelpList, focusNext });
    return;
  }
  box.dataset.state = 'found';
  fillFound(preset);
  para(`${t('found').replace('{provider}', preset.provider)} ${preset.curated ? t('curated') : ''}`.trim(), 'found');
  if (!preset.auth.includes('password')) para(t('oauth_only').replace('{provider}', preset.provider), 'note');
  notes(box, preset.notes);
  focusNext();
}

export function setStatus(state, text, hint = '') {
  $('#result').dataset.state = state;
  $('#status').dataset.state = state;
  $('#status').textContent = text;
  $('#hint').textContent = hint;
}

/** Anything typed: validate again, and the last result no longer holds. */
export function changed() {
  validate();
  setStatus('untested', t('untested'));
  $('#send-test').hidden = true;
  const oauth = form.querySelector('input[name=auth]:checked').value === 'oauth2';
  $('#oauth-info').hidden = !oauth;
  $('#oauth-box').hidden = !oauth;
  $('#oauth-issuer').hidden = $('#oauth-provider').value !== 'other';
  // With OAuth 2.0 the provider's page takes the password, not this form.
  $('#password').closest('.row').hidden = oauth;
  $('#stages').replaceChildren();
  $('#details').hidden = true;
}

export function enablePop(on) {
  for (const id of POP_INPUTS) $(id).disabled = !on;
}

export function renderTitle(name) {
  $('#form-title').textContent = store.editing >= 0 ? `${t('edit_profile')}: ${name}` : t('new_profile');
}

/** Shows `p` in the form, untouched and untested. */
export function fillForm(p) {
  $('#name').value = p.name;
  $('#email').value = p.email;
  form.querySelector(`input[name=auth][value=${p.auth === 'oauth2' ? 'oauth2' : 'password'}]`).checked = true;
  const provider = p.oauth_provider ?? '';
  const builtIn = provider === 'microsoft' || provider === 'google';
  $('#oauth-provider').value = builtIn ? provider : provider ? 'other' : 'microsoft';
  $('#oauth-issuer').value = builtIn ? '' : provider;
  $('#oauth-status').textContent = '';
  $('#smtp-host').value = p.smtp.host;
  $('#smtp-port').value = p.smtp.port ? String(p.smtp.port) : '';
  $('#smtp-security').value = p.smtp.security;
  $('#smtp-username').value = p.smtp.username;
  $('#password').value = '';
  $('#pop-enabled').checked = !!p.pop_before_smtp;
  $('#pop-host').value = p.pop_before_smtp?.host ?? '';
  $('#pop-port').value = String(p.pop_before_smtp?.port ?? 110);
  $('#pop-security').value = p.pop_before_smtp?.security === 'tls' ? 'tls' : 'starttls';
  $('#pop-username').value = p.pop_before_smtp?.username ?? '';
  enablePop(!!p.pop_before_smtp);
  $('#preset').replaceChildren();
  touched.clear();
  showAll = false;
  renderTitle(p.name);
  $('#form-status').textContent = '';
  changed();
}

// A stage shows while it runs ("…"), then how it ended and how long it took.
function stageItem(stage) {
  let li = $('#stages').querySelector(`li[data-stage="${CSS.escape(stage)}"]`);
  if (!li) {
    li = document.createElement('li');
    li.dataset.stage = stage;
    $('#stages').append(li);
  }
  return li;
}

function onEvent(ev) {
  if (ev.event === 'stage_started') {
    const li = stageItem(ev.stage);
    li.dataset.ok = 'running';
    li.textContent = `${ev.label} …`;
  } else if (ev.event === 'stage') {
    const li = stageItem(ev.stage);
    li.dataset.ok = String(ev.ok);
    const ms = document.createElement('span');
    ms.className = 'ms';
    ms.textContent = `(${ev.ms} ms)`;
    li.replaceChildren(`${ev.label} `, ms);
  } else if (ev.event === 'verdict') {
    const v = ev.verdict;
    $('#status').dataset.category = v.category;
    const lines = v.transcript.map((l) => `${{ c: 'C:', s: 'S:', i: '--' }[l.dir] ?? '  '} ${l.text}`);
    if (v.detail) lines.push(`-- ${v.detail}`);
    $('#transcript').textContent = lines.join('\n');
    $('#details').hidden = false;
  }
}

// Posts the profile and password; shows stages as they arrive.
async function streamed(path, onVerdict) {
  $('#stages').replaceChildren();
  $('#details').hidden = true;
  const request = { profile: profile(), password: $('#password').value, lang: getLang() };
  await streamTest(path, request, (ev) => {
    onEvent(ev);
    if (ev.event === 'verdict') onVerdict(ev.verdict);
  });
}

/** "Einstellungen testen". */
export async function runTest() {
  showAll = true;
  const findings = validate();
  if (findings.some((f) => f.severity === 'error')) {
    setStatus('failed', t('fix_errors'));
    focusFirstError();
    return;
  }
  setStatus('testing', t('testing'));
  $('#test').disabled = true;
  let next = $('#result');
  try {
    await streamed('/api/test', (v) => {
      setStatus(v.ok ? 'ok' : 'failed', v.message, v.hint);
      $('#send-test').hidden = !v.ok;
      // Passed: the next step is keeping the profile ("OK").
      if (v.ok) next = $('#ok');
      if (v.category === 'auth_oauth_required') next = offerOauth();
      // The server's name does not exist: perhaps the address's domain
      // knows the right one. The search offers it, to be confirmed.
      if (v.category === 'dns_not_found' && lookupPreset($('#email').value, getLang()) === null) {
        searchNetwork($('#email').value, $('#preset'), fillFound, { intro: t('dns_hint_intro'), openList: openHelpList, focusNext });
      }
    });
  } catch (e) {
    serviceFailed(e);
  } finally {
    $('#test').disabled = false;
  }
  next.focus();
}

/** A test the service could not run: why, and that nothing typed is lost. */
function serviceFailed(e) {
  if (e instanceof ServiceDown) setStatus('failed', e.message, t('service_down_hint'));
  else setStatus('failed', `${t('service_error')} ${e.message}`);
}

/**
 * A provider that refuses the password: one click switches the profile to
 * OAuth 2.0 with the provider its server belongs to, and starts the sign-in.
 */
function offerOauth() {
  const host = $('#smtp-host').value.toLowerCase();
  const provider = /gmail|google/.test(host) ? 'google' : 'microsoft';
  const b = button(t('switch_oauth'), () => {
    form.querySelector('input[name=auth][value=oauth2]').checked = true;
    $('#oauth-provider').value = provider;
    touched.add('auth');
    changed();
    $('#oauth-signin').click();
  });
  b.className = 'primary';
  b.id = 'switch-oauth';
  $('#hint').append(' ', b);
  return b;
}

/** "Testnachricht senden". */
export async function sendTest() {
  setStatus('testing', t('sending'));
  $('#send-test').disabled = true;
  try {
    await streamed('/api/send-test', (v) => {
      if (v.ok) setStatus('ok', t('sent').replace('{email}', profile().email), '');
      else setStatus('failed', v.message, v.hint);
    });
  } catch (e) {
    serviceFailed(e);
  } finally {
    $('#send-test').disabled = false;
  }
}
