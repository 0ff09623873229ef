// The settings document (profiles and tenants) as the page holds it, and
// its saving: every save names the version it was based on (ETag), so a
// change made elsewhere is never overwritten; a file that could not be
// loaded is never overwritten either, until the user starts anew.
import { api } from './api.js';
import { $, button } from './dom.js';
import { t } from './i18n.js';

export const store = {
  settings: { profiles: [], tenants: [] },
  /** The profile in the form: its index, or -1 for a new one. */
  editing: -1,
  /** The version of the settings file the list is based on. */
  etag: null,
  /** Set while the saved settings could not be loaded. */
  saveBlocked: false,
  loadError: null,
};

// Called when the list changed under the page (reloaded, started anew).
const listeners = [];
export function onReload(fn) { listeners.push(fn); }
const reloaded = () => { for (const fn of listeners) fn(); };

export function settingsMessage(...parts) {
  $('#settings-status').replaceChildren(...parts);
}

function withPath(text, e) {
  // The service's messages are English; those a user meets often are the page's own.
  const message = e.kind === 'in_use' ? t('file_in_use') : e.message;
  return e.path ? `${text} ${message} (${t('file')} ${e.path})` : `${text} ${message}`;
}

export async function loadSettings() {
  try {
    const resp = await api('GET', '/api/settings');
    const doc = await resp.json();
    store.settings = { ...doc, profiles: doc.profiles ?? [], tenants: doc.tenants ?? [] };
    store.etag = resp.headers.get('ETag');
    store.saveBlocked = false;
    return true;
  } catch (e) {
    store.loadError = e;
    store.saveBlocked = true;
    showLoadError();
    return false;
  }
}

// Why loading failed, where the file is, and the way out; `before` (a
// refused save) comes first.
function showLoadError(before = '') {
  const e = store.loadError;
  const text = document.createElement('span');
  text.textContent = `${before ? `${before} ` : ''}${withPath(t('load_failed'), e)}`;
  const parts = [text];
  if (e.kind === 'damaged' || e.kind === 'unreadable') parts.push(' ', button(t('start_anew'), startAnew));
  settingsMessage(...parts);
}

// After loading failed: the service keeps the damaged file beside it; the
// page goes on with what it has (empty, plus what was entered since).
async function startAnew() {
  try {
    const resp = await api('POST', '/api/settings/start-anew');
    const { kept } = await resp.json();
    store.etag = resp.headers.get('ETag');
    store.saveBlocked = false;
    reloaded();
    settingsMessage(t('kept').replace('{path}', kept));
  } catch (e) {
    settingsMessage(withPath(t('save_failed'), e));
  }
}

// Reloads the list after another window or program saved; the profile
// form keeps what was typed.
async function reloadSettings() {
  if (await loadSettings()) {
    if (store.editing >= store.settings.profiles.length) store.editing = -1;
    reloaded();
    settingsMessage(t('reloaded'));
  }
}

/** Saves the list; says what happened, and where the file is. */
export async function saveSettings(message = t('saved')) {
  if (store.saveBlocked) {
    showLoadError(t('save_blocked'));
    return false;
  }
  try {
    const resp = await api('PUT', '/api/settings', store.settings, store.etag ? { 'If-Match': store.etag } : {});
    store.etag = resp.headers.get('ETag');
    const { saved } = await resp.json().catch(() => ({}));
    settingsMessage(saved ? `${message} (${t('file')} ${saved})` : message);
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
