// The package's TypeScript types as the wizard's code would use them;
// checked by `tsc` in package.test.mjs. Each `@ts-expect-error` line is a
// misuse the types must reject (tsc fails if one is accepted).
import init, {
  initSync,
  lookupPreset,
  suggestDomain,
  validateField,
  validateProfile,
  validateSettings,
} from '../../../www/pkg/mailsetup_wasm.js';
import type { Finding, Preset, Profile, Settings, Suggestion } from '../../../www/pkg/mailsetup_wasm.js';

const profile: Profile = {
  name: 'Praxis',
  email: 'info@praxis.de',
  auth: 'password',
  smtp: { host: 'smtp.praxis.de', port: 465, security: 'tls', username: '' },
  pop_before_smtp: null,
};
const findings: Finding[] = validateProfile(profile, 'de');
const english: Finding[] = validateProfile(profile);
const severity: 'info' | 'warning' | 'error' = findings[0].severity;
const set: Record<string, string> | undefined = english[0].fix?.set;
const message: string = findings[0].message;
const field: Finding[] = validateField('smtp.port', '587', 'en');
const settings: Settings = { profiles: [profile], tenants: [{ id: '1', name: 'Nord', email: 'a@b.de', profile: null }] };
const all: Finding[] = validateSettings(settings, 'en');
const preset: Preset | null = lookupPreset('info@gmx.de', 'de');
const host: string | undefined = preset?.smtp[0].host;
const suggestion: Suggestion | null = suggestDomain('info@gmx.dee');
const loading: Promise<unknown> = init();
const loaded: unknown = initSync(new Uint8Array());

// @ts-expect-error: only "de" and "en"
validateProfile(profile, 'fr');
// @ts-expect-error: a profile has all its fields
validateProfile({ name: 'Praxis' });
// @ts-expect-error: a value is a string
validateField('email', 5);
// @ts-expect-error: security is one of three words
validateProfile({ ...profile, smtp: { ...profile.smtp, security: 'ssl' } });

// @ts-expect-error: a finding is read-only
findings[0].message = 'x';
// @ts-expect-error: so are its parameters
findings[0].params.port = '587';

export { all, field, host, loaded, loading, message, set, severity, suggestion };
