// Debian's Chromium for the browser tests: headless, in a fresh profile
// directory, with nothing that would reach beyond loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// Names other than loopback resolve to nothing, so no page (the test
// authorization server's dev pages load web fonts) reaches beyond.
const LOOPBACK_ONLY = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost';

/** `options.ignoreHTTPSErrors`: only for the test authorization server's pages. */
export function launch(viewport, options = {}) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'mailsetup-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', LOOPBACK_ONLY],
  });
}
