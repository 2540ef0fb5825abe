import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryOf, refreshAccount, REFRESH_REASONS } from '../../src/refresh/refresh-account.ts';
import { refreshRepo } from '../../storage/repos/refresh.ts';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort, startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { oauthToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { webhookReceiver } from '../fixtures/webhook-receiver.ts';
import { until } from '../helpers/wait.ts';

/**
 * Refresh policy with the real authorization server behind a switchable gateway: the gateway passes
 * token requests through, or stands in for an outage with 503s.
 */
let as: TestAuthServer;
let api: FakeUpstream;
let gateway: FakeUpstream;
let app: LiveApp;
let receiver: ReturnType<typeof webhookReceiver>;
let authConfigId: string;
const outage = { on: false, hits: 0 };
const rejectNext = { count: 0 };
/** holds the next token request until the test answers it: passed through, or refused with invalid_grant */
const stall: { next: null | { reached: () => void; answer: Promise<'pass' | 'invalid_grant'> } } = { next: null };

beforeAll(async () => {
  const port = await freePort();
  as = await startAuthServer({ redirectUris: [`http://127.0.0.1:${port}/api/v3/toolkits/auth/callback`] });
  api = await startFakeUpstream();
  gateway = await startFakeUpstream();
  gateway.on('/token', async (req, res) => {
    outage.hits += 1;
    const stalled = stall.next;
    stall.next = null;
    stalled?.reached();
    if ((await stalled?.answer) === 'invalid_grant') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_grant"}');
      return;
    }
    if (outage.on) {
      res.writeHead(503);
      res.end('maintenance');
      return;
    }
    const upstream = await fetch(`${as.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']), authorization: String(req.headers.authorization ?? '') },
      body: req.body,
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(await upstream.text());
  });
  serveTestApis(api, as, new Set());
  // registered after serveTestApis so it takes precedence: the API refuses a token once on demand, as a provider does when it revoked a token early
  api.on('/me', async (req, res) => {
    if (rejectNext.count > 0) {
      rejectNext.count -= 1;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_token"}');
      return;
    }
    const found = await as.introspect(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
    res.writeHead(found.active ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(found.active ? { login: found.sub } : { error: 'invalid_token' }));
  });
  receiver = webhookReceiver(api);
  const toolkit = oauthToolkit(as, api);
  toolkit.auth_schemes[0]!.token_url = `${gateway.url}/token`;
  app = await startLiveApp({ port, toolkits: [toolkit], env: { LATCHKEY_REFRESH_INTERVAL_MS: '0', LATCHKEY_WEBHOOK_INTERVAL_MS: '100' } });
  const config = await app.api('/api/v3.1/auth_configs', {
    body: {
      toolkit: { slug: 'testoauth' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: as.clientId, client_secret: as.clientSecret } },
    },
  });
  authConfigId = config.body.auth_config.id;
});
afterAll(async () => {
  await app.close();
  await gateway.close();
  await api.close();
  await as.close();
});

async function connect(user: string) {
  as.decide.account = user;
  const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: authConfigId, user_id: user } });
  await new FetchBrowser().follow(link.body.redirect_url);
  return link.body.connected_account_id as string;
}

const row = (id: string) => app.deps.db.selectFrom('connected_accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('refresh policy', () => {
  it('reads expires_in, an absolute expires_at (seconds or ms), or neither', () => {
    expect(expiryOf(60, undefined, 1_000)).toBe(61_000);
    expect(expiryOf(undefined, 2_000_000_000, 0)).toBe(2_000_000_000_000);
    expect(expiryOf(undefined, 2_000_000_000_000, 0)).toBe(2_000_000_000_000);
    expect(expiryOf(undefined, '2030-01-01T00:00:00Z', 0)).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(expiryOf(undefined, undefined, 0)).toBeNull();
  });

  it('refreshes once and retries once when the API answers 401', async () => {
    await connect('pia');
    const refreshesBefore = as.tokenCalls.filter((c) => c.grant_type === 'refresh_token').length;
    rejectNext.count = 1;
    const result = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'pia', arguments: {} } });
    expect(result.body).toMatchObject({ successful: true, data: { login: 'pia' } });
    expect(as.tokenCalls.filter((c) => c.grant_type === 'refresh_token').length).toBe(refreshesBefore + 1);
    // a second 401 after the retry is reported, not retried forever
    rejectNext.count = 2;
    const twice = await app.api('/api/v3.1/tools/execute/TESTOAUTH_GET_ME', { body: { user_id: 'pia', arguments: {} } });
    expect(twice.body.successful).toBe(false);
    expect(twice.body.error).toMatch(/HTTP 401/);
    rejectNext.count = 0;
  });

  it('backs off on a provider outage without marking the account, and does not hammer the provider during the cooldown', async () => {
    const id = await connect('quin');
    outage.on = true;
    const hits = outage.hits;
    expect(await refreshAccount(app.deps, id, { force: true })).toBe('backoff');
    const after = await row(id);
    expect(after).toMatchObject({ status: 'ACTIVE', refresh_failures: 1 });
    expect(after.next_refresh_at).toBeGreaterThan(Date.now());
    expect(outage.hits).toBe(hits + 1);
    // due again within the cooldown: the scheduler's kind of call does not reach the provider
    await app.deps.db
      .updateTable('connected_accounts')
      .set({ expires_at: Date.now() - 1000 })
      .where('id', '=', id)
      .execute();
    expect(await refreshAccount(app.deps, id)).toBe('backoff');
    expect(outage.hits).toBe(hits + 1);
    // the outage ends: the next try after the cooldown succeeds and clears the failure count
    outage.on = false;
    app.clock.advance(31_000);
    expect(await refreshAccount(app.deps, id)).toBe('refreshed');
    app.clock.offset = 0;
    expect(await row(id)).toMatchObject({ status: 'ACTIVE', refresh_failures: 0, next_refresh_at: null });
  });

  it('expires an account that keeps failing for a day, with the documented reason and an event', async () => {
    await app.api('/api/v3.1/webhook_subscriptions', {
      body: { webhook_url: receiver.url, enabled_events: ['composio.connected_account.expired', 'composio.connected_account.failed'] },
    });
    const id = await connect('rhea');
    outage.on = true;
    try {
      for (let i = 0; i < 10; i++) {
        app.clock.advance(4 * 3_600_000);
        await refreshAccount(app.deps, id, { force: true });
      }
    } finally {
      // the clock stays advanced: the event was written at the advanced time and is due from then on
      outage.on = false;
    }
    expect(await row(id)).toMatchObject({ status: 'EXPIRED', status_reason: REFRESH_REASONS.MAX_FAILURES });
    const hook = await until('the expired event', async () => receiver.state.received.find((r) => r.accountId === id), 10_000);
    expect(hook.type).toBe('composio.connected_account.expired');
  });

  it('discards the outcome of a refresh whose lease lapsed and was taken over: no tokens overwritten, no event', async () => {
    // (a subscription to expired events exists since the test above)
    for (const answer of ['pass', 'invalid_grant'] as const) {
      const id = await connect(`tess-${answer}`);
      const before = await row(id);
      let reached!: () => void;
      let answerWith!: (a: typeof answer) => void;
      const atProvider = new Promise<void>((r) => (reached = r));
      stall.next = { reached, answer: new Promise((r) => (answerWith = r)) };
      const refreshing = refreshAccount(app.deps, id, { force: true });
      await atProvider;
      // the provider is slow past the lease's TTL, and another holder takes the lease over
      await app.deps.db.updateTable('refresh_leases').set({ expires_at: 0 }).where('account_id', '=', id).execute();
      expect(await refreshRepo(app.deps.db).acquireLease(id, 'lease_other', Date.now(), 20_000)).toBe(true);
      answerWith(answer);
      expect(await refreshing, answer).toBe('fresh');
      expect(await row(id), answer).toMatchObject({
        status: 'ACTIVE',
        credentials_sealed: before.credentials_sealed,
        refresh_failures: 0,
      });
      const events = await app.deps.db.selectFrom('webhook_outbox').select('event_type').where('account_id', '=', id).execute();
      expect(events, answer).toEqual([]);
      expect(await refreshRepo(app.deps.db).releaseLease(id, 'lease_other')).toBe(true);
    }
  });

  it('announces a failed connection (denied consent), to a receiver whose 2xx answer is a large page', async () => {
    receiver.state.pageBytes = 1024 * 1024;
    as.decide.next = 'deny';
    const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: authConfigId, user_id: 'sol' } });
    await new FetchBrowser().follow(link.body.redirect_url);
    as.decide.next = 'approve';
    const hook = await until(
      'the failed event',
      async () => receiver.state.received.find((r) => r.accountId === link.body.connected_account_id),
      10_000,
    );
    expect(hook.type).toBe('composio.connected_account.failed');
    // marked delivered on its first attempt, not retried for ever because the answer was large
    const outboxRow = await until(
      'the delivery marked done',
      async () =>
        app.deps.db
          .selectFrom('webhook_outbox')
          .selectAll()
          .where('event_id', '=', hook.id)
          .where('delivered_at', 'is not', null)
          .executeTakeFirst(),
      10_000,
    );
    expect(outboxRow.attempts).toBe(1);
    receiver.state.pageBytes = 0;
  });
});

describe('webhook subscriptions over REST', () => {
  it('creates (secret shown once), lists, updates, rotates the secret, lists event types, and deletes', async () => {
    const types = await app.api('/api/v3.1/webhook_subscriptions/event_types');
    expect(types.body.items.map((t: any) => t.event_type)).toContain('composio.connected_account.expired');
    const created = await app.api('/api/v3.1/webhook_subscriptions', {
      body: { webhook_url: 'https://hooks.example.com/in', enabled_events: ['composio.connected_account.expired'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 'V3', enabled_events: ['composio.connected_account.expired'] });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;
    const got = await app.api(`/api/v3.1/webhook_subscriptions/${id}`);
    expect(got.body.secret).toMatch(/^••••/);
    expect(got.body.secret.slice(-4)).toBe(created.body.secret.slice(-4));
    const updated = await app.api(`/api/v3.1/webhook_subscriptions/${id}`, {
      method: 'PATCH',
      body: { enabled_events: ['composio.connected_account.expired', 'composio.connected_account.active'] },
    });
    expect(updated.body.enabled_events).toHaveLength(2);
    const rotated = await app.api(`/api/v3.1/webhook_subscriptions/${id}/rotate_secret`, { body: {} });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(
      (
        await app.api('/api/v3.1/webhook_subscriptions', {
          body: { webhook_url: 'ftp://x', enabled_events: ['composio.connected_account.expired'] },
        })
      ).status,
    ).toBe(400);
    expect(
      (await app.api('/api/v3.1/webhook_subscriptions', { body: { webhook_url: 'https://x.example', enabled_events: ['nope'] } })).status,
    ).toBe(400);
    const list = await app.api('/api/v3.1/webhook_subscriptions');
    expect(list.body.items.some((i: any) => i.id === id)).toBe(true);
    expect((await app.api(`/api/v3.1/webhook_subscriptions/${id}`, { method: 'DELETE' })).body).toMatchObject({ success: true });
    expect((await app.api(`/api/v3.1/webhook_subscriptions/${id}`)).status).toBe(404);
  });
});
