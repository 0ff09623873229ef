// The page's own texts, German and English, and the language in use.
// (Messages about profiles, findings and verdicts come from the core.)

export const TEXT = {
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

let lang = localStorage.getItem('mailsetup.lang') === 'en' ? 'en' : 'de';

/** The language in use: "de" or "en". */
export function getLang() { return lang; }

/** Switches the language and keeps the choice for the next visit. */
export function setLang(value) {
  lang = value === 'en' ? 'en' : 'de';
  localStorage.setItem('mailsetup.lang', lang);
}

/** The text for `key` in the language in use. */
export function t(key) { return TEXT[lang][key] ?? key; }
