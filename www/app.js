// The setup wizard. All checking is done by the wasm core as the user types;
// network tests go to the local `mailprobe serve` that served this page.
import init, { validateProfile, validateSettings, validateField, lookupPreset } from './pkg/mailsetup_wasm.js';

const TEXT = {
  de: {
    title: 'Profil für E-Mail-Versand bearbeiten', language: 'Sprache', loading: 'Wird geladen …',
    profile: 'Profil', name: 'Profilbezeichnung:', autoconfig: 'Automatische Konfiguration',
    email: 'E-Mail-Adresse:', credentials: 'Zugangsdaten', auth: 'Authentifizierung',
    auth_password: 'Benutzername + Kennwort', smtp_host: 'Server (SMTP):', port: 'Port:',
    security_none: 'keine', port_hint: '(Standard-Port: 465 oder 587)', username: 'Benutzername:',
    password: 'Kennwort:', advanced: 'Erweiterte Einstellungen',
    pop_enabled: 'Authentifizierung über Posteingangsserver', pop_host: 'Posteingangsserver (POP3):',
    pop_port: 'Port:', pop_port_hint: '(Standard-Port: 110 mit STARTTLS, 995 mit SSL/TLS)', verification: 'Überprüfung',
    pop_username: 'Benutzername (POP3):', pop_username_placeholder: 'wie beim Postausgangsserver',
    details: 'Technische Details', test: 'Einstellungen testen', find: 'Einstellungen suchen',
    found: 'Einstellungen für {provider} eingetragen.',
    not_found: 'Sofern die Einstellungen nicht gefunden wurden, tragen Sie die Daten manuell ein. Ihr Anbieter nennt Ihnen Server und Port.',
    oauth_only: '{provider} erlaubt nur die Anmeldung über OAuth 2.0, die dieser Assistent noch nicht einrichten kann.',
    more: 'Mehr dazu', curated: '(von uns geprüfte Angaben)',
    own_account: 'Versand über eigenes E-Mail-Konto', profiles: 'Profile', new: 'Neu…', change: 'Ändern…', delete: 'Löschen',
    tenants: 'Mandanten', tenants_hint: 'Die Adresse jedes Mandanten (Stammdaten › Mandanten › Lasche „Texte“) muss mit der Adresse seines Profils übereinstimmen.',
    tenant_name: 'Mandant', tenant_email: 'E-Mail-Adresse', tenant_profile: 'Profil', add_tenant: 'Mandant hinzufügen', remove: 'Entfernen',
    no_profile: '– kein Profil –', save: 'Speichern', export: 'Exportieren', import: 'Importieren…',
    saved: 'Gespeichert.', save_failed: 'Speichern fehlgeschlagen:', import_failed: 'Diese Datei ist keine Einstellungsdatei:',
    load_failed: 'Die gespeicherten Einstellungen konnten nicht geladen werden:', file: 'Datei:',
    start_anew: 'Neu beginnen (die Datei wird aufbewahrt)', kept: 'Die alte Datei wurde aufbewahrt als {path}. Sie können jetzt neu beginnen.',
    save_blocked: 'Speichern ist gesperrt, bis die gespeicherten Einstellungen geladen sind oder Sie neu beginnen.',
    stale: 'Die Einstellungen wurden inzwischen an anderer Stelle geändert (anderes Fenster oder Programm). Ihre Eingaben bleiben erhalten.',
    reload: 'Neu laden', reloaded: 'Neu geladen. Ihre Eingaben im Profil sind erhalten; speichern Sie erneut.',
    imported: 'Importiert und gespeichert.', no_profiles: 'Noch kein Profil. Legen Sie eines mit „Neu…“ an.',
    edit_profile: 'Profil bearbeiten', new_profile: 'Neues Profil', ok: 'OK', cancel: 'Abbrechen',
    profile_saved: 'Profil gespeichert.', send_test: 'Testnachricht senden', sending: 'Die Testnachricht wird gesendet …',
    sent: 'Die Testnachricht wurde an {email} gesendet. Sehen Sie in Ihrem Posteingang nach.',
    oauth_info: 'OAuth 2.0 (Anmeldung über die Webseite des Anbieters) kann dieser Assistent noch nicht einrichten. Nur so geht es bei Outlook.com/Hotmail und Microsoft 365; bei Gmail geht es alternativ mit einem App-Passwort.',
    untested: 'Die Einstellungen wurden noch nicht getestet', testing: 'Die Einstellungen werden getestet …',
    fix_errors: 'Bitte beheben Sie zuerst die markierten Fehler.', apply: 'übernehmen',
    no_token: 'Diese Seite hat keinen Zugang zum lokalen Dienst. Öffnen Sie die Adresse, die „mailprobe serve“ beim Start ausgibt.',
    service_error: 'Der lokale Testdienst hat den Test abgelehnt:',
  },
  en: {
    title: 'Edit e-mail sending profile', language: 'Language', loading: 'Loading …',
    profile: 'Profile', name: 'Profile name:', autoconfig: 'Automatic configuration',
    email: 'E-mail address:', credentials: 'Credentials', auth: 'Authentication',
    auth_password: 'User name + password', smtp_host: 'Outgoing server (SMTP):', port: 'Port:',
    security_none: 'none', port_hint: '(standard: 465 or 587)', username: 'User name:',
    password: 'Password:', advanced: 'Advanced settings',
    pop_enabled: 'Authenticate through the incoming server', pop_host: 'Incoming server (POP3):',
    pop_port: 'Port:', pop_port_hint: '(standard: 110 with STARTTLS, 995 with SSL/TLS)', verification: 'Verification',
    pop_username: 'User name (POP3):', pop_username_placeholder: 'as for the outgoing server',
    details: 'Technical details', test: 'Test settings', find: 'Find settings',
    found: 'Settings for {provider} filled in.',
    not_found: 'If no settings were found, enter the details manually. Your provider gives you server and port.',
    oauth_only: '{provider} only allows sign-in through OAuth 2.0, which this wizard cannot set up yet.',
    more: 'More', curated: '(details checked by us)',
    own_account: 'Send through your own e-mail account', profiles: 'Profiles', new: 'New…', change: 'Change…', delete: 'Delete',
    tenants: 'Tenants', tenants_hint: 'The address of each tenant (master data › tenants › “Texts” tab) must equal the address of its profile.',
    tenant_name: 'Tenant', tenant_email: 'E-mail address', tenant_profile: 'Profile', add_tenant: 'Add tenant', remove: 'Remove',
    no_profile: '– no profile –', save: 'Save', export: 'Export', import: 'Import…',
    saved: 'Saved.', save_failed: 'Saving failed:', import_failed: 'This file is not a settings file:',
    load_failed: 'The saved settings could not be loaded:', file: 'File:',
    start_anew: 'Start anew (the file is kept)', kept: 'The old file was kept as {path}. You can start anew now.',
    save_blocked: 'Saving is blocked until the saved settings have loaded or you start anew.',
    stale: 'The settings were changed elsewhere in the meantime (another window or program). What you typed is kept.',
    reload: 'Reload', reloaded: 'Reloaded. What you typed in the profile is kept; save again.',
    imported: 'Imported and saved.', no_profiles: 'No profile yet. Create one with “New…”.',
    edit_profile: 'Edit profile', new_profile: 'New profile', ok: 'OK', cancel: 'Cancel',
    profile_saved: 'Profile saved.', send_test: 'Send test message', sending: 'Sending the test message …',
    sent: 'The test message was sent to {email}. Look in your inbox.',
    oauth_info: 'This wizard cannot set up OAuth 2.0 (sign-in through the provider’s website) yet. Outlook.com/Hotmail and Microsoft 365 allow only that; Gmail also works with an app password.',
    untested: 'The settings have not been tested yet', testing: 'Testing the settings …',
    fix_errors: 'Please fix the marked errors first.', apply: 'apply',
    no_token: 'This page has no access to the local service. Open the address that “mailprobe serve” prints when it starts.',
    service_error: 'The local test service refused the test:',
  },
};

const $ = (sel) => document.querySelector(sel);
const form = $('#profile');
let lang = localStorage.getItem('mailsetup.lang') === 'en' ? 'en' : 'de';
let lastFindings = [];
// Findings show for fields the user has touched, so an empty form does not
// greet them with errors; "Einstellungen testen" shows everything.
const touched = new Set();
let showAll = false;

// The service's one-time URL token was traded for an HttpOnly session
// cookie before this page loaded: the page never sees a secret.

function t(key) { return TEXT[lang][key] ?? key; }

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.title = t('title');
  if ($('#status').dataset.state === 'untested') $('#status').textContent = t('untested');
  $('#pop-username').placeholder = t('pop_username_placeholder');
  validate();
}

// The profile as the form shows it. Fields the form does not know (from
// a later version, or another program) are kept from the profile being
// edited: saving never drops them.
function profile() {
  const v = (id) => $(id).value;
  const popOn = $('#pop-enabled').checked;
  const port = (id) => portNumber(v(id)) ?? 0;
  const base = (editing >= 0 && settings.profiles[editing]) || {};
  return {
    ...base,
    name: v('#name'),
    email: v('#email'),
    auth: form.querySelector('input[name=auth]:checked').value,
    smtp: { ...base.smtp, host: v('#smtp-host'), port: port('#smtp-port'), security: v('#smtp-security'), username: v('#smtp-username') },
    pop_before_smtp: popOn
      ? { ...base.pop_before_smtp, host: v('#pop-host'), port: port('#pop-port'), security: v('#pop-security'), username: v('#pop-username') }
      : null,
  };
}

// A port typed as digits only; anything else (`0x1D1`, `4.65e2`, `abc`)
// is not a port, and the core says why (see validate()).
function portNumber(text) {
  const s = text.trim();
  return /^[0-9]{1,10}$/.test(s) ? Number(s) : null;
}

// The port fields and their inputs: a port the model cannot hold gets the
// core's own finding for the text as typed.
const PORTS = [['smtp.port', '#smtp-port'], ['pop_before_smtp.port', '#pop-port']];

function inputFor(field) {
  return form.querySelector(`[name="${CSS.escape(field)}"]`);
}

function validate() {
  lastFindings = validateProfile(profile(), lang);
  for (const [field, id] of PORTS) {
    const text = $(id).value;
    if (!$(id).disabled && portNumber(text) === null) {
      lastFindings = lastFindings.filter((f) => f.field !== field).concat(validateField(field, text, lang));
    }
  }
  for (const box of form.querySelectorAll('.findings[data-field]')) {
    const fields = box.dataset.field.split(' ');
    const mine = lastFindings.filter((f) => fields.includes(f.field) && (showAll || touched.has(f.field)));
    box.replaceChildren(...mine.map(renderFinding));
    for (const field of fields) {
      const input = inputFor(field);
      if (input) input.setAttribute('aria-invalid', String(mine.some((f) => f.field === field && f.severity === 'error')));
    }
  }
  return lastFindings;
}

function renderFinding(f) {
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

function findSettings() {
  const box = $('#preset');
  box.replaceChildren();
  const preset = lookupPreset($('#email').value, lang);
  const para = (text, cls) => { const p = document.createElement('p'); p.textContent = text; if (cls) p.className = cls; box.append(p); return p; };
  if (!preset) {
    para(t('not_found'));
    return;
  }
  const passwordOk = preset.auth.includes('password');
  if (passwordOk) {
    const smtp = preset.smtp[0];
    $('#smtp-host').value = smtp.host;
    $('#smtp-port').value = String(smtp.port);
    $('#smtp-security').value = smtp.security;
    $('#smtp-username').value = smtp.username;
    if (preset.pop3.length) {
      // Host, port and encryption together, as the provider gives them.
      const pop = preset.pop3[0];
      $('#pop-host').value = pop.host;
      $('#pop-port').value = String(pop.port);
      $('#pop-security').value = pop.security === 'tls' ? 'tls' : 'starttls';
    }
    for (const f of ['smtp.host', 'smtp.port', 'smtp.security', 'smtp.username']) touched.add(f);
    para(`${t('found').replace('{provider}', preset.provider)} ${preset.curated ? t('curated') : ''}`.trim(), 'found');
  } else {
    para(t('oauth_only').replace('{provider}', preset.provider), 'note');
  }
  for (const n of preset.notes) {
    const p = para(n.text, 'note');
    p.dataset.kind = n.kind;
    if (n.url) {
      const a = document.createElement('a');
      a.href = n.url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = t('more');
      p.append(' ', a);
    }
  }
  changed();
}

function setStatus(state, text, hint = '') {
  $('#status').dataset.state = state;
  $('#status').textContent = text;
  $('#hint').textContent = hint;
}

function changed() {
  validate();
  setStatus('untested', t('untested'));
  $('#send-test').hidden = true;
  $('#oauth-info').hidden = form.querySelector('input[name=auth]:checked').value !== 'oauth2';
  $('#stages').replaceChildren();
  $('#details').hidden = true;
}

async function runTest() {
  showAll = true;
  const findings = validate();
  if (findings.some((f) => f.severity === 'error')) {
    setStatus('failed', t('fix_errors'));
    return;
  }
  setStatus('testing', t('testing'));
  $('#test').disabled = true;
  try {
    await streamTest('/api/test', (v) => {
      setStatus(v.ok ? 'ok' : 'failed', v.message, v.hint);
      $('#send-test').hidden = !v.ok;
    });
  } catch (e) {
    setStatus('failed', `${t('service_error')} ${e.message}`);
  } finally {
    $('#test').disabled = false;
  }
}

// Posts the profile and password; shows stages as they arrive.
async function streamTest(path, onVerdict) {
  $('#stages').replaceChildren();
  $('#details').hidden = true;
  const resp = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ profile: profile(), password: $('#password').value, lang }),
  });
  if (resp.status === 403) throw new Error(t('no_token'));
  if (!resp.ok) throw new Error(`${resp.status} ${await resp.text()}`);
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line);
      onEvent(ev);
      if (ev.event === 'verdict') onVerdict(ev.verdict);
      if (ev.event === 'error') throw new Error(ev.error);
    }
  }
}

function onEvent(ev) {
  if (ev.event === 'stage') {
    const li = document.createElement('li');
    li.dataset.stage = ev.stage;
    li.dataset.ok = String(ev.ok);
    li.textContent = `${ev.label} (${ev.ms} ms)`;
    $('#stages').append(li);
  } else if (ev.event === 'verdict') {
    const v = ev.verdict;
    $('#status').dataset.category = v.category;
    const lines = v.transcript.map((l) => `${{ c: 'C:', s: 'S:', i: '--' }[l.dir] ?? '  '} ${l.text}`);
    if (v.detail) lines.push(`-- ${v.detail}`);
    $('#transcript').textContent = lines.join('\n');
    $('#details').hidden = false;
  }
}

// ---- Profiles and tenants (the settings document) ----

let settings = { profiles: [], tenants: [] };
let editing = -1; // index in settings.profiles, -1 for a new profile
// The version of the settings file this page's list is based on (its
// ETag); a save names it, and the service refuses a stale one.
let etag = null;
// Set while the saved settings could not be loaded: nothing may overwrite them.
let saveBlocked = false;
let loadError = null;

const blankProfile = () => ({
  name: '', email: '', auth: 'password',
  smtp: { host: '', port: 587, security: 'starttls', username: '' }, pop_before_smtp: null,
});

// A failure of the settings API, with the service's kind, message and file.
class ApiError extends Error {
  constructor(status, body) {
    super(body.message ?? `${status}`);
    this.status = status;
    this.kind = body.error;
    this.path = body.path;
  }
}

async function api(method, path, body, headers = {}) {
  const resp = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!resp.ok) {
    const text = await resp.text();
    let parsed;
    try { parsed = JSON.parse(text); } catch { parsed = { message: resp.status === 403 ? t('no_token') : `${resp.status} ${text}` }; }
    throw new ApiError(resp.status, parsed);
  }
  return resp;
}

function settingsMessage(...parts) {
  const box = $('#settings-status');
  box.replaceChildren(...parts);
}

function withPath(text, e) {
  return e.path ? `${text} ${e.message} (${t('file')} ${e.path})` : `${text} ${e.message}`;
}

async function loadSettings() {
  try {
    const resp = await api('GET', '/api/settings');
    settings = await resp.json();
    settings.profiles ??= [];
    settings.tenants ??= [];
    etag = resp.headers.get('ETag');
    saveBlocked = false;
    return true;
  } catch (e) {
    loadError = e;
    saveBlocked = true;
    showLoadError();
    return false;
  }
}

// Why loading failed, where the file is, and the way out; `before` (a
// refused save) comes first.
function showLoadError(before = '') {
  const text = document.createElement('span');
  text.textContent = `${before ? `${before} ` : ''}${withPath(t('load_failed'), loadError)}`;
  const parts = [text];
  if (loadError.kind === 'damaged' || loadError.kind === 'unreadable') parts.push(' ', button(t('start_anew'), startAnew));
  settingsMessage(...parts);
}

// After loading failed: the service keeps the damaged file beside it; the
// page goes on with what it has (empty, plus what was entered since).
async function startAnew() {
  try {
    const resp = await api('POST', '/api/settings/start-anew');
    const { kept } = await resp.json();
    // What was entered since loading failed stays, to be saved now.
    etag = resp.headers.get('ETag');
    saveBlocked = false;
    renderProfiles();
    renderTenants();
    settingsMessage(t('kept').replace('{path}', kept));
  } catch (e) {
    settingsMessage(withPath(t('save_failed'), e));
  }
}

// Reloads the list after another window or program saved; the profile
// form keeps what was typed.
async function reloadSettings() {
  if (await loadSettings()) {
    if (editing >= settings.profiles.length) editing = -1;
    renderProfiles();
    renderTenants();
    renderTitle($('#name').value);
    settingsMessage(t('reloaded'));
  }
}

async function saveSettings(message = t('saved')) {
  if (saveBlocked) {
    showLoadError(t('save_blocked'));
    return false;
  }
  try {
    const resp = await api('PUT', '/api/settings', settings, etag ? { 'If-Match': etag } : {});
    etag = resp.headers.get('ETag');
    settingsMessage(message);
    return true;
  } catch (e) {
    if (e.kind === 'stale') {
      settingsMessage(t('stale'), ' ', button(t('reload'), reloadSettings));
    } else {
      settingsMessage(withPath(t('save_failed'), e));
    }
    return false;
  }
}

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

function renderProfiles() {
  const list = $('#profiles');
  list.replaceChildren();
  if (!settings.profiles.length) {
    const li = document.createElement('li');
    li.textContent = t('no_profiles');
    list.append(li);
  }
  settings.profiles.forEach((p, i) => {
    const li = document.createElement('li');
    li.setAttribute('aria-current', String(i === editing));
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = `${p.name} (${p.email})`;
    li.append(name, button(t('change'), () => editProfile(i)), button(t('delete'), () => deleteProfile(i)));
    list.append(li);
  });
}

function renderTenants() {
  const body = $('#tenants tbody');
  body.replaceChildren();
  settings.tenants.forEach((tenant, i) => {
    const tr = document.createElement('tr');
    tr.dataset.index = String(i);
    const cell = (el) => { const td = document.createElement('td'); td.append(el); tr.append(td); return td; };
    const name = document.createElement('input');
    name.value = tenant.name;
    name.setAttribute('aria-label', t('tenant_name'));
    name.addEventListener('input', () => { tenant.name = name.value; renderSettingsFindings(); });
    const email = document.createElement('input');
    email.value = tenant.email;
    email.className = 'tenant-email';
    email.setAttribute('aria-label', t('tenant_email'));
    email.addEventListener('input', () => { tenant.email = email.value; renderSettingsFindings(); });
    const select = document.createElement('select');
    select.className = 'tenant-profile';
    select.setAttribute('aria-label', t('tenant_profile'));
    const none = document.createElement('option');
    none.value = '';
    none.textContent = t('no_profile');
    select.append(none);
    for (const p of settings.profiles) {
      const o = document.createElement('option');
      o.value = p.name;
      o.textContent = p.name;
      select.append(o);
    }
    select.value = tenant.profile ?? '';
    select.addEventListener('change', () => { tenant.profile = select.value || null; renderSettingsFindings(); });
    cell(name);
    const emailCell = cell(email);
    const findings = document.createElement('div');
    findings.className = 'findings';
    findings.setAttribute('aria-live', 'polite');
    emailCell.append(findings);
    cell(select);
    cell(button(t('remove'), () => { settings.tenants.splice(i, 1); renderTenants(); }));
    body.append(tr);
  });
  renderSettingsFindings();
}

function renderSettingsFindings() {
  const findings = validateSettings(settings, lang);
  for (const tr of document.querySelectorAll('#tenants tbody tr')) {
    const i = tr.dataset.index;
    const mine = findings.filter((f) => f.field.startsWith(`tenants[${i}].`));
    tr.querySelector('.findings').replaceChildren(...mine.map(renderFinding));
    tr.querySelector('.tenant-email').setAttribute('aria-invalid', String(mine.some((f) => f.severity === 'error')));
  }
}

function fillForm(p) {
  $('#name').value = p.name;
  $('#email').value = p.email;
  form.querySelector(`input[name=auth][value=${p.auth === 'oauth2' ? 'oauth2' : 'password'}]`).checked = true;
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

const POP_INPUTS = ['#pop-host', '#pop-port', '#pop-security', '#pop-username'];

function enablePop(on) {
  for (const id of POP_INPUTS) $(id).disabled = !on;
}

function renderTitle(name) {
  $('#form-title').textContent = editing >= 0 ? `${t('edit_profile')}: ${name}` : t('new_profile');
}

function editProfile(i) {
  editing = i;
  fillForm(settings.profiles[i]);
  renderProfiles();
  $('#name').focus();
}

function newProfile() {
  editing = -1;
  fillForm(blankProfile());
  renderProfiles();
  $('#name').focus();
}

async function deleteProfile(i) {
  const [gone] = settings.profiles.splice(i, 1);
  for (const tenant of settings.tenants) if (tenant.profile === gone.name) tenant.profile = null;
  if (editing === i) newProfile();
  else if (editing > i) editing--;
  renderProfiles();
  renderTenants();
  await saveSettings();
}

async function okProfile() {
  showAll = true;
  const findings = validate();
  if (findings.some((f) => f.severity === 'error')) {
    $('#form-status').textContent = t('fix_errors');
    return;
  }
  const p = profile();
  const others = settings.profiles.filter((_, i) => i !== editing);
  if (others.some((o) => o.name.trim() === p.name.trim())) {
    $('#form-status').textContent = validateSettings({ profiles: [...others, p], tenants: [] }, lang)
      .find((f) => f.code === 'profile_name_duplicate')?.message ?? t('fix_errors');
    return;
  }
  if (editing >= 0) {
    const old = settings.profiles[editing].name;
    for (const tenant of settings.tenants) if (tenant.profile === old) tenant.profile = p.name;
    settings.profiles[editing] = p;
  } else {
    settings.profiles.push(p);
    editing = settings.profiles.length - 1;
  }
  renderProfiles();
  renderTenants();
  if (await saveSettings()) $('#form-status').textContent = t('profile_saved');
  else $('#form-status').textContent = $('#settings-status').textContent;
  renderTitle(p.name);
}

function exportSettings() {
  const blob = new Blob([JSON.stringify(settings, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'mailsetup-einstellungen.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function importSettings(file) {
  try {
    const doc = JSON.parse(await file.text());
    validateSettings(doc, lang); // throws for anything that is not a settings document
    settings = { ...doc, profiles: doc.profiles ?? [], tenants: doc.tenants ?? [] };
  } catch (e) {
    $('#settings-status').textContent = `${t('import_failed')} ${e.message}`;
    return;
  }
  renderProfiles();
  renderTenants();
  await saveSettings(t('imported'));
}

async function sendTest() {
  setStatus('testing', t('sending'));
  $('#send-test').disabled = true;
  try {
    await streamTest('/api/send-test', (v) => {
      if (v.ok) setStatus('ok', t('sent').replace('{email}', profile().email), '');
      else setStatus('failed', v.message, v.hint);
    });
  } catch (e) {
    setStatus('failed', `${t('service_error')} ${e.message}`);
  } finally {
    $('#send-test').disabled = false;
  }
}

async function main() {
  await init();
  await loadSettings();
  $('#loading').hidden = true;
  $('#overview').hidden = false;
  form.hidden = false;
  form.addEventListener('input', (e) => {
    if (e.target.name) touched.add(e.target.name);
    // The security select belongs to the port's findings.
    if (e.target.name === 'smtp.port') touched.add('smtp.security');
    if (e.target.id === 'email') $('#preset').replaceChildren();
    changed();
  });
  $('#pop-enabled').addEventListener('change', () => enablePop($('#pop-enabled').checked));
  $('#lang').addEventListener('change', () => {
    lang = $('#lang').value;
    localStorage.setItem('mailsetup.lang', lang);
    applyLanguage();
    renderTitle(editing >= 0 ? settings.profiles[editing].name : '');
    renderProfiles();
    renderTenants();
  });
  $('#test').addEventListener('click', runTest);
  $('#find').addEventListener('click', findSettings);
  $('#send-test').addEventListener('click', sendTest);
  $('#ok').addEventListener('click', okProfile);
  $('#cancel').addEventListener('click', () => (editing >= 0 ? editProfile(editing) : newProfile()));
  $('#new-profile').addEventListener('click', newProfile);
  $('#add-tenant').addEventListener('click', () => {
    settings.tenants.push({ id: String(Date.now()), name: '', email: '', profile: settings.profiles[0]?.name ?? null });
    renderTenants();
  });
  $('#save-settings').addEventListener('click', () => saveSettings());
  $('#export').addEventListener('click', exportSettings);
  $('#import').addEventListener('change', (e) => { if (e.target.files[0]) importSettings(e.target.files[0]); e.target.value = ''; });
  $('#email').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); findSettings(); } });
  applyLanguage();
  if (settings.profiles.length) editProfile(0);
  else newProfile();
  renderTenants();
}

main();
