// The JS ends of src/boundary.rs (the format is described there).
const text = (v) => (typeof v === 'string' ? v : v == null ? '' : null);
const word = (v) => (v == null ? '' : typeof v === 'string' && v !== '' ? v : null);
const port = (v) => (v == null ? '0' : Number.isInteger(v) && v >= 0 && v <= 4294967295 ? String(v) : null);
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const server = (s, out) => isObject(s) && out.push(text(s.host), port(s.port), word(s.security), text(s.username));

// undefined when a value has the wrong type: the field reader names it.
export function encodeProfile(p) {
  if (!isObject(p) || p.smtp === undefined) return undefined;
  const values = [text(p.name), text(p.email), word(p.auth)];
  if (!server(p.smtp, values)) return undefined;
  const pop = p.pop_before_smtp;
  if (pop != null && !server(pop, values)) return undefined;
  let head = '';
  for (const v of values) {
    if (v === null) return undefined;
    head += v.length + ',';
  }
  return head + '|' + values.join('');
}

export function decodeFindings(s) {
  let i = 0;
  const end = s.indexOf('|');
  let at = end + 1;
  const next = () => {
    let n = 0;
    for (let c = s.charCodeAt(i++); c !== 44; c = s.charCodeAt(i++)) n = n * 10 + c - 48;
    return s.slice(at, (at += n));
  };
  const pairs = (n) => {
    const o = {};
    for (let k = 0; k < n; k++) o[next()] = next();
    return o;
  };
  const out = [];
  while (i < end) {
    const code = next();
    const severity = next();
    const field = next();
    const message = next();
    const params = pairs(+next());
    const fix = next();
    out.push(fix === ''
      ? { code, severity, field, params, message }
      : { code, severity, field, params, fix: { set: pairs(+fix) }, message });
  }
  return out;
}
