// The setup wizard: wiring only. All checking is done by the wasm core as
// the user types (js/form.js); network tests and the settings file go to
// the local `mailprobe serve` that served this page (js/api.js, js/store.js).
import init from './pkg/mailsetup_wasm.js';
import { $ } from './js/dom.js';
import { onService, watchService } from './js/api.js';
import {
  changed, enablePop, findSettings, openHelpList, profile, renderTitle, runTest, sendTest, touched, validate,
} from './js/form.js';
import { setUpHelp } from './js/help.js';
import { getLang, setLang, t } from './js/i18n.js';
import { signIn } from './js/oauth.js';
import {
  addTenant, editProfile, exportSettings, importSettings, newProfile, okProfile, renderProfiles, renderTenants,
} from './js/lists.js';
import { loadSettings, onReload, saveSettings, store } from './js/store.js';

function applyLanguage() {
  const lang = getLang();
  document.documentElement.lang = lang;
  $('#lang').value = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  document.title = t('title');
  if ($('#status').dataset.state === 'untested') $('#status').textContent = t('untested');
  $('#pop-username').placeholder = t('pop_username_placeholder');
  validate();
}

// The service gone: said above everything, in plain words; what was typed stays.
function serviceBanner(ok) {
  $('#service').hidden = ok;
  $('#service').textContent = ok ? '' : t('service_down');
}

async function main() {
  onService(serviceBanner);
  await init();
  await loadSettings();
  const form = $('#profile');
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
    setLang($('#lang').value);
    applyLanguage();
    renderTitle(store.editing >= 0 ? store.settings.profiles[store.editing].name : '');
    renderProfiles();
    renderTenants();
  });
  onReload(() => {
    renderProfiles();
    renderTenants();
    renderTitle($('#name').value);
  });
  $('#test').addEventListener('click', runTest);
  $('#oauth-signin').addEventListener('click', () => signIn(profile()));
  $('#oauth-provider').addEventListener('change', changed);
  $('#find').addEventListener('click', findSettings);
  setUpHelp();
  $('#help-open').addEventListener('click', openHelpList);
  $('#send-test').addEventListener('click', sendTest);
  $('#ok').addEventListener('click', okProfile);
  $('#cancel').addEventListener('click', () => (store.editing >= 0 ? editProfile(store.editing) : newProfile()));
  $('#new-profile').addEventListener('click', newProfile);
  $('#add-tenant').addEventListener('click', addTenant);
  $('#save-settings').addEventListener('click', () => saveSettings());
  $('#export').addEventListener('click', exportSettings);
  $('#import').addEventListener('change', (e) => { if (e.target.files[0]) importSettings(e.target.files[0]); e.target.value = ''; });
  $('#email').addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); findSettings(); } });
  applyLanguage();
  if (store.settings.profiles.length) editProfile(0);
  else newProfile();
  renderTenants();
  watchService();
}

main();
