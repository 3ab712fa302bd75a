// panva's oidc-provider (OpenID Certified) for the tests, on loopback, in its default
// conformant mode: code flow, claims asked for by scope only from UserInfo (the ID token
// carries sub, at_hash, nonce and the like), its own login and consent pages
// (devInteractions: any login name, any password). Started by
// tests/support/certified_provider.py; PORT, CLIENT_ID and CLIENT_SECRET come from the
// environment.
//
// What a login name gives (findAccount): an opaque (pairwise) `sub`, and
//   12 digits        -> the Swedish OIDC profile's personal identity number claim
//   SE + digits/-..  -> an HSA-id claim (employeeHsaId)
//   anything else    -> email (verified)
//
// Three things a real provider does that tests need to bring about, on loopback only:
//   POST /__test/redirect-uri  (body: "CLIENT_ID URI") registers a client of the site (secret
//                              CLIENT_SECRET) and its redirect URI; one host per client, as
//                              pairwise subjects want
//   POST /__test/rotate                        a new signing key (new kid); the old one is gone
//   POST /__test/clock         (body: seconds) moves the provider's clock (a wrong clock)
import { createHash, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';
const HSA_ID = 'employeeHsaId';
const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;

const realNow = Date.now;
let clockOffset = 0;
Date.now = () => realNow() + clockOffset * 1000;

const redirectUris = new Map([[process.env.CLIENT_ID, []]]);
let signingKey = newKey();

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
}

function claimsOf(login) {
  const claims = { sub: login };
  if (/^\d{12}$/.test(login)) {
    claims[PNR] = login;
  } else if (/^SE[0-9A-Z-]+$/.test(login)) {
    claims[HSA_ID] = login;
  } else {
    claims.email = login;
    claims.email_verified = true;
  }
  claims.name = 'Test Person';
  return claims;
}

function build() {
  const provider = new Provider(issuer, {
    clients: [...redirectUris].map(([clientId, uris]) => ({
      client_id: clientId,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: uris.length ? [...uris] : [`${issuer}/nowhere`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      subject_type: 'pairwise',
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: ['mm-test-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      'https://id.oidc.se/scope/naturalPersonNumber': [PNR],
      'https://id.oidc.se/scope/hsaId': [HSA_ID],
    },
    async findAccount(ctx, id) {
      return { accountId: id, claims: async () => claimsOf(id) };
    },
    // Pairwise subjects: the `sub` the site sees is opaque, never the login name (which may
    // be a personnummer), as the Swedish OIDC profile recommends.
    subjectTypes: ['public', 'pairwise'],
    async pairwiseIdentifier(ctx, accountId, client) {
      return createHash('sha256').update(`${client.sectorIdentifier} ${accountId}`).digest('hex');
    },
  });
  // Requests come from loopback only; the default logs every interaction otherwise.
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  return provider.callback();
}

let handler = build();

function body(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
  });
}

const control = {
  '/__test/redirect-uri': async (text) => {
    const [clientId, uri] = text.split(' ');
    const uris = redirectUris.get(clientId) ?? [];
    if (!uris.includes(uri)) uris.push(uri);
    redirectUris.set(clientId, uris);
    handler = build();
  },
  '/__test/rotate': async () => {
    signingKey = newKey();
    handler = build();
  },
  '/__test/clock': async (text) => {
    clockOffset = Number(text) || 0;
  },
};

http
  .createServer(async (req, res) => {
    const action = req.method === 'POST' ? control[req.url] : undefined;
    if (action) {
      await action((await body(req)).trim());
      res.writeHead(204).end();
      return;
    }
    handler(req, res);
  })
  .listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
