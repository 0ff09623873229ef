// The JS half of the package's wire format (the Rust half is src/wire.rs).
//
// Why by hand: the profile is validated on every keystroke. Reading a JS
// object field by field from Rust costs one call across the boundary per
// field, and building each finding from Rust one call per property and per
// string; that was 12 of the 17 µs a profile took. Here the JS side reads
// the object in one go into one string, and turns one string of findings
// back into plain objects: two crossings per call.
//
// Strings travel as a length in UTF-16 code units (two chars of 15 bits
// each) followed by the text. In findings, a string may instead be a
// single char k > 0: entry k-1 of the table the module sends once. A
// finding's message is its template from the table with the parameters
// filled in here, exactly as the core's `fill_into` does (the wasm tests
// compare the two on the whole e-mail corpus).

const wire = (s) => String.fromCharCode(s.length >>> 15, s.length & 0x7fff) + s;

function str(obj, key, path) {
  const v = obj[key];
  if (v === undefined || v === null) return wire('');
  if (typeof v !== 'string') throw new Error(`\`${path}${key}\` must be a string`);
  return wire(v);
}

function isObject(v) {
  return typeof v === 'object' && v !== null;
}

function server(s, path) {
  if (!isObject(s)) throw new Error(`\`${path}\` must be an object`);
  const prefix = `${path}.`;
  const port = s.port;
  let portText = '';
  if (port !== undefined && port !== null) {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 4294967295) {
      throw new Error(`\`${prefix}port\` must be a whole number`);
    }
    portText = String(port);
  }
  return str(s, 'host', prefix) + wire(portText) + str(s, 'security', prefix) + str(s, 'username', prefix);
}

function profile(p) {
  if (!isObject(p)) throw new Error('expected an object');
  if (p.smtp === undefined) throw new Error('missing field `smtp`');
  const pop = p.pop_before_smtp;
  const hasPop = pop !== undefined && pop !== null;
  return (
    str(p, 'name', '') +
    str(p, 'email', '') +
    str(p, 'auth', '') +
    server(p.smtp, 'smtp') +
    (hasPop ? wire('1') + server(pop, 'pop_before_smtp') : wire(''))
  );
}

/** A profile as one string, or an Error naming the first field of the wrong type. */
export function flattenProfile(p) {
  return profile(p);
}

/** A settings document (profiles and tenants) as one string. */
export function flattenSettings(doc) {
  if (!isObject(doc)) throw new Error('expected an object');
  const list = (key) => {
    const a = doc[key];
    if (a === undefined || a === null) return [];
    if (!Array.isArray(a)) throw new Error(`\`${key}\` must be an array`);
    return a;
  };
  const profiles = list('profiles');
  const tenants = list('tenants');
  let out = wire(String(profiles.length));
  profiles.forEach((p, i) => {
    try {
      out += profile(p);
    } catch (e) {
      throw new Error(`profiles[${i}]: ${e.message}`);
    }
  });
  out += wire(String(tenants.length));
  tenants.forEach((t, i) => {
    if (!isObject(t)) throw new Error(`\`tenants[${i}]\` must be an object`);
    const path = `tenants[${i}].`;
    out += str(t, 'id', path) + str(t, 'name', path) + str(t, 'email', path) + str(t, 'profile', path);
  });
  return out;
}

let table = [];
let compiled = [];

/** Receives the string table (entries separated by newlines), once. */
export function setTable(joined) {
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

/** Findings as plain objects, from the module's encoding. */
export function decodeFindings(s) {
  const out = [];
  let i = 0;
  const text = () => {
    const t = s.charCodeAt(i++);
    if (t !== 0) return table[t - 1];
    const n = (s.charCodeAt(i) << 15) | s.charCodeAt(i + 1);
    const v = s.slice(i + 2, i + 2 + n);
    i += 2 + n;
    return v;
  };
  const pairs = () => {
    const o = {};
    for (let n = s.charCodeAt(i++); n > 0; n--) {
      const k = text();
      o[k] = text();
    }
    return o;
  };
  while (i < s.length) {
    const code = text();
    const severity = text();
    const field = text();
    const params = pairs();
    const fix = s.charCodeAt(i++) === 0 ? undefined : { set: pairs() };
    const template = s.charCodeAt(i++);
    const subject = s.charCodeAt(i++);
    const message = render(template, params, subject === 0 ? undefined : table[subject - 1]);
    out.push(fix ? { code, severity, field, params, fix, message } : { code, severity, field, params, message });
  }
  return out;
}
