// The JS half of the package's wire format (the Rust half is src/wire.rs),
// and the package's validation functions (the entry, mailsetup.js,
// exports them from here).
//
// Why by hand: the profile is validated on every keystroke. Reading a JS
// object field by field from Rust costs one call across the boundary per
// field, and building each finding from Rust one call per property and per
// string; that was 12 of the 17 µs a profile took. A function that
// wasm-bindgen exports also pays for its JS values on the way in and out
// (the externref table, a result array, a call back to free the table
// slot). Here the JS side writes the object into wasm memory in one go,
// calls the module's raw `wire_validate` with numbers only, and turns the
// findings' encoding back into plain objects: one crossing per call.
//
// Into the module, values are written straight into a buffer in wasm
// memory: per value its length in bytes (four ASCII bytes, seven bits
// each, low first: the whole input is then UTF-8, checked in one go) and
// its UTF-8. Out of it, findings come as 16-bit units read in place.
// A text is one unit k > 0
// (entry k-1 of the table the module sends once: codes, fields, keys,
// templates, subjects, static values), or 0 and three more: the index of
// an input value and where in it the text is (start, length; this call's
// values are kept here, so the text is a slice of a string JS already
// has), or 0xffff and a length in two units: the next that many UTF-16
// units of the call's own texts (UTF-8 in wasm memory, decoded once and
// only when one is needed: making a string from wasm memory is the dearest
// step of all). A finding's message is its template from the table with
// the parameters filled in here, exactly as the core's `fill_into` does
// (the wasm tests compare the two on the whole e-mail corpus).

// The module's memory, and views of it made anew only when it has grown
// (a view per call showed in the benchmark).
let memory = null;
let u16 = null;
let u8 = null;

function views() {
  // A view of memory that has grown is detached and has length 0; checking
  // that is cheaper than comparing `memory.buffer` (a getter) on every call.
  if (u8 === null || u8.length === 0) {
    u8 = new Uint8Array(memory.buffer);
    u16 = new Uint16Array(memory.buffer);
    u32 = new Uint32Array(memory.buffer);
  }
}

// Where the buffer being written starts and ends (byte addresses), and the
// count so far (module state: a writer object per call showed in the
// benchmark).
let base = 0;
let end = 0;
let at = 0;
const utf8in = new TextEncoder();
const LONG = 48;

// The values written for the current call, in order: the module refers to
// texts found in them instead of sending them back.
const values = [];
let count = 0;

// Where each value's bytes end (`at` after it), for the first `written`
// values: a call whose first values are those of the last call (the same
// strings, in the same buffer) starts writing after them. On a keystroke
// the fields before the one typed in are not written again. `prefix` is
// how many may still be skipped in the call being written.
const ends = [];
let written = 0;
let prefix = 0;

// Writes a value: its length in bytes (four bytes of seven bits) and its UTF-8,
// ASCII by hand and the rest with encodeInto. When it may not fit (three
// bytes per UTF-16 unit at most), nothing is written and the count goes on
// with that bound, so the module learns a size that will do.
function put(v) {
  // The same value at the same place as in the last call: its bytes are
  // still there (the module only reads this buffer).
  if (count < prefix && v === values[count]) {
    at = ends[count++];
    return;
  }
  prefix = 0;
  const n = v.length;
  // Three bytes per unit at most, in 28 bits: 89 million units.
  if (n > 0x5555555) bad('a value is too long');
  const i = base + at;
  values[count++] = v;
  if (i + 4 + 3 * n > end) {
    at += 4 + 3 * n;
    return;
  }
  const b = u8;
  let w = i + 4;
  let k = 0;
  // A long value goes to `encodeInto` whole: past about 40 characters it
  // is cheaper than the loop (about 2 ns a character here).
  if (n <= LONG) {
    for (; k < n; k++) {
      const c = v.charCodeAt(k);
      if (c >= 0x80) break;
      b[w++] = c;
    }
  }
  if (k < n) {
    w += utf8in.encodeInto(k === 0 ? v : v.slice(k), u8.subarray(w, end)).written;
    // The module sees a lone surrogate as U+FFFD; a reference back to this
    // value must give what the module saw.
    if (v.isWellFormed !== undefined && !v.isWellFormed()) values[count - 1] = v.toWellFormed();
  }
  const len = w - i - 4;
  b[i] = len & 0x7f;
  b[i + 1] = (len >>> 7) & 0x7f;
  b[i + 2] = (len >>> 14) & 0x7f;
  b[i + 3] = len >>> 21;
  at = w - base;
  ends[count - 1] = at;
  written = count;
}

// Each value is read by its own property access: with the key in a
// variable (`obj[key]`) the lookup was generic and showed in the benchmark.
// The path for an error message is put together only for an error.
function text(v, prefix, key) {
  if (typeof v === 'string') put(v);
  else if (v === undefined || v === null) put('');
  else bad(`\`${prefix}${key}\` must be a string`);
}

function server(s, prefix) {
  if (!isObject(s)) bad(`\`${prefix.slice(0, -1)}\` must be an object`);
  text(s.security, prefix, 'security');
  const port = s.port;
  if (port === undefined || port === null) {
    put('');
  } else if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 4294967295) {
    bad(`\`${prefix}port\` must be a whole number`);
  } else {
    put(String(port));
  }
  text(s.host, prefix, 'host');
  text(s.username, prefix, 'username');
}

// The values in the order that keeps most of them in place while one
// types (see `ends`): what is chosen from a list or typed once first, the
// address, typed the most, last of the profile's own; the POP3 server,
// rarely there, after it. src/wire.rs reads this order.
function profile(p) {
  if (!isObject(p)) bad('expected an object');
  if (p.smtp === undefined) bad('missing field `smtp`');
  text(p.name, '', 'name');
  text(p.auth, '', 'auth');
  server(p.smtp, 'smtp.');
  text(p.email, '', 'email');
  const pop = p.pop_before_smtp;
  if (pop === undefined || pop === null) {
    put('');
  } else {
    put('1');
    server(pop, 'pop_before_smtp.');
  }
}

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

// The module's raw exports (`wire_input`, `wire_validate`: numbers in,
// a number out) and the address of its result block: four 32-bit words,
// the findings' units (address, count) and texts (address, length), or an
// error message (address, length).
let ex = null;
let result = 0;
let u32 = null;

// The input buffer in wasm memory, as the module last gave it.
let inPtr = 0;
let inCap = 0;

// What the module's `wire_validate` is asked to read.
const PROFILE = 0;
const SETTINGS = 1;
const FIELD = 2;

// Bad input is thrown here, with the words that say what was expected.
let what = '';
function bad(message) {
  throw new Error(`${what}${message}`);
}

// Whether a call is under way. The input is read through the caller's own
// objects, whose getters could call in again and would then write over the
// call's state; that is refused instead.
let busy = false;

function enter() {
  if (ex === null) throw new Error('mailsetup: the module is not initialized (call init() or initSync() first)');
  if (busy) throw new Error('mailsetup: called again while reading the input of a call (from a getter?)');
  busy = true;
}

function language(lang) {
  if (lang === undefined || lang === null) return '';
  if (typeof lang !== 'string') throw new Error('the language must be a string such as "de" or "en"');
  return lang;
}

// Makes the buffer at least `need` bytes (the module may move it, and its
// memory may grow: views are renewed by `begin`).
function grow(need) {
  inPtr = ex.wire_input(need);
  inCap = need;
  // The buffer may have moved: nothing of it is known.
  written = 0;
}

function begin() {
  views();
  base = inPtr;
  end = inPtr + inCap;
  at = 0;
  count = 0;
  prefix = written;
}

// Writes the language tag and then the input with `write(x, y)` (a module
// function: a closure per call would be an object per call), growing the
// buffer until it fits, and runs the module on it.
function run(kind, tag, write, x, y) {
  for (;;) {
    begin();
    put(tag);
    write(x, y);
    if (at <= inCap) return finish(kind);
    grow(at);
  }
}

// Runs the module on the `at` bytes written, and returns the findings or
// throws the module's message.
function finish(kind) {
  const status = ex.wire_validate(kind, at);
  views();
  const r = result >>> 2;
  if (status !== 0) throw new Error(utf8.decode(u8.subarray(u32[r], u32[r] + u32[r + 1])));
  return decodeFindings(u32[r], u32[r + 1], u32[r + 2], u32[r + 3]);
}

/**
 * Every finding of a profile, messages in `lang` ("de" when not given).
 * @param {Profile} p
 * @param {Lang | undefined} lang
 * @returns {Finding[]}
 */
export function validateProfile(p, lang) {
  enter();
  try {
    what = 'not a profile: ';
    return run(PROFILE, language(lang), profile, p);
  } finally {
    busy = false;
  }
}

/**
 * Every finding of a settings document (profiles and tenants).
 * @param {Settings} doc
 * @param {Lang | undefined} lang
 * @returns {Finding[]}
 */
export function validateSettings(doc, lang) {
  enter();
  try {
    what = 'not a settings document: ';
    const tag = language(lang);
    if (!isObject(doc)) bad('expected an object');
    return run(SETTINGS, tag, settings, list(doc.profiles, 'profiles'), list(doc.tenants, 'tenants'));
  } finally {
    busy = false;
  }
}

/**
 * One field as typed (`email`, `smtp.host`, `smtp.port`, …: the names of
 * a finding's `field`), e.g. on every keystroke.
 * @param {string} field
 * @param {string} value
 * @param {Lang | undefined} lang
 * @returns {Finding[]}
 */
export function validateField(field, value, lang) {
  enter();
  try {
    what = '';
    const tag = language(lang);
    if (typeof field !== 'string') bad('the field name must be a string');
    if (typeof value !== 'string') bad('the value must be a string');
    return run(FIELD, tag, fieldAndValue, field, value);
  } finally {
    busy = false;
  }
}

function settings(profiles, tenants) {
  put(String(profiles.length));
  for (let i = 0; i < profiles.length; i++) {
    what = `not a settings document: profiles[${i}]: `;
    profile(profiles[i]);
  }
  what = 'not a settings document: ';
  put(String(tenants.length));
  for (let i = 0; i < tenants.length; i++) {
    const t = tenants[i];
    if (!isObject(t)) bad(`\`tenants[${i}]\` must be an object`);
    const path = `tenants[${i}].`;
    text(t.id, path, 'id');
    text(t.name, path, 'name');
    text(t.email, path, 'email');
    text(t.profile, path, 'profile');
  }
}

function fieldAndValue(field, value) {
  put(field);
  put(value);
}

function list(a, key) {
  if (a === undefined || a === null) return [];
  if (!Array.isArray(a)) bad(`\`${key}\` must be an array`);
  return a;
}

let table = [];
let compiled = [];

// The same string as `s`, internalized: used as a property key it needs no
// look-up in V8's string table (a key made by `split` is not).
function internalized(s) {
  return Object.keys({ [s]: 0 })[0];
}

/**
 * Receives, once, from the module: the string table (entries separated by
 * newlines), its memory, its exports and the address of its result block.
 */
export function setTable(joined, mem, exports, resultAt) {
  memory = mem;
  ex = exports;
  result = resultAt;
  u8 = null;
  table = joined.split('\n').map(internalized);
  compiled = new Array(table.length);
  shared = [];
  grow(1024);
}

// A template split at its placeholders: literal, key, literal, …, literal.
function parts(token) {
  // Internalized, the placeholders compare with the parameter keys (from
  // the table) by identity, not character by character.
  return (compiled[token] ??= table[token - 1].split(/\{(\w+)\}/).map(internalized));
}

// The parameters of the finding being decoded, as parallel lists: the
// template is filled from these, not by looking keys up in the object.
const keys = [];
const vals = [];
let npairs = 0;

// A value with a bidi control or a right-to-left letter is isolated
// (FSI … PDI), as the core's `needs_isolation` decides.
const TURNS = /[\u0590-\u08FF\u200E\u200F\u202A-\u202E\u2066-\u2069\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

function render(token, subject) {
  const p = parts(token);
  let out = p[0];
  for (let i = 1; i < p.length; i += 2) {
    const key = p[i];
    let v;
    for (let m = 0; m < npairs; m++) {
      if (keys[m] === key) {
        v = vals[m];
        break;
      }
    }
    if (v === undefined && key === 'subject') v = subject;
    out += (v === undefined ? `{${key}}` : TURNS.test(v) ? `\u2068${v}\u2069` : v) + p[i + 1];
  }
  return out;
}

const utf8 = new TextDecoder();

// Markers of a shared finding (src/wire.rs), and the findings by number.
const SHARED = 0xfffd;
let shared = [];

function deepFreeze(f) {
  Object.freeze(f.params);
  if (f.fix !== undefined) Object.freeze(Object.freeze(f.fix).set);
  return Object.freeze(f);
}

// The call's own texts (decoded on first use) and where the decoder is in
// them. The position in the units is a local of `decodeFindings`: kept
// here, every step through the units was a store to module state.
let texts = '';
let textsAt = 0;
let textsLen = 0;
let tpos = 0;

// A text that is not a table token: `len` UTF-16 units at `start` of input
// value `j`, or, for `j` = 0xffff, the next `hi * 65536 + lo` units of the
// call's own texts.
function refText(j, start, len) {
  if (j !== 0xffff) {
    const v = values[j];
    return start === 0 && len === v.length ? v : v.slice(start, start + len);
  }
  if (textsLen !== 0) {
    texts = utf8.decode(u8.subarray(textsAt, textsAt + textsLen));
    textsLen = 0;
  }
  const n = start * 65536 + len;
  tpos += n;
  return texts.slice(tpos - n, tpos);
}

/**
 * Findings as plain objects, from the module's encoding: `len` units at
 * byte address `ptr`, and `tlen` bytes of texts (UTF-8) at `tptr`, the
 * texts neither in the table nor in the input, one after the other.
 */
export function decodeFindings(ptr, len, tptr, tlen) {
  views();
  const a = u16;
  const tab = table;
  let p = ptr >>> 1;
  const stop = p + len;
  textsAt = tptr;
  textsLen = tlen;
  tpos = 0;
  const out = [];
  // Each text is read the same way: a token k > 0 (one unit), or 0 and a
  // reference (three more).
  let k = 0;
  while (p < stop) {
    // A shared finding (see `Shared` in src/wire.rs): the object built
    // when it came first, or its first coming, to be built and kept.
    let id = -1;
    if (a[p] >= SHARED) {
      if (a[p] === SHARED) {
        out.push(shared[a[p + 1]]);
        p += 2;
        continue;
      }
      id = a[p + 1];
      p += 2;
    }
    const code = tab[a[p] - 1];
    const severity = tab[a[p + 1] - 1];
    p += 2;
    k = a[p];
    const field = k !== 0 ? tab[k - 1] : refText(a[p + 1], a[p + 2], a[p + 3]);
    p += k !== 0 ? 1 : 4;
    const params = {};
    npairs = a[p++];
    for (let m = 0; m < npairs; m++) {
      k = a[p];
      const key = k !== 0 ? tab[k - 1] : refText(a[p + 1], a[p + 2], a[p + 3]);
      p += k !== 0 ? 1 : 4;
      k = a[p];
      const value = k !== 0 ? tab[k - 1] : refText(a[p + 1], a[p + 2], a[p + 3]);
      p += k !== 0 ? 1 : 4;
      params[key] = value;
      keys[m] = key;
      vals[m] = value;
    }
    let fix;
    if (a[p++] !== 0) {
      const set = {};
      for (let n = a[p++]; n > 0; n--) {
        k = a[p];
        const key = k !== 0 ? tab[k - 1] : refText(a[p + 1], a[p + 2], a[p + 3]);
        p += k !== 0 ? 1 : 4;
        k = a[p];
        set[key] = k !== 0 ? tab[k - 1] : refText(a[p + 1], a[p + 2], a[p + 3]);
        p += k !== 0 ? 1 : 4;
      }
      fix = { set };
    }
    const template = a[p];
    const subject = a[p + 1];
    p += 2;
    const message = render(template, subject === 0 ? undefined : tab[subject - 1]);
    const finding = fix ? { code, severity, field, params, fix, message } : { code, severity, field, params, message };
    if (id >= 0) shared[id] = deepFreeze(finding);
    out.push(finding);
  }
  texts = '';
  return out;
}
