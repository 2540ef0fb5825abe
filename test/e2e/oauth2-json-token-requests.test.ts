import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { approveAuthorizations, startFakeUpstream, type FakeUpstream, type RecordedRequest } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

/**
 * `token_request_body: "json"`: a provider whose token and revocation endpoints take only a JSON body
 * with HTTP Basic client authentication, as Notion documents its `/v1/oauth/token` and
 * `/v1/oauth/revoke`. The code exchange, the refresh after a 401 and the revocation on delete all
 * reach it as JSON; the same provider refuses the form RFC 6749 sends by default.
 */
let provider: FakeUpstream;
let app: LiveApp;
// Notion's client ids are UUIDs and its secrets start with `secret_`; like Notion, this provider compares
// the Basic credentials as they are, without form-decoding them
const CLIENT_ID = '1f2e3d4c-5b6a-4789-8abc-def012345678';
const CLIENT_SECRET = 'secret_AbC-123.xyz~';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

function jsonOnly(req: RecordedRequest): Record<string, string> | undefined {
  if (req.headers['content-type'] !== 'application/json' || req.headers.authorization !== BASIC) return undefined;
  try {
    return JSON.parse(req.body);
  } catch {
    return undefined;
  }
}

const refuse = (res: import('node:http').ServerResponse) => {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: 'invalid_request', error_description: 'body failed validation: a JSON body is required' }));
};

function toolkit(slug: string, body: 'json' | undefined) {
  return {
    slug,
    name: slug,
    description: 'A provider whose token endpoints take JSON only',
    base_url: `${provider.url}/api`,
    auth_schemes: [
      {
        mode: 'OAUTH2',
        authorization_url: `${provider.url}/authorize`,
        token_url: `${provider.url}/token`,
        revocation_url: `${provider.url}/revoke`,
        pkce: false,
        token_endpoint_auth: 'client_secret_basic',
        ...(body ? { token_request_body: body } : {}),
        inject: { headers: { Authorization: 'Bearer {{access_token}}' } },
      },
    ],
    tools: [
      {
        slug: `${slug.toUpperCase()}_ME`,
        name: 'me',
        description: 'Returns who the token of the JSON-only test provider belongs to.',
        tags: ['readOnlyHint'],
        input_parameters: { type: 'object', properties: {} },
        request: { method: 'GET', path: '/me' },
        source: { docs: 'https://docs.example.com/me' },
      },
    ],
  };
}

beforeAll(async () => {
  provider = await startFakeUpstream();
  approveAuthorizations(provider, 'code-123');
  provider.on('/token', (req, res) => {
    const body = jsonOnly(req);
    if (!body) return refuse(res);
    const fresh = body.grant_type === 'refresh_token' && body.refresh_token === 'rt-1';
    if (!fresh && !(body.grant_type === 'authorization_code' && body.code === 'code-123')) return refuse(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: fresh ? 'at-2' : 'at-1', refresh_token: 'rt-1', token_type: 'bearer', expires_in: 3600 }));
  });
  provider.on('/revoke', (req, res) => {
    if (!jsonOnly(req)?.token) return refuse(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ request_id: 'r-1' }));
  });
  // the first token is already dead at the API: the call refreshes and retries
  provider.on('/api/me', (req, res) => {
    const ok = req.headers.authorization === 'Bearer at-2';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { name: 'Nina' } : { code: 'unauthorized' }));
  });
  app = await startLiveApp({ toolkits: [toolkit('jsontoken', 'json'), toolkit('formtoken', undefined)] });
});
afterAll(async () => {
  await app.close();
  await provider.close();
});

async function connect(slug: string) {
  const config = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: CLIENT_ID, client_secret: CLIENT_SECRET } },
    },
  });
  const link = await app.api('/api/v3.1/connected_accounts/link', {
    body: { auth_config_id: config.body.auth_config.id, user_id: 'nina' },
  });
  await new FetchBrowser().follow(link.body.redirect_url);
  return (await app.api(`/api/v3.1/connected_accounts/${link.body.connected_account_id}`)).body;
}

describe('token_request_body: json', () => {
  it('exchanges the code, refreshes and revokes with JSON bodies and Basic client authentication', async () => {
    const account = await connect('jsontoken');
    expect(account.status).toBe('ACTIVE');
    const exchange = provider.requests.find((r) => r.url === '/token')!;
    expect(JSON.parse(exchange.body)).toMatchObject({ grant_type: 'authorization_code', code: 'code-123' });

    const result = await app.api('/api/v3.1/tools/execute/JSONTOKEN_ME', { body: { user_id: 'nina', arguments: {} } });
    expect(result.body).toMatchObject({ successful: true, data: { name: 'Nina' } });
    const refresh = provider.requests.filter((r) => r.url === '/token').at(-1)!;
    expect(JSON.parse(refresh.body)).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1' });

    expect((await app.api(`/api/v3.1/connected_accounts/${account.id}`, { method: 'DELETE' })).status).toBe(200);
    const revocations = provider.requests.filter((r) => r.url === '/revoke');
    expect(revocations.map((r) => JSON.parse(r.body))).toEqual([{ token: 'rt-1' }, { token: 'at-2' }]);
    expect(revocations.every((r) => r.headers['content-type'] === 'application/json' && r.headers.authorization === BASIC)).toBe(true);
  });

  it('without it the same provider refuses the form, and the connection fails', async () => {
    const account = await connect('formtoken');
    expect(account.status).toBe('FAILED');
    const last = provider.requests.filter((r) => r.url === '/token').at(-1)!;
    expect(last.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
  });
});
