// "Einstellungen suchen" over the network: the local service asks the
// provider's autoconfig, the domain's MX and SRV records, and probes the
// usual server names (mailprobe discover); this module shows each source as
// it answers and, for a result the domain did not confirm itself, asks the
// user to confirm where the settings come from before filling them in.
import { streamTest } from './api.js';
import { $, button } from './dom.js';
import { getLang, t } from './i18n.js';

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/**
 * The domain as the user must see it, whole: look-alike characters are
 * marked (digits 0 and 1 among letters, which pass for o and l), and an
 * internationalized name (xn--) gets a warning of its own.
 */
export function domainView(domain) {
  const view = el('strong', 'domain');
  view.dir = 'ltr';
  for (const label of domain.split('.')) {
    if (view.childNodes.length) view.append('.');
    const letters = /[a-z]/i.test(label);
    for (const ch of label) {
      if (letters && /[01]/.test(ch)) {
        const m = el('mark', 'lookalike', ch);
        m.title = t('lookalike_char');
        view.append(m);
      } else {
        view.append(ch);
      }
    }
  }
  const warnings = [];
  if (domain.split('.').some((l) => l.startsWith('xn--'))) warnings.push(t('lookalike_idn'));
  if (view.querySelector('mark')) warnings.push(t('lookalike_digits'));
  return { view, warnings };
}

function serverLine(s) {
  const security = { tls: 'SSL/TLS', starttls: 'STARTTLS', none: t('security_none') }[s.security] ?? s.security;
  return `${s.host}, ${t('port')} ${s.port}, ${security}`;
}

/** A provider's notes (with a link where there is a page), appended to `box`. */
export function notes(box, list) {
  for (const n of list) {
    const p = el('p', 'note', n.text);
    p.dataset.kind = n.kind;
    if (n.url) {
      const a = el('a', '', t('more'));
      a.href = n.url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      p.append(' ', a);
    }
    box.append(p);
  }
}

/**
 * Searches settings for `address` through the local service and shows the
 * search in `box`. `fill(result)` is called with a result the user may take:
 * at once when the domain itself confirmed it, else after "Übernehmen".
 * `openList()` opens the help list (offered when nothing is found),
 * `focusNext()` moves on once settings are filled in; `intro` heads the box.
 */
export async function searchNetwork(address, box, fill, { intro, openList, focusNext }) {
  box.replaceChildren();
  box.dataset.state = 'searching';
  if (intro) box.append(el('p', '', intro));
  const status = el('p', 'searching', t('searching'));
  const list = el('ul', 'tried');
  list.setAttribute('aria-label', t('tried'));
  box.append(status, list);
  let result;
  try {
    await streamTest('/api/discover', { address, lang: getLang() }, (ev) => {
      if (ev.event === 'tried') {
        const li = el('li', '', `${t(`source_${ev.source}`)}: ${ev.target}`);
        li.dataset.ok = String(ev.ok);
        li.title = ev.detail;
        list.append(li);
      } else if (ev.event === 'result') {
        result = ev;
      }
    });
  } catch (e) {
    box.dataset.state = 'failed';
    status.textContent = `${t('search_failed')} ${e.message}`;
    return;
  }
  status.remove();
  // The list of sources tried stays, folded, for whoever wants to see it.
  const details = el('details', 'tried-details');
  details.append(el('summary', '', t('tried')), list);
  if (!result) {
    box.dataset.state = 'failed';
    box.append(el('p', 'not-found', t('search_failed')), details);
    return;
  }
  // Green only for what the domain itself confirmed; the rest waits for the user.
  const kind = !result.found ? 'not-found' : result.trust === 'confirmed' ? 'found' : 'to-confirm';
  const headline = el('p', kind, result.message);
  box.append(headline);
  if (!result.found) {
    // Nothing found: the next steps, the help list first.
    box.dataset.state = 'not-found';
    const list = button(t('help_open_list'), openList);
    list.id = 'not-found-list';
    const actions = el('div', 'actions');
    actions.append(list);
    box.append(actions, el('p', 'hint', t('not_found_next')), details);
    list.focus();
    return;
  }
  const first = result.smtp[0];
  if (result.trust === 'confirmed') {
    box.dataset.state = 'found';
    box.append(el('p', 'server', serverLine(first)));
    notes(box, result.notes);
    box.append(details);
    fill(result);
    focusNext();
    return;
  }
  box.dataset.state = 'confirm';
  const confirm = el('div', 'confirm');
  confirm.setAttribute('role', 'group');
  confirm.setAttribute('aria-label', t('confirm_title'));
  const { view, warnings } = domainView(result.domain);
  const from = el('p', 'from', `${t('settings_from')} `);
  from.append(view);
  confirm.append(from, el('p', 'server', serverLine(first)));
  for (const w of warnings) confirm.append(el('p', 'warning', w));
  const actions = el('div', 'actions');
  const take = el('button', 'primary', t('take_settings'));
  take.type = 'button';
  const reject = el('button', '', t('reject_settings'));
  reject.type = 'button';
  actions.append(take, reject);
  confirm.append(actions);
  box.append(confirm);
  notes(box, result.notes);
  box.append(details);
  take.addEventListener('click', () => {
    box.dataset.state = 'found';
    actions.remove();
    confirm.append(el('p', 'found', t('taken')));
    fill(result);
    focusNext();
  });
  reject.addEventListener('click', () => {
    box.dataset.state = 'rejected';
    actions.remove();
    confirm.append(el('p', 'hint', t('rejected')));
    $('#smtp-host').focus();
  });
  take.focus();
}
