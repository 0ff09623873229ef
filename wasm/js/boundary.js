// The JS ends of src/boundary.rs, which describes the format.
const text = (v) => (typeof v === 'string' ? v : v == null ? '' : null);
const word = (v) => (v == null ? '' : typeof v === 'string' && v !== '' ? v : null);
const port = (v) => (v == null ? '0' : Number.isInteger(v) && v >= 0 && v <= 4294967295 ? String(v) : null);
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8Encoder = new TextEncoder();

// Writes `n`'s digits at `at`; returns where they end.
function digits(into, at, n) {
  if (n >= 10) at = digits(into, at, Math.floor(n / 10));
  into[at++] = 48 + (n % 10);
  return at;
}

// Writes `t` at `at`: its length in UTF-16 units, a comma, its UTF-8
// bytes. Returns where it ends, or -1 when `into` is too short.
function put(into, at, t) {
  const n = t.length;
  if (at + 11 + n > into.length) return -1;
  at = digits(into, at, n);
  into[at++] = 44;
  for (let k = 0; k < n; k++) {
    const c = t.charCodeAt(k);
    if (c > 0x7f) {
      const { read, written } = utf8Encoder.encodeInto(k === 0 ? t : t.slice(k), into.subarray(at));
      return read === n - k ? at + written : -1;
    }
    into[at++] = c;
  }
  return at;
}

// Writes the profile into `into` (format in src/boundary.rs) and returns
// its length: a larger one than `into` has when it does not fit, and -1
// when a value has the wrong type (the field reader names it).
export function encodeProfile(p, lang, into) {
  if (!isObject(p) || (lang != null && typeof lang !== 'string')) return -1;
  const s = p.smtp;
  const q = p.pop_before_smtp;
  if (!isObject(s) || (q != null && !isObject(q))) return -1;
  const texts = [lang ?? 'de', text(p.name), text(p.email), word(p.auth),
    text(s.host), port(s.port), word(s.security), text(s.username)];
  if (q != null) texts.push(text(q.host), port(q.port), word(q.security), text(q.username));
  let at = 0;
  let most = 0;
  for (const t of texts) {
    if (t === null) return -1;
    if (at >= 0) at = put(into, at, t);
    most += 11 + 3 * t.length;
  }
  return at < 0 ? most : at;
}

// The names of src/boundary.rs: a text sent as `n#` is the n-th. Given
// once, before the first findings are read, and never changed.
let names = null;
export function setNames(list) {
  names = list.split(',');
}

// A BOM is a character of a text like any other.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// Reads `bytes`: every length and the ASCII texts up to `asciiEnd`; a
// length ending in `!` is the next text after it. A class, not closures
// over the positions: V8 keeps closed-over variables that change in a heap
// context, and reading through one took a fifth longer.
class Reader {
  constructor(bytes, asciiEnd) {
    this.s = utf8.decode(bytes);
    this.i = 0;
    this.j = asciiEnd;
    this.c = 0;
  }

  // A number in base 64, its digits `0` to `o`, and what ends it.
  number() {
    const s = this.s;
    let i = this.i;
    let n = 0;
    let c = s.charCodeAt(i++);
    for (; c >= 48; c = s.charCodeAt(i++)) n = n * 64 + c - 48;
    this.i = i;
    this.c = c;
    return n;
  }

  text() {
    const n = this.number();
    if (this.c === 44) return this.s.slice(this.i, (this.i += n));
    if (this.c === 33) return this.s.slice(this.j, (this.j += n));
    return names[n];
  }

  pairs(n) {
    const o = {};
    for (let k = 0; k < n; k++) {
      const key = this.text();
      o[key] = this.text();
    }
    return o;
  }
}

// The findings in `bytes`, or null when the names are not known yet.
export function decodeFindings(bytes, asciiEnd) {
  if (names === null) return null;
  const r = new Reader(bytes, asciiEnd);
  const out = [];
  while (r.i < asciiEnd) {
    const code = r.text();
    const severity = r.text();
    const field = r.text();
    const message = r.text();
    const params = r.pairs(r.number());
    const fix = r.number();
    out.push(fix === 0
      ? { code, severity, field, params, message }
      : { code, severity, field, params, fix: { set: r.pairs(fix) }, message });
  }
  return out;
}
