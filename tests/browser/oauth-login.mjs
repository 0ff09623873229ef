// Signs in on the test authorization server's pages (oidc-provider's dev
// login and consent) in headless Chromium, as a user would after
// `mailprobe login` printed the address: node oauth-login.mjs URL ACCOUNT [deny].
// The browser trusts the test server's certificate only here; mailprobe
// checks it with the test CA.
import { launch } from './chromium.mjs';

const [url, account, mode] = process.argv.slice(2);
const context = await launch({ width: 1024, height: 768 }, { ignoreHTTPSErrors: true });
const page = await context.newPage();
try {
  await page.goto(url);
  await page.fill('input[name=login]', account);
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The consent page: continue, or abort (denied).
  await page.locator('button[type=submit]').first().waitFor();
  if (mode === 'deny') {
    await page.click('a:has-text("Cancel"), a:has-text("abort"), a[href*=abort]');
  } else {
    await page.click('button[type=submit]');
  }
  await page.waitForURL(/127\.0\.0\.1:\d+\/callback/, { timeout: 15000 });
  console.log('redirected', (await page.textContent('body')).trim());
} finally {
  await context.close();
}
