// "Eine Liste gängiger Postausgangsserver erhalten Sie in der Hilfe": the
// help list, searchable as one types. It comes from the local service,
// which reads the core's offline table (the same one "Einstellungen
// suchen" uses). One click or Enter fills in host, port and encryption
// together and shows the provider's notes.
import { api } from './api.js';
import { $ } from './dom.js';
import { getLang, t } from './i18n.js';

const SECURITY = { tls: 'SSL/TLS', starttls: 'STARTTLS' };
let entries = [];
let onChoose = () => {};

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** What a search matches: the label, every domain and the server's name. */
function haystack(entry) {
  return [entry.label, entry.preset.smtp[0].host, ...entry.domains].join(' ').toLowerCase();
}

function item(entry) {
  const s = entry.preset.smtp[0];
  const b = el('button', '');
  b.type = 'button';
  b.dataset.id = entry.preset.id;
  const security = SECURITY[s.security] ?? t('security_none');
  b.append(el('span', 'label', entry.label), el('span', 'server', `${s.host} · ${s.port} · ${security}`));
  const shown = entry.domains.slice(0, 6).join(', ') + (entry.domains.length > 6 ? ', …' : '');
  b.append(el('span', 'domains', shown));
  if (entry.preset.notes.length) b.append(el('span', 'notes', entry.preset.notes.map((n) => n.text).join(' ')));
  b.addEventListener('click', () => choose(entry));
  const li = el('li');
  li.append(b);
  return li;
}

/** Shows the entries that match the search box; returns how many. */
function render() {
  const query = $('#help-search').value.trim().toLowerCase();
  const words = query.split(/\s+/).filter(Boolean);
  const shown = entries.filter((e) => words.every((w) => e.haystack.includes(w)));
  $('#help-list').replaceChildren(...shown.map(item));
  $('#help-count').textContent = shown.length
    ? t('help_count').replace('{n}', String(shown.length))
    : t('help_none').replace('{query}', $('#help-search').value.trim());
  return shown;
}

function choose(entry) {
  $('#help').close();
  onChoose(entry);
}

// Arrow keys move through the list; Enter in the search box takes the first
// entry; Escape closes (the dialog's own).
function onKey(e) {
  const buttons = [...$('#help-list').querySelectorAll('button')];
  const at = buttons.indexOf(document.activeElement);
  if (e.key === 'Enter' && e.target.id === 'help-search') {
    e.preventDefault();
    buttons[0]?.click();
  } else if (e.key === 'ArrowDown') {
    e.preventDefault();
    buttons[Math.min(at + 1, buttons.length - 1)]?.focus();
  } else if (e.key === 'ArrowUp' && at >= 0) {
    e.preventDefault();
    (at === 0 ? $('#help-search') : buttons[at - 1]).focus();
  }
}

/**
 * Opens the help list; `choose(entry)` gets the provider picked. The
 * entries' user names are resolved for the address in the form.
 */
export async function openHelp(address, choose_) {
  onChoose = choose_;
  const dialog = $('#help');
  $('#help-search').value = '';
  $('#help-list').replaceChildren();
  $('#help-count').textContent = t('loading');
  dialog.showModal();
  $('#help-search').focus();
  try {
    const resp = await api('POST', '/api/presets', { address, lang: getLang() });
    entries = (await resp.json()).map((e) => ({ ...e, haystack: haystack(e) }));
  } catch (e) {
    entries = [];
    $('#help-count').textContent = `${t('help_failed')} ${e.message}`;
    return;
  }
  render();
}

export function setUpHelp() {
  $('#help-search').addEventListener('input', render);
  $('#help').addEventListener('keydown', onKey);
  $('#help-close').addEventListener('click', () => $('#help').close());
}
