// The JS half of the package's wire format (the Rust half is src/wire.rs).
//
// Why by hand: the profile is validated on every keystroke. Reading a JS
// object field by field from Rust costs one call across the boundary per
// field, and building each finding from Rust one call per property and per
// string; that was 12 of the 17 µs a profile took. Here the JS side reads
// the object in one go, and turns the findings' encoding back into plain
// objects: two crossings per call.
//
// Into the module, values are written straight into a buffer of 16-bit
// units in wasm memory: per value its length (two units) and its UTF-16
// code units. Out of it, findings come as 16-bit units read in place, plus
// one string holding every text that is not in the table the module sends
// once: a text is one unit k > 0 (entry k-1 of the table) or 0 and a length
// in two units (the next that many units of that string). A finding's
// message is its template from the table with the parameters filled in
// here, exactly as the core's `fill_into` does (the wasm tests compare the
// two on the whole e-mail corpus).

// Values are written as they are read: per value its length in two units
// and its UTF-16 code units. `buf` is a view of wasm memory; when it is too
// small, writing stops and the count goes on, so the module learns the size
// it needs.
class Writer {
  constructor(buf) {
    this.buf = buf;
    this.i = 0;
  }

  put(v) {
    const { buf, i } = this;
    const n = v.length;
    if (i + 2 + n <= buf.length) {
      buf[i] = n >>> 16;
      buf[i + 1] = n & 0xffff;
      for (let k = 0; k < n; k++) buf[i + 2 + k] = v.charCodeAt(k);
    }
    this.i = i + 2 + n;
  }

  str(obj, key, path) {
    const v = obj[key];
    if (v === undefined || v === null) this.put('');
    else if (typeof v === 'string') this.put(v);
    else throw new Error(`\`${path}${key}\` must be a string`);
  }

  server(s, path) {
    if (!isObject(s)) throw new Error(`\`${path}\` must be an object`);
    const prefix = `${path}.`;
    this.str(s, 'host', prefix);
    const port = s.port;
    if (port === undefined || port === null) {
      this.put('');
    } else if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 4294967295) {
      throw new Error(`\`${prefix}port\` must be a whole number`);
    } else {
      this.put(String(port));
    }
    this.str(s, 'security', prefix);
    this.str(s, 'username', prefix);
  }

  profile(p) {
    if (!isObject(p)) throw new Error('expected an object');
    if (p.smtp === undefined) throw new Error('missing field `smtp`');
    this.str(p, 'name', '');
    this.str(p, 'email', '');
    this.str(p, 'auth', '');
    this.server(p.smtp, 'smtp');
    const pop = p.pop_before_smtp;
    if (pop === undefined || pop === null) {
      this.put('');
    } else {
      this.put('1');
      this.server(pop, 'pop_before_smtp');
    }
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

// Runs `write`: the number of units written, minus the number needed when
// `buf` is too small, or -1 when the input is bad (takeError says why).
function flatten(buf, write) {
  const w = new Writer(buf);
  try {
    write(w);
  } catch (e) {
    error = e.message;
    return -1;
  }
  return w.i <= buf.length ? w.i : -w.i;
}

/** The language tag and a profile, written into `buf`. */
export function flattenProfile(p, lang, buf) {
  return flatten(buf, (w) => {
    if (lang !== undefined && lang !== null && typeof lang !== 'string') {
      throw new Error('the language must be a string such as "de" or "en"');
    }
    w.put(lang ?? '');
    w.profile(p);
  });
}

/** A settings document (profiles and tenants), written into `buf`. */
export function flattenSettings(doc, buf) {
  return flatten(buf, (w) => {
    if (!isObject(doc)) throw new Error('expected an object');
    const list = (key) => {
      const a = doc[key];
      if (a === undefined || a === null) return [];
      if (!Array.isArray(a)) throw new Error(`\`${key}\` must be an array`);
      return a;
    };
    const profiles = list('profiles');
    const tenants = list('tenants');
    w.put(String(profiles.length));
    profiles.forEach((p, i) => {
      try {
        w.profile(p);
      } catch (e) {
        throw new Error(`profiles[${i}]: ${e.message}`);
      }
    });
    w.put(String(tenants.length));
    tenants.forEach((t, i) => {
      if (!isObject(t)) throw new Error(`\`tenants[${i}]\` must be an object`);
      const path = `tenants[${i}].`;
      for (const key of ['id', 'name', 'email', 'profile']) w.str(t, key, path);
    });
  });
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

/**
 * Findings as plain objects, from the module's encoding: `a` is a view of
 * wasm memory (read before anything else runs in the module), `texts` the
 * texts that are not in the table, one after the other.
 */
export function decodeFindings(a, texts) {
  const out = [];
  let i = 0;
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
  while (i < a.length) {
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
