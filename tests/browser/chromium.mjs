// Debian's Chromium for the browser tests: headless, in a fresh profile
// directory, with nothing that would reach beyond loopback.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export function launch(viewport) {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'mailsetup-chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
