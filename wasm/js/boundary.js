// The JS ends of src/boundary.rs, which describes the format.
const text = (v) => (typeof v === 'string' ? v : v == null ? '' : null);
const word = (v) => (v == null ? '' : typeof v === 'string' && v !== '' ? v : null);
const port = (v) => (v == null ? '0' : Number.isInteger(v) && v >= 0 && v <= 4294967295 ? String(v) : null);
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const put = (t) => t.length + ',' + t;

// undefined when a value has the wrong type: the field reader names it.
export function encodeProfile(p, lang) {
  if (!isObject(p) || (lang != null && typeof lang !== 'string')) return undefined;
  const texts = [lang ?? 'de', text(p.name), text(p.email), word(p.auth)];
  for (const s of p.pop_before_smtp == null ? [p.smtp] : [p.smtp, p.pop_before_smtp]) {
    if (!isObject(s)) return undefined;
    texts.push(text(s.host), port(s.port), word(s.security), text(s.username));
  }
  let out = '';
  for (const t of texts) {
    if (t === null) return undefined;
    out += put(t);
  }
  return out;
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
