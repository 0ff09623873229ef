// The setup wizard. All checking is done by the wasm core as the user types;
// network tests go to the local `mailprobe serve` that served this page.
import init, { validateProfile, lookupPreset } from './pkg/mailsetup_wasm.js';

const TEXT = {
  de: {
    title: 'Profil für E-Mail-Versand bearbeiten', language: 'Sprache', loading: 'Wird geladen …',
    profile: 'Profil', name: 'Profilbezeichnung:', autoconfig: 'Automatische Konfiguration',
    email: 'E-Mail-Adresse:', credentials: 'Zugangsdaten', auth: 'Authentifizierung',
    auth_password: 'Benutzername + Kennwort', smtp_host: 'Server (SMTP):', port: 'Port:',
    security_none: 'keine', port_hint: '(Standard-Port: 465 oder 587)', username: 'Benutzername:',
    password: 'Kennwort:', advanced: 'Erweiterte Einstellungen',
    pop_enabled: 'Authentifizierung über Posteingangsserver', pop_host: 'Posteingangsserver (POP3):',
    pop_port: 'Port:', pop_port_hint: '(Standard-Port: 110)', verification: 'Überprüfung',
    details: 'Technische Details', test: 'Einstellungen testen', find: 'Einstellungen suchen',
    found: 'Einstellungen für {provider} eingetragen.',
    not_found: 'Sofern die Einstellungen nicht gefunden wurden, tragen Sie die Daten manuell ein. Ihr Anbieter nennt Ihnen Server und Port.',
    oauth_only: '{provider} erlaubt nur die Anmeldung über OAuth 2.0, die dieser Assistent noch nicht einrichten kann.',
    more: 'Mehr dazu', curated: '(von uns geprüfte Angaben)',
    untested: 'Die Einstellungen wurden noch nicht getestet', testing: 'Die Einstellungen werden getestet …',
    fix_errors: 'Bitte beheben Sie zuerst die markierten Fehler.', apply: 'übernehmen',
    no_token: 'Diese Seite wurde ohne Zugangsschlüssel geöffnet. Öffnen Sie die Adresse, die „mailprobe serve“ ausgibt.',
    service_error: 'Der lokale Testdienst hat den Test abgelehnt:',
    stage: { resolve: 'Namensauflösung', connect: 'Verbindung', tls: 'Verschlüsselung', greeting: 'Begrüßung',
      ehlo: 'EHLO', starttls: 'STARTTLS', auth: 'Anmeldung', sender: 'Absenderprüfung', quit: 'Abmeldung', pop3: 'POP3' },
  },
  en: {
    title: 'Edit e-mail sending profile', language: 'Language', loading: 'Loading …',
    profile: 'Profile', name: 'Profile name:', autoconfig: 'Automatic configuration',
    email: 'E-mail address:', credentials: 'Credentials', auth: 'Authentication',
    auth_password: 'User name + password', smtp_host: 'Outgoing server (SMTP):', port: 'Port:',
    security_none: 'none', port_hint: '(standard: 465 or 587)', username: 'User name:',
    password: 'Password:', advanced: 'Advanced settings',
    pop_enabled: 'Authenticate through the incoming server', pop_host: 'Incoming server (POP3):',
    pop_port: 'Port:', pop_port_hint: '(standard: 110)', verification: 'Verification',
    details: 'Technical details', test: 'Test settings', find: 'Find settings',
    found: 'Settings for {provider} filled in.',
    not_found: 'If no settings were found, enter the details manually. Your provider gives you server and port.',
    oauth_only: '{provider} only allows sign-in through OAuth 2.0, which this wizard cannot set up yet.',
    more: 'More', curated: '(details checked by us)',
    untested: 'The settings have not been tested yet', testing: 'Testing the settings …',
    fix_errors: 'Please fix the marked errors first.', apply: 'apply',
    no_token: 'This page was opened without its access key. Open the address that “mailprobe serve” prints.',
    service_error: 'The local test service refused the test:',
    stage: { resolve: 'name lookup', connect: 'connection', tls: 'encryption', greeting: 'greeting',
      ehlo: 'EHLO', starttls: 'STARTTLS', auth: 'sign-in', sender: 'sender check', quit: 'sign-off', pop3: 'POP3' },
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

// The service's token comes in the URL once; keep it for this tab only and
// take it out of the address bar (and so out of history and screenshots).
const params = new URLSearchParams(location.search);
if (params.get('token')) {
  sessionStorage.setItem('mailsetup.token', params.get('token'));
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('mailsetup.token');

function t(key) { return TEXT[lang][key] ?? key; }

function applyLanguage() {
  document.documentElement.lang = lang;
  $('#lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  document.title = t('title');
  if ($('#status').dataset.state === 'untested') $('#status').textContent = t('untested');
  validate();
}

function profile() {
  const v = (id) => $(id).value;
  const popOn = $('#pop-enabled').checked;
  const port = (id) => { const n = Number(v(id).trim()); return Number.isInteger(n) && n >= 0 ? n : 0; };
  return {
    name: v('#name'),
    email: v('#email'),
    auth: form.querySelector('input[name=auth]:checked').value,
    smtp: { host: v('#smtp-host'), port: port('#smtp-port'), security: v('#smtp-security'), username: v('#smtp-username') },
    pop_before_smtp: popOn
      ? { host: v('#pop-host'), port: port('#pop-port'), security: 'starttls', username: v('#smtp-username') }
      : null,
  };
}

function inputFor(field) {
  return form.querySelector(`[name="${CSS.escape(field)}"]`);
}

function validate() {
  lastFindings = validateProfile(profile(), lang);
  for (const box of document.querySelectorAll('.findings')) {
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
      const pop = preset.pop3.find((s) => s.port === 110) ?? preset.pop3[0];
      $('#pop-host').value = pop.host;
      $('#pop-port').value = String(pop.port);
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
  if (!token) {
    setStatus('failed', t('no_token'));
    return;
  }
  setStatus('testing', t('testing'));
  $('#stages').replaceChildren();
  $('#details').hidden = true;
  $('#test').disabled = true;
  try {
    const resp = await fetch('/api/test', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ profile: profile(), password: $('#password').value, lang }),
    });
    if (!resp.ok) {
      setStatus('failed', `${t('service_error')} ${resp.status} ${await resp.text()}`);
      return;
    }
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
        if (line.trim()) onEvent(JSON.parse(line));
      }
    }
  } catch (e) {
    setStatus('failed', `${t('service_error')} ${e.message}`);
  } finally {
    $('#test').disabled = false;
  }
}

function onEvent(ev) {
  if (ev.event === 'stage') {
    const li = document.createElement('li');
    li.dataset.stage = ev.stage;
    li.dataset.ok = String(ev.ok);
    li.textContent = `${t('stage')[ev.stage] ?? ev.stage} (${ev.ms} ms)`;
    $('#stages').append(li);
  } else if (ev.event === 'verdict') {
    const v = ev.verdict;
    setStatus(v.ok ? 'ok' : 'failed', v.message, v.hint);
    $('#status').dataset.category = v.category;
    const lines = v.transcript.map((l) => `${{ c: 'C:', s: 'S:', i: '--' }[l.dir] ?? '  '} ${l.text}`);
    if (v.detail) lines.push(`-- ${v.detail}`);
    $('#transcript').textContent = lines.join('\n');
    $('#details').hidden = false;
  }
}

async function main() {
  await init();
  $('#loading').hidden = true;
  form.hidden = false;
  form.addEventListener('input', (e) => {
    if (e.target.name) touched.add(e.target.name);
    // The security select belongs to the port's findings.
    if (e.target.name === 'smtp.port') touched.add('smtp.security');
    if (e.target.id === 'email') $('#preset').replaceChildren();
    changed();
  });
  $('#pop-enabled').addEventListener('change', () => {
    $('#pop-host').disabled = $('#pop-port').disabled = !$('#pop-enabled').checked;
  });
  $('#lang').addEventListener('change', () => {
    lang = $('#lang').value;
    localStorage.setItem('mailsetup.lang', lang);
    applyLanguage();
  });
  $('#test').addEventListener('click', runTest);
  $('#find').addEventListener('click', findSettings);
  $('#email').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); findSettings(); } });
  applyLanguage();
}

main();
