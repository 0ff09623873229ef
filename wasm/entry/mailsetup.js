// The package's entry (copied next to wasm-bindgen's output by
// `cargo xtask wasm`, which fills in where wasm-bindgen put js/wire.js).
//
// Why an entry of our own: `validateProfile`, `validateSettings` and
// `validateField` run on every keystroke, and a function wasm-bindgen
// exports pays for its JS values on the way in and out. They are written
// in js/wire.js, which calls the module with numbers only, so they are
// exported from there. Everything else is wasm-bindgen's.
import initModule, { initSync as initModuleSync, wireInit } from './mailsetup_wasm.js';

export { lookupPreset, suggestDomain } from './mailsetup_wasm.js';
export { validateField, validateProfile, validateSettings } from '@WIRE@';

/** Instantiates the module from its bytes or a compiled module, at once. */
export function initSync(module) {
  const exports = initModuleSync(module);
  wireInit();
  return exports;
}

/** Fetches and instantiates the module (by default next to this file). */
export default async function init(moduleOrPath) {
  const exports = await initModule(moduleOrPath);
  wireInit();
  return exports;
}
