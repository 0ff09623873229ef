// The overview: the profile list and the tenant table, creating, editing
// and deleting profiles, import and export.
import { validateSettings } from '../pkg/mailsetup_wasm.js';
import { $, button as plainButton } from './dom.js';
import {
  blankProfile, fillForm, focusFirstError, profile, renderFinding, renderTitle, showAllFindings, validate,
} from './form.js';
import { getLang, t } from './i18n.js';
import { saveSettings, settingsMessage, store } from './store.js';

// The lists' buttons are the small size.
const button = (text, onClick) => {
  const b = plainButton(text, onClick);
  b.className = 'small';
  return b;
};

export function renderProfiles() {
  const list = $('#profiles');
  list.replaceChildren();
  if (!store.settings.profiles.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t('no_profiles');
    list.append(li);
  }
  store.settings.profiles.forEach((p, i) => {
    const li = document.createElement('li');
    li.setAttribute('aria-current', String(i === store.editing));
    // Name first, then address and server, so the list reads at a glance.
    const text = document.createElement('span');
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = p.name;
    const detail = document.createElement('span');
    detail.className = 'detail';
    const server = p.auth === 'oauth2' ? 'OAuth 2.0' : `${p.smtp?.host ?? ''}:${p.smtp?.port ?? ''}`;
    detail.textContent = `${p.email} · ${server}`;
    text.append(name, detail);
    const change = button(t('change'), () => editProfile(i));
    change.setAttribute('aria-label', `${t('change')} ${p.name}`);
    const remove = button(t('delete'), () => deleteProfile(i));
    remove.setAttribute('aria-label', `${t('delete')} ${p.name}`);
    li.append(text, change, remove);
    list.append(li);
  });
}

export function renderTenants() {
  const body = $('#tenants tbody');
  body.replaceChildren();
  if (!store.settings.tenants.length) {
    const tr = document.createElement('tr');
    tr.className = 'empty';
    const td = document.createElement('td');
    td.colSpan = 4;
    td.textContent = t('no_tenants');
    tr.append(td);
    body.append(tr);
  }
  store.settings.tenants.forEach((tenant, i) => {
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
    for (const p of store.settings.profiles) {
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
    const remove = button(t('remove'), () => { store.settings.tenants.splice(i, 1); renderTenants(); $('#add-tenant').focus(); });
    remove.setAttribute('aria-label', `${t('remove')} ${tenant.name || t('tenant_name')}`);
    cell(remove);
    body.append(tr);
  });
  renderSettingsFindings();
}

function renderSettingsFindings() {
  const findings = validateSettings(store.settings, getLang());
  for (const tr of document.querySelectorAll('#tenants tbody tr[data-index]')) {
    const i = tr.dataset.index;
    const mine = findings.filter((f) => f.field.startsWith(`tenants[${i}].`));
    tr.querySelector('.findings').replaceChildren(...mine.map(renderFinding));
    tr.querySelector('.tenant-email').setAttribute('aria-invalid', String(mine.some((f) => f.severity === 'error')));
  }
}

export function editProfile(i) {
  store.editing = i;
  fillForm(store.settings.profiles[i]);
  renderProfiles();
  $('#name').focus();
}

export function newProfile() {
  store.editing = -1;
  fillForm(blankProfile());
  renderProfiles();
  $('#name').focus();
}

async function deleteProfile(i) {
  const [gone] = store.settings.profiles.splice(i, 1);
  for (const tenant of store.settings.tenants) if (tenant.profile === gone.name) tenant.profile = null;
  if (store.editing === i) newProfile();
  else if (store.editing > i) store.editing--;
  renderProfiles();
  renderTenants();
  await saveSettings();
}

/** "OK": the form's profile into the list, and the list saved. */
export async function okProfile() {
  showAllFindings();
  const findings = validate();
  if (findings.some((f) => f.severity === 'error')) {
    $('#form-status').textContent = t('fix_errors');
    focusFirstError();
    return;
  }
  const { settings } = store;
  const p = profile();
  const others = settings.profiles.filter((_, i) => i !== store.editing);
  if (others.some((o) => o.name.trim() === p.name.trim())) {
    $('#form-status').textContent = validateSettings({ profiles: [...others, p], tenants: [] }, getLang())
      .find((f) => f.code === 'profile_name_duplicate')?.message ?? t('fix_errors');
    return;
  }
  if (store.editing >= 0) {
    const old = settings.profiles[store.editing].name;
    for (const tenant of settings.tenants) if (tenant.profile === old) tenant.profile = p.name;
    settings.profiles[store.editing] = p;
  } else {
    settings.profiles.push(p);
    store.editing = settings.profiles.length - 1;
  }
  renderProfiles();
  renderTenants();
  if (await saveSettings()) $('#form-status').textContent = t('profile_saved');
  else $('#form-status').textContent = $('#settings-status').textContent;
  renderTitle(p.name);
}

export function addTenant() {
  const { settings } = store;
  settings.tenants.push({ id: String(Date.now()), name: '', email: '', profile: settings.profiles[0]?.name ?? null });
  renderTenants();
  // The new row's first field is the next step.
  $('#tenants tbody tr:last-child input').focus();
}

/** "2 Profile, 1 Mandant" for the confirmations. */
function counts(doc) {
  const n = (k, count) => t(count === 1 ? `${k}_one` : `${k}_many`).replace('{n}', String(count));
  return `${n('profiles_count', doc.profiles.length)}, ${n('tenants_count', doc.tenants.length)}`;
}

export function exportSettings() {
  const blob = new Blob([JSON.stringify(store.settings, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'mailsetup-einstellungen.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  // The browser decides where downloads go; the file name and what is in it are ours.
  settingsMessage(t('exported').replace('{file}', a.download).replace('{what}', counts(store.settings)));
}

export async function importSettings(file) {
  try {
    const doc = JSON.parse(await file.text());
    validateSettings(doc, getLang()); // throws for anything that is not a settings document
    store.settings = { ...doc, profiles: doc.profiles ?? [], tenants: doc.tenants ?? [] };
  } catch (e) {
    settingsMessage(`${t('import_failed')} ${e.message} (${t('file')} ${file.name})`);
    return;
  }
  renderProfiles();
  renderTenants();
  await saveSettings(t('imported').replace('{file}', file.name).replace('{what}', counts(store.settings)));
}
