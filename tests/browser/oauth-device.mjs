// The other device of the device flow (RFC 8628): a browser that opens the
// verification address, types the code and signs in on the test
// authorization server's pages. node oauth-device.mjs URI CODE ACCOUNT
import { launch } from './chromium.mjs';

const [uri, code, account] = process.argv.slice(2);
const context = await launch({ width: 1024, height: 768 }, { ignoreHTTPSErrors: true });
const page = await context.newPage();
try {
  await page.goto(uri);
  await page.fill('input[name=user_code]', code);
  await page.click('button[type=submit]');
  // "Confirm Device": the code shown must be the one the program showed.
  await page.locator(`code:has-text("${code}")`).waitFor();
  await page.click('button[autofocus]');
  await page.fill('input[name=login]', account);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  await page.locator('button[type=submit]').first().waitFor();
  await page.click('button[type=submit]');
  await page.waitForLoadState();
  console.log('done', (await page.textContent('body')).trim().slice(0, 200));
} finally {
  await context.close();
}
