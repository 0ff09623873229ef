// "Beim Anbieter anmelden": the local service prepares the sign-in (PKCE,
// state) and this page opens the provider's page in a window of its own;
// the provider sends that window back to the service, which exchanges the
// code and keeps the tokens (the page never sees either). The page asks
// the service how it went.
import { send } from './api.js';
import { $ } from './dom.js';
import { renderFinding } from './form.js';
import { getLang, t } from './i18n.js';

const POLL_MS = 1000;
const GIVE_UP_MS = 10 * 60 * 1000;

async function post(path, body) {
  return send(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** Signs `profile` in; shows what happened in #oauth-status. */
export async function signIn(profile) {
  const status = $('#oauth-status');
  status.dataset.state = 'signing-in';
  status.textContent = t('oauth_signing_in');
  // Opened now, in the click: a window opened after an await is blocked.
  const win = window.open('about:blank', '_blank');
  let resp;
  try {
    resp = await post('/api/oauth/start', { profile, lang: getLang() });
  } catch (e) {
    win?.close();
    status.dataset.state = 'failed';
    status.textContent = `${t('service_error')} ${e.message}`;
    return;
  }
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) {
    win?.close();
    status.dataset.state = 'failed';
    status.textContent = body.verdict ? `${body.verdict.message} ${body.verdict.hint}` : `${resp.status}`;
    // A finding of the service's (no client ID) goes next to the provider.
    $('.findings[data-field=oauth_provider]').replaceChildren(...(body.findings ?? []).map(renderFinding));
    return;
  }
  if (win) win.location.href = body.url;
  else {
    status.textContent = t('oauth_open_yourself');
    const a = document.createElement('a');
    a.href = body.url;
    a.target = '_blank';
    a.rel = 'opener';
    a.textContent = t('oauth_open_link');
    status.append(' ', a);
  }
  const started = Date.now();
  while (Date.now() - started < GIVE_UP_MS) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const s = await post('/api/oauth/status', { state: body.state }).then((r) => r.json()).catch(() => null);
    if (!s || s.pending) continue;
    if (s.ok) {
      status.dataset.state = 'signed-in';
      status.textContent = t('oauth_signed_in').replace('{account}', s.account);
    } else {
      status.dataset.state = 'failed';
      status.textContent = `${s.verdict.message} ${s.verdict.hint}`;
    }
    $('#test').focus();
    return;
  }
  status.dataset.state = 'failed';
  status.textContent = t('oauth_timeout');
}
