// The JS half of the package's wire format (the Rust half is src/wire.rs).
//
// Why by hand: the profile is validated on every keystroke. Reading a JS
// object field by field from Rust costs one call across the boundary per
// field, and building each finding from Rust one call per property and per
// string; that was 12 of the 17 µs a profile took. Here the JS side reads
// the object in one go, and turns the findings' encoding back into plain
// objects: two crossings per call.
//
// Into the module, values are written straight into a buffer in wasm
// memory: per value its length in bytes (four) and its UTF-8. Out of it,
// findings come as 16-bit units read in place. A text is one unit k > 0
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
    u16 = new Uint16Array(memory.buffer);
    u8 = new Uint8Array(memory.buffer);
  }
}

// Where the buffer being written starts and ends (byte addresses), and the
// count so far (module state: a writer object per call showed in the
// benchmark).
let base = 0;
let end = 0;
let at = 0;
const utf8in = new TextEncoder();

// The values written for the current call, in order: the module refers to
// texts found in them instead of sending them back.
const values = [];
let count = 0;

// Writes a value: its length in bytes (four, little endian) and its UTF-8,
// ASCII by hand and the rest with encodeInto. When it may not fit (three
// bytes per UTF-16 unit at most), nothing is written and the count goes on
// with that bound, so the module learns a size that will do.
function put(v) {
  const n = v.length;
  const i = base + at;
  values[count++] = v;
  if (i + 4 + 3 * n > end) {
    at += 4 + 3 * n;
    return;
  }
  const b = u8;
  let w = i + 4;
  let k = 0;
  for (; k < n; k++) {
    const c = v.charCodeAt(k);
    if (c >= 0x80) break;
    b[w++] = c;
  }
  if (k < n) {
    w += utf8in.encodeInto(k === 0 ? v : v.slice(k), u8.subarray(w, end)).written;
    // The module sees a lone surrogate as U+FFFD; a reference back to this
    // value must give what the module saw.
    if (v.isWellFormed !== undefined && !v.isWellFormed()) values[count - 1] = v.toWellFormed();
  }
  const len = w - i - 4;
  b[i] = len & 0xff;
  b[i + 1] = (len >>> 8) & 0xff;
  b[i + 2] = (len >>> 16) & 0xff;
  b[i + 3] = len >>> 24;
  at = w - base;
}

// Each value is read by its own property access: with the key in a
// variable (`obj[key]`) the lookup was generic and showed in the benchmark.
function text(v, path) {
  if (typeof v === 'string') put(v);
  else if (v === undefined || v === null) put('');
  else throw new Error(`\`${path}\` must be a string`);
}

function server(s, path, prefix) {
  if (!isObject(s)) throw new Error(`\`${path}\` must be an object`);
  text(s.host, `${prefix}host`);
  const port = s.port;
  if (port === undefined || port === null) {
    put('');
  } else if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 4294967295) {
    throw new Error(`\`${prefix}port\` must be a whole number`);
  } else {
    put(String(port));
  }
  text(s.security, `${prefix}security`);
  text(s.username, `${prefix}username`);
}

function profile(p) {
  if (!isObject(p)) throw new Error('expected an object');
  if (p.smtp === undefined) throw new Error('missing field `smtp`');
  text(p.name, 'name');
  text(p.email, 'email');
  text(p.auth, 'auth');
  server(p.smtp, 'smtp', 'smtp.');
  const pop = p.pop_before_smtp;
  if (pop === undefined || pop === null) {
    put('');
  } else {
    put('1');
    server(pop, 'pop_before_smtp', 'pop_before_smtp.');
  }
}

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

let error = '';

/** The message of the last bad input. */
export function takeError() {
  return error;
}

// Runs `write` into the buffer at byte address `ptr`, `cap` bytes long:
// the number of bytes written, minus a number that will do when the buffer
// is too small, or -1 when the input is bad (takeError says why).
function flatten(ptr, cap, write) {
  views();
  base = ptr;
  end = ptr + cap;
  at = 0;
  count = 0;
  try {
    write();
  } catch (e) {
    error = e.message;
    return -1;
  }
  return at <= cap ? at : -at;
}

/** The language tag and a profile, written into the buffer at `ptr`. */
export function flattenProfile(p, lang, ptr, cap) {
  return flatten(ptr, cap, () => {
    if (lang !== undefined && lang !== null && typeof lang !== 'string') {
      throw new Error('the language must be a string such as "de" or "en"');
    }
    put(lang ?? '');
    profile(p);
  });
}

/** A settings document (profiles and tenants), written into the buffer at `ptr`. */
export function flattenSettings(doc, ptr, cap) {
  return flatten(ptr, cap, () => {
    if (!isObject(doc)) throw new Error('expected an object');
    const list = (key) => {
      const a = doc[key];
      if (a === undefined || a === null) return [];
      if (!Array.isArray(a)) throw new Error(`\`${key}\` must be an array`);
      return a;
    };
    const profiles = list('profiles');
    const tenants = list('tenants');
    put(String(profiles.length));
    profiles.forEach((p, i) => {
      try {
        profile(p);
      } catch (e) {
        throw new Error(`profiles[${i}]: ${e.message}`);
      }
    });
    put(String(tenants.length));
    tenants.forEach((t, i) => {
      if (!isObject(t)) throw new Error(`\`tenants[${i}]\` must be an object`);
      const path = `tenants[${i}].`;
      text(t.id, `${path}id`);
      text(t.name, `${path}name`);
      text(t.email, `${path}email`);
      text(t.profile, `${path}profile`);
    });
  });
}

let table = [];
let compiled = [];

// The same string as `s`, internalized: used as a property key it needs no
// look-up in V8's string table (a key made by `split` is not).
function internalized(s) {
  return Object.keys({ [s]: 0 })[0];
}

/** Receives the string table (entries separated by newlines) and the module's memory, once. */
export function setTable(joined, mem) {
  memory = mem;
  table = joined.split('\n').map(internalized);
  compiled = new Array(table.length);
}

// A template split at its placeholders: literal, key, literal, …, literal.
function parts(token) {
  return (compiled[token] ??= table[token - 1].split(/\{(\w+)\}/));
}

// The parameters of the finding being decoded, as parallel lists: the
// template is filled from these, not by looking keys up in the object.
const keys = [];
const vals = [];
let npairs = 0;

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
    out += (v === undefined ? `{${key}}` : v) + p[i + 1];
  }
  return out;
}

const utf8 = new TextDecoder();

// The decoder's state: the units, where it is in them, the texts of the
// call (decoded on first use) and where it is in those.
let a = null;
let pos = 0;
let texts = '';
let textsAt = 0;
let textsLen = 0;
let tpos = 0;

function nextText() {
  const k = a[pos++];
  if (k !== 0) return table[k - 1];
  const j = a[pos];
  const x = a[pos + 1];
  const y = a[pos + 2];
  pos += 3;
  if (j !== 0xffff) {
    const v = values[j];
    return x === 0 && y === v.length ? v : v.slice(x, x + y);
  }
  if (textsLen !== 0) {
    texts = utf8.decode(u8.subarray(textsAt, textsAt + textsLen));
    textsLen = 0;
  }
  const n = x * 65536 + y;
  tpos += n;
  return texts.slice(tpos - n, tpos);
}

function pairs(record) {
  const o = {};
  for (let n = a[pos++]; n > 0; n--) {
    const k = nextText();
    const v = nextText();
    o[k] = v;
    if (record) {
      keys[npairs] = k;
      vals[npairs++] = v;
    }
  }
  return o;
}

/**
 * Findings as plain objects, from the module's encoding: `len` units at
 * byte address `ptr`, and `tlen` bytes of texts (UTF-8) at `tptr`, the
 * texts neither in the table nor in the input, one after the other.
 */
export function decodeFindings(ptr, len, tptr, tlen) {
  views();
  a = u16;
  pos = ptr >>> 1;
  textsAt = tptr;
  textsLen = tlen;
  tpos = 0;
  const stop = pos + len;
  const out = [];
  while (pos < stop) {
    const code = table[a[pos] - 1];
    const severity = table[a[pos + 1] - 1];
    pos += 2;
    const field = nextText();
    npairs = 0;
    const params = pairs(true);
    const fix = a[pos++] === 0 ? undefined : { set: pairs(false) };
    const template = a[pos];
    const subject = a[pos + 1];
    pos += 2;
    const message = render(template, subject === 0 ? undefined : table[subject - 1]);
    out.push(fix ? { code, severity, field, params, fix, message } : { code, severity, field, params, message });
  }
  texts = '';
  return out;
}
