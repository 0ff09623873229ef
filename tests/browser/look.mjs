// Screenshots against reference images, and axe-core's WCAG 2.1 A/AA rules,
// for the look tests (look.test.mjs).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

const here = dirname(fileURLToPath(import.meta.url));
export const REFERENCES = join(here, 'screenshots');
const artifacts = process.env.ARTIFACTS ?? join(here, '..', '..', 'artifacts');
const update = process.env.UPDATE_SCREENSHOTS === '1';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Anti-aliasing and sub-pixel text differ a little between runs; a state
// that changed differs by far more (a moved field is thousands of pixels).
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFFERENT = 0.002;

/**
 * Compares a full-page screenshot with tests/browser/screenshots/NAME.png.
 * `mask`: selectors of what differs from run to run (timings, temporary
 * paths), painted over. UPDATE_SCREENSHOTS=1 writes the references instead.
 */
export async function matchScreenshot(page, name, mask = []) {
  const shot = await page.screenshot({
    fullPage: true, animations: 'disabled', caret: 'hide',
    mask: mask.map((s) => page.locator(s)), maskColor: '#ff00ff',
  });
  const reference = join(REFERENCES, `${name}.png`);
  if (update) {
    mkdirSync(REFERENCES, { recursive: true });
    writeFileSync(reference, shot);
    return;
  }
  assert.ok(existsSync(reference), `no reference image ${reference}: run the look test with UPDATE_SCREENSHOTS=1 and check the images in`);
  const want = PNG.sync.read(readFileSync(reference));
  const got = PNG.sync.read(shot);
  mkdirSync(artifacts, { recursive: true });
  const keep = () => writeFileSync(join(artifacts, `${name}.actual.png`), shot);
  if (want.width !== got.width || want.height !== got.height) {
    keep();
    assert.fail(`${name}: ${got.width}×${got.height} instead of ${want.width}×${want.height} (artifacts/${name}.actual.png)`);
  }
  const diff = new PNG({ width: want.width, height: want.height });
  const different = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: PIXEL_THRESHOLD });
  const share = different / (want.width * want.height);
  if (share > MAX_DIFFERENT) {
    keep();
    writeFileSync(join(artifacts, `${name}.diff.png`), PNG.sync.write(diff));
    assert.fail(`${name}: ${different} pixels (${(share * 100).toFixed(2)} %) differ from the reference (artifacts/${name}.diff.png)`);
  }
}

/** axe-core's WCAG 2.1 A and AA rules: every violation, described. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`);
}

/** Asserts no axe violation. */
export async function assertAccessible(page, state) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `${state}: ${violations.join('\n')}`);
}
