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
// findings come as 16-bit units read in place, plus one string holding
// every text that is not in the table the module sends once: a text is one
// unit k > 0 (entry k-1 of the table) or 0 and a length in two units (the
// next that many UTF-16 units of that string). A finding's
// message is its template from the table with the parameters filled in
// here, exactly as the core's `fill_into` does (the wasm tests compare the
// two on the whole e-mail corpus).

// Values are written as they are read.

// The module's memory, and views of it made anew only when it has grown
// (a view per call showed in the benchmark).
let memory = null;
let u16 = null;
let u8 = null;

function views() {
  if (u16 === null || u16.buffer !== memory.buffer) {
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

// Writes a value: its length in bytes (four, little endian) and its UTF-8,
// ASCII by hand and the rest with encodeInto. When it may not fit (three
// bytes per UTF-16 unit at most), nothing is written and the count goes on
// with that bound, so the module learns a size that will do.
function put(v) {
  const n = v.length;
  const i = base + at;
  if (i + 4 + 3 * n > end) {
    at += 4 + 3 * n;
    return;
  }
  let w = i + 4;
  let k = 0;
  for (; k < n; k++) {
    const c = v.charCodeAt(k);
    if (c >= 0x80) break;
    u8[w++] = c;
  }
  if (k < n) w += utf8in.encodeInto(k === 0 ? v : v.slice(k), u8.subarray(w, end)).written;
  const len = w - i - 4;
  u8[i] = len & 0xff;
  u8[i + 1] = (len >>> 8) & 0xff;
  u8[i + 2] = (len >>> 16) & 0xff;
  u8[i + 3] = len >>> 24;
  at = w - base;
}

function str(obj, key, path) {
  const v = obj[key];
  if (typeof v === 'string') put(v);
  else if (v === undefined || v === null) put('');
  else throw new Error(`\`${path}${key}\` must be a string`);
}

function server(s, path, prefix) {
  if (!isObject(s)) throw new Error(`\`${path}\` must be an object`);
  str(s, 'host', prefix);
  const port = s.port;
  if (port === undefined || port === null) {
    put('');
  } else if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 4294967295) {
    throw new Error(`\`${prefix}port\` must be a whole number`);
  } else {
    put(String(port));
  }
  str(s, 'security', prefix);
  str(s, 'username', prefix);
}

function profile(p) {
  if (!isObject(p)) throw new Error('expected an object');
  if (p.smtp === undefined) throw new Error('missing field `smtp`');
  str(p, 'name', '');
  str(p, 'email', '');
  str(p, 'auth', '');
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
      for (const key of ['id', 'name', 'email', 'profile']) str(t, key, path);
    });
  });
}

let table = [];
let compiled = [];

/** Receives the string table (entries separated by newlines) and the module's memory, once. */
export function setTable(joined, mem) {
  memory = mem;
  table = joined.split('\n');
  compiled = new Array(table.length);
}

// A template split at its placeholders: literal, key, literal, …, literal.
function parts(token) {
  return (compiled[token] ??= table[token - 1].split(/\{(\w+)\}/));
}

function render(token, params, subject) {
  const p = parts(token);
  let out = p[0];
  for (let i = 1; i < p.length; i += 2) {
    const key = p[i];
    let v = params[key];
    if (v === undefined && key === 'subject') v = subject;
    out += (v === undefined ? `{${key}}` : v) + p[i + 1];
  }
  return out;
}

const utf8 = new TextDecoder();

/**
 * Findings as plain objects, from the module's encoding: `len` units at
 * byte address `ptr`, and `textsLen` bytes of texts (UTF-8) at `textsPtr`,
 * the texts not in the table, one after the other.
 */
export function decodeFindings(ptr, len, textsPtr, textsLen) {
  views();
  const a = u16;
  const texts = textsLen === 0 ? '' : utf8.decode(u8.subarray(textsPtr, textsPtr + textsLen));
  const out = [];
  const stop = (ptr >>> 1) + len;
  let i = ptr >>> 1;
  let t = 0;
  const text = () => {
    const k = a[i++];
    if (k !== 0) return table[k - 1];
    const n = a[i] * 65536 + a[i + 1];
    i += 2;
    t += n;
    return texts.slice(t - n, t);
  };
  const pairs = () => {
    const o = {};
    for (let n = a[i++]; n > 0; n--) {
      const k = text();
      o[k] = text();
    }
    return o;
  };
  while (i < stop) {
    const code = text();
    const severity = text();
    const field = text();
    const params = pairs();
    const fix = a[i++] === 0 ? undefined : { set: pairs() };
    const template = a[i++];
    const subject = a[i++];
    const message = render(template, params, subject === 0 ? undefined : table[subject - 1]);
    out.push(fix ? { code, severity, field, params, fix, message } : { code, severity, field, params, message });
  }
  return out;
}
