// Types of the package's entry (mailsetup.js); the shared types come from
// wasm-bindgen's declarations.
import type { Finding, InitInput, InitOutput, Lang, Profile, Settings, SyncInitInput } from './mailsetup_wasm.js';

export * from './mailsetup_wasm.js';

/** Every finding of a profile, messages in `lang` ("de" when not given). */
export function validateProfile(profile: Profile, lang?: Lang): Finding[];
/** Every finding of a settings document (profiles and tenants). */
export function validateSettings(settings: Settings, lang?: Lang): Finding[];
/** One field as typed (`email`, `smtp.host`, `smtp.port`, …), e.g. on every keystroke. */
export function validateField(field: string, value: string, lang?: Lang): Finding[];
/** Instantiates the module from its bytes or a compiled module, at once. */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;
/** Fetches and instantiates the module (by default next to this file). */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
