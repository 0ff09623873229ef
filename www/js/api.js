// The local service's API: the settings document and the streamed tests.
// The session is an HttpOnly cookie the service set when the page was
// opened with its one-time URL: this code never sees a secret.
import { t } from './i18n.js';

/** A failure of the API, with the service's kind, message and file. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message ?? `${status}`);
    this.status = status;
    this.kind = body.error;
    this.path = body.path;
  }
}

/** The local service did not answer at all (stopped, or the network path gone). */
export class ServiceDown extends Error {
  constructor() {
    super(t('service_down_short'));
    this.kind = 'service_down';
  }
}

// Listeners told whenever a call found the service gone or back.
const watchers = [];
let down = false;
function reachable(ok) {
  if (down === !ok) return;
  down = !ok;
  for (const fn of watchers) fn(ok);
}

/** `fn(ok)` is called when the service stops answering, and when it is back. */
export function onService(fn) { watchers.push(fn); }

/** `fetch`, with a network failure as [`ServiceDown`]; any status is returned. */
export async function send(path, init) {
  let resp;
  try {
    resp = await fetch(path, init);
  } catch {
    reachable(false);
    throw new ServiceDown();
  }
  reachable(true);
  return resp;
}

/** Asks the service every few seconds whether it is still there. */
export function watchService(everyMs = 4000) {
  const ping = () => send('/api/ping', { method: 'GET' }).catch(() => {});
  setInterval(ping, everyMs);
}

export async function api(method, path, body, headers = {}) {
  const resp = await send(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!resp.ok) {
    const text = await resp.text();
    let parsed;
    try { parsed = JSON.parse(text); } catch { parsed = { message: resp.status === 403 ? t('no_token') : `${resp.status} ${text}` }; }
    throw new ApiError(resp.status, parsed);
  }
  return resp;
}

/**
 * Posts a test request and hands each NDJSON event to `onEvent` as it
 * arrives; an `error` event ends it with that error.
 */
export async function streamTest(path, request, onEvent) {
  const resp = await send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (resp.status === 403) throw new Error(t('no_token'));
  if (!resp.ok) throw new Error(`${resp.status} ${await resp.text()}`);
  const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    let chunk;
    // The service stopping mid-test ends the stream with a network error.
    try { chunk = await reader.read(); } catch { reachable(false); throw new ServiceDown(); }
    const { value, done } = chunk;
    if (done) break;
    buffered += value;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.trim()) continue;
      const ev = JSON.parse(line);
      if (ev.event === 'error') throw new Error(ev.error);
      onEvent(ev);
    }
  }
}
