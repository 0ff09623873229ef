// A real OAuth 2.0 / OpenID Connect authorization server for the tests
// (npm oidc-provider, certified), on https://127.0.0.1:<port> with the
// test CA's certificate. PKCE (S256) is required, refresh tokens are issued
// for the mail scope, and device flow, introspection and revocation are on.
//
// Environment: CERT, KEY (PEM files), ACCESS_TTL (seconds, default 3600),
// DOVECOT_SECRET (the introspecting client's secret).
// Prints "listening <port>" when ready.
//
// For tests only, /test/mint?account=A&scope=S makes a grant and its tokens
// without the browser pages (what a completed sign-in would have made), so
// that a test of the mail server alone needs no browser.
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const cert = readFileSync(process.env.CERT);
const key = readFileSync(process.env.KEY);
let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = createServer({ cert, key }, (req, res) => handler(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `https://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'mailsetup-test',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
    },
    {
      client_id: 'dovecot',
      client_secret: process.env.DOVECOT_SECRET ?? 'dovecot-secret',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['openid', 'offline_access', 'smtp.send'],
  pkce: { required: () => true, methods: ['S256'] },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  // A refresh token whenever the client may refresh (real providers differ:
  // Microsoft gives one for offline_access, Google with access_type=offline).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: { AccessToken: Number(process.env.ACCESS_TTL ?? 3600), RefreshToken: 86400, DeviceCode: 600, Grant: 86400, Interaction: 3600, Session: 3600 },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
  loadExistingGrant: async (ctx) => {
    // The consent page once per account and client is enough for tests.
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
  },
});
provider.proxy = false;

// TOKENS_LOG: every secret issued or received (access and refresh tokens,
// codes, PKCE verifiers), one a line, so that a test can look for each in
// what the program printed and saved.
if (process.env.TOKENS_LOG) {
  const { appendFileSync } = await import('node:fs');
  const log = (v) => { if (v) appendFileSync(process.env.TOKENS_LOG, `${v}\n`); };
  for (const event of ['access_token.saved', 'refresh_token.saved', 'authorization_code.saved', 'device_code.saved']) {
    provider.on(event, (token) => log(token.jti));
  }
  provider.on('grant.success', (ctx) => log(ctx.oidc.params?.code_verifier));
}

async function mint(url, res) {
  const account = url.searchParams.get('account');
  const scope = url.searchParams.get('scope') ?? 'openid offline_access smtp.send';
  const client = await provider.Client.find('mailsetup-test');
  const grant = new provider.Grant({ accountId: account, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId: account, client, grantId, scope, gty: 'authorization_code' });
  const rt = new provider.RefreshToken({ accountId: account, client, grantId, scope, gty: 'authorization_code' });
  const body = JSON.stringify({ access_token: await at.save(), refresh_token: await rt.save() });
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

const callback = provider.callback();
handler = (req, res) => {
  const url = new URL(req.url, issuer);
  if (url.pathname === '/test/mint') {
    mint(url, res).catch((e) => { res.statusCode = 500; res.end(String(e)); });
    return;
  }
  callback(req, res);
};
console.log(`listening ${port}`);
