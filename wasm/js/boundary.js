// The JS ends of src/boundary.rs, which describes the format.
const text = (v) => (typeof v === 'string' ? v : v == null ? '' : null);
const word = (v) => (v == null ? '' : typeof v === 'string' && v !== '' ? v : null);
const port = (v) => (v == null ? '0' : Number.isInteger(v) && v >= 0 && v <= 4294967295 ? String(v) : null);
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8Encoder = new TextEncoder();

// Writes `t` at `at`: its length in UTF-16 units, a comma, its UTF-8
// bytes. Returns where it ends, or -1 when `into` is too short.
function put(into, at, t) {
  const n = t.length;
  const digits = String(n);
  if (at + digits.length + 1 + n > into.length) return -1;
  for (let k = 0; k < digits.length; k++) into[at++] = digits.charCodeAt(k);
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
  const texts = [lang ?? 'de', text(p.name), text(p.email), word(p.auth)];
  for (const s of p.pop_before_smtp == null ? [p.smtp] : [p.smtp, p.pop_before_smtp]) {
    if (!isObject(s)) return -1;
    texts.push(text(s.host), port(s.port), word(s.security), text(s.username));
  }
  let at = 0;
  let most = 0;
  for (const t of texts) {
    if (t === null) return -1;
    if (at >= 0) at = put(into, at, t);
    most += 11 + 3 * t.length;
  }
  return at < 0 ? most : at;
}

// A BOM is a character of a text like any other.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

// `ascii` (bytes) has every length and the ASCII texts; a length ending in
// `!` is the next text of `other`.
export function decodeFindings(ascii, other) {
  const a = utf8.decode(ascii);
  const b = other.length === 0 ? '' : utf8.decode(other);
  let i = 0;
  let j = 0;
  let c = 0;
  const number = () => {
    let n = 0;
    for (c = a.charCodeAt(i++); c >= 48; c = a.charCodeAt(i++)) n = n * 10 + c - 48;
    return n;
  };
  const next = () => {
    const n = number();
    return c === 44 ? a.slice(i, (i += n)) : b.slice(j, (j += n));
  };
  const pairs = (n) => {
    const o = {};
    for (let k = 0; k < n; k++) o[next()] = next();
    return o;
  };
  const out = [];
  while (i < a.length) {
    const code = next();
    const severity = next();
    const field = next();
    const message = next();
    const params = pairs(number());
    const fix = number();
    out.push(fix === 0
      ? { code, severity, field, params, message }
      : { code, severity, field, params, fix: { set: pairs(fix) }, message });
  }
  return out;
}
