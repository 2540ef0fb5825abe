import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDue } from '../../src/refresh/scheduler.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { databaseContents } from '../helpers/database-contents.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import {
  JWT_LIFETIME_S,
  loginToolkit,
  SERVICE_ACCOUNT_EMAIL,
  SERVICE_ACCOUNT_SCOPES,
  serviceAccountToolkit,
  startLoginServer,
  startServiceAccountServer,
  type LoginServer,
  type ServiceAccountServer,
} from '../fixtures/jwt-schemes.ts';

/**
 * The two modes that trade what the user gives for a token, end to end: connect on the hosted form,
 * a tool call that carries the token, renewal on expiry (and on a 401), clear refusals, and no secret
 * in answers, logs or the database file.
 */
let app: LiveApp;
let gsa: ServiceAccountServer;
let login: LoginServer;
let gsaConfigId: string;
let jwtConfigId: string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  const now = () => app.clock.now();
  gsa = await startServiceAccountServer(now);
  login = await startLoginServer(now, PASSWORD);
  app = await startLiveApp({ toolkits: [serviceAccountToolkit(gsa), loginToolkit(login)], env: { LATCHKEY_REFRESH_INTERVAL_MS: '0' } });
  gsaConfigId = (await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testgsa' } } })).body.auth_config.id;
  jwtConfigId = (await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testjwt' } } })).body.auth_config.id;
}, 60_000);
afterAll(async () => {
  await app.close();
  await gsa.close();
  await login.close();
});

async function link(authConfigId: string, userId: string) {
  const res = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: authConfigId, user_id: userId } });
  expect(res.status).toBe(201);
  return res.body as { redirect_url: string; connected_account_id: string };
}

/** Opens the hosted form and posts it as a browser does (CSRF token and cookie, same origin). */
async function submit(redirectUrl: string, fields: Record<string, string>): Promise<{ status: number; page: string; form: string }> {
  const browser = new FetchBrowser();
  const form = await (await browser.request(redirectUrl)).text();
  const csrf = form.match(/name="csrf_token" value="([^"]+)"/)![1]!;
  const response = await browser.request(redirectUrl, {
    method: 'POST',
    body: new URLSearchParams({ csrf_token: csrf, ...fields }),
    headers: { origin: new URL(redirectUrl).origin, 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: response.status, page: await response.text(), form };
}

const execute = (slug: string, userId: string) => app.api(`/api/v3.1/tools/execute/${slug}`, { body: { user_id: userId, arguments: {} } });
const account = async (id: string) => (await app.api(`/api/v3.1/connected_accounts/${id}`)).body;

function storedAnywhere(needle: string): string[] {
  const inDatabase = databaseContents(app.deps.config).some((bytes) => bytes.includes(Buffer.from(needle, 'utf8')));
  return [...(inDatabase ? ['database'] : []), ...(app.logs.some((line) => line.includes(needle)) ? ['logs'] : [])];
}

describe('GOOGLE_SERVICE_ACCOUNT: a pasted key, exchanged with a signed JWT (RFC 7523)', () => {
  let accountId: string;

  it('connects on the hosted form and calls the API with the token the assertion bought', async () => {
    const pending = await link(gsaConfigId, 'sam');
    accountId = pending.connected_account_id;
    const { status, form } = await submit(pending.redirect_url, { credentials_json: gsa.keyJson() });
    expect(form).toContain('Service account key (JSON)');
    expect(status).toBe(200);
    expect((await account(accountId)).status).toBe('ACTIVE');
    // the assertion: iss = sub = the account, aud = the token endpoint, the toolkit's scopes, at most an hour
    expect(gsa.assertions).toHaveLength(1);
    expect(gsa.assertions[0]).toMatchObject({
      iss: SERVICE_ACCOUNT_EMAIL,
      sub: SERVICE_ACCOUNT_EMAIL,
      aud: gsa.tokenUrl,
      scope: SERVICE_ACCOUNT_SCOPES.join(' '),
      kid: 'kid-0123456789',
    });
    const result = await execute('TESTGSA_LIST_BUCKETS', 'sam');
    expect(result.body).toMatchObject({ successful: true, data: { items: [{ name: 'bucket-a' }], token_number: 1 } });
  });

  it('signs a new assertion for a new token when the token expires', async () => {
    app.clock.advance(3600_000);
    const result = await execute('TESTGSA_LIST_BUCKETS', 'sam');
    expect(result.body).toMatchObject({ successful: true, data: { token_number: 2 } });
    expect(gsa.assertions).toHaveLength(2);
    expect((gsa.assertions[1]!.iat as number) - (gsa.assertions[0]!.iat as number)).toBeGreaterThanOrEqual(3600);
    expect((await account(accountId)).status).toBe('ACTIVE');
  });

  it('is renewed by the background refresher too, before a call has to wait', async () => {
    app.clock.advance(3600_000);
    expect(await refreshDue(app.deps)).toBe(1);
    expect(gsa.assertions).toHaveLength(3);
    const result = await execute('TESTGSA_LIST_BUCKETS', 'sam');
    expect(result.body).toMatchObject({ successful: true, data: { token_number: 3 } });
    expect(gsa.assertions).toHaveLength(3);
  });

  it('refuses a malformed key, one that does not parse, one the token endpoint does not know, and an internal token_uri, each with a clear 400', async () => {
    const form = await submit((await link(gsaConfigId, 'sam2')).redirect_url, { credentials_json: '{"client_email": "robot@x", oops' });
    expect(form.status).toBe(400);
    expect(form.page).toContain('is not a JSON object');

    const initiate = (val: Record<string, string>) =>
      app.api('/api/v3.1/connected_accounts', {
        body: { auth_config: { id: gsaConfigId }, connection: { user_id: 'sam3', state: { authScheme: 'GOOGLE_SERVICE_ACCOUNT', val } } },
      });
    const garbled = await initiate({
      credentials_json: gsa.keyJson({ private_key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' }),
    });
    expect(garbled.status).toBe(400);
    expect(garbled.body.error.message).toMatch(/private_key is not an RSA private key/);
    const stranger = await initiate({ credentials_json: gsa.strangerKeyJson() });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.slug).toBe('ConnectedAccount_CredentialsRejected');
    expect(stranger.body.error.message).toMatch(/refused the service account key: invalid_grant/);
    for (const tokenUri of ['http://169.254.169.254/token', 'https://10.1.2.3/token', 'http://gsa.example.com/token']) {
      const inward = await initiate({ credentials_json: gsa.keyJson({ token_uri: tokenUri }) });
      expect(inward.status, tokenUri).toBe(400);
      expect(inward.body.error.message).toMatch(/token_uri/);
    }
    expect(gsa.assertions).toHaveLength(3); // none of them reached the token endpoint with an assertion it accepted
  });

  it('keeps the key and its tokens out of API answers, logs and the database file', async () => {
    // the canary: the account id is stored in clear, so a scan that finds nothing is a real scan
    expect(storedAnywhere(accountId)).not.toEqual([]);
    const body = JSON.stringify(await account(accountId));
    const privateKey = JSON.parse(gsa.keyJson()).private_key as string;
    const keyLine = privateKey.split('\n')[5]!;
    for (const secret of [keyLine, ...gsa.issued]) {
      expect(body).not.toContain(secret);
      expect(storedAnywhere(secret), secret).toEqual([]);
    }
  });
});

describe('BASIC_WITH_JWT: a username and password exchanged for a JWT at a login endpoint', () => {
  let accountId: string;

  it('says so on the form when the password is wrong, and connects with the right one on the same link', async () => {
    const pending = await link(jwtConfigId, 'dana');
    accountId = pending.connected_account_id;
    const wrong = await submit(pending.redirect_url, { username: 'dana', password: 'wrong password' });
    expect(wrong.status).toBe(400);
    expect(wrong.page).toContain('refused the username and password');
    expect((await account(accountId)).status).toBe('INITIATED');
    const right = await submit(pending.redirect_url, { username: 'dana', password: PASSWORD });
    expect(right.status).toBe(200);
    const connected = await account(accountId);
    expect(connected).toMatchObject({ status: 'ACTIVE', identity: 'dana' });
    const result = await execute('TESTJWT_ME', 'dana');
    expect(result.body).toMatchObject({ successful: true, data: { user: 'dana', login_number: 1 } });
  });

  it('logs in again when the JWT expires (its exp)', async () => {
    app.clock.advance(JWT_LIFETIME_S * 1000);
    const result = await execute('TESTJWT_ME', 'dana');
    expect(result.body).toMatchObject({ successful: true, data: { login_number: 2 } });
  });

  it('logs in again and retries once when the API answers 401', async () => {
    login.revoked.add(login.tokens.at(-1)!);
    const result = await execute('TESTJWT_ME', 'dana');
    expect(result.body).toMatchObject({ successful: true, data: { login_number: 3 } });
  });

  it('waits out a rate limit at the login endpoint (429) without expiring the account', async () => {
    login.failWith = 429;
    app.clock.advance(JWT_LIFETIME_S * 1000);
    const limited = await execute('TESTJWT_ME', 'dana');
    expect(limited.body.successful).not.toBe(true);
    expect(await account(accountId)).toMatchObject({ status: 'ACTIVE' });
    login.failWith = undefined;
    app.clock.advance(3600_000); // past the refresh backoff
    const result = await execute('TESTJWT_ME', 'dana');
    expect(result.body).toMatchObject({ successful: true, data: { login_number: 4 } });
  });

  it('renews a JWT that lives no longer than the refresh margin only when the API refuses it, not on every call', async () => {
    login.lifetimeS = 60;
    login.revoked.add(login.tokens.at(-1)!);
    expect((await execute('TESTJWT_ME', 'dana')).body).toMatchObject({ successful: true, data: { login_number: 5 } });
    for (let i = 0; i < 3; i++)
      expect((await execute('TESTJWT_ME', 'dana')).body).toMatchObject({ successful: true, data: { login_number: 5 } });
    expect(login.logins).toBe(5);
    // back to an hour-long JWT for what follows
    login.lifetimeS = JWT_LIFETIME_S;
    login.revoked.add(login.tokens.at(-1)!);
    expect((await execute('TESTJWT_ME', 'dana')).body).toMatchObject({ successful: true, data: { login_number: 6 } });
  });

  it('turns the account EXPIRED when the password no longer logs in', async () => {
    login.password = 'changed elsewhere';
    app.clock.advance(JWT_LIFETIME_S * 1000);
    const result = await execute('TESTJWT_ME', 'dana');
    expect(result.status).toBe(400);
    expect(result.body.error.message).toMatch(/expired and could not be refreshed/);
    expect(await account(accountId)).toMatchObject({
      status: 'EXPIRED',
      status_reason: expect.stringMatching(/^Permanent auth error during token refresh \(invalid_grant\)/),
    });
  });

  it('keeps the password and the JWTs out of API answers, logs and the database file', async () => {
    expect(storedAnywhere(accountId)).not.toEqual([]);
    const body = JSON.stringify(await account(accountId));
    for (const secret of [PASSWORD, ...login.tokens]) {
      expect(body).not.toContain(secret);
      expect(storedAnywhere(secret), secret.slice(0, 12)).toEqual([]);
    }
  });
});
