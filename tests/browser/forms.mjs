// Filling the wizard's form in the browser tests: the test user of the
// test Dovecot (tests/support, USER), on the server and port given.

/** Fills in a profile that logs in as the test user at `host`:`port` with `password`. */
export async function fillProfile(page, { name = 'Praxis Müller', host, port, security = 'tls', password }) {
  await page.fill('#name', name);
  await page.fill('#email', 'info@praxis-mueller.de');
  await page.fill('#smtp-host', host);
  await page.fill('#smtp-port', String(port));
  await page.selectOption('#smtp-security', security);
  await page.fill('#smtp-username', 'info@praxis-mueller.de');
  await page.fill('#password', password);
}
