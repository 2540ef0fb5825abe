import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultAuthConfig } from '../../src/services/auth-configs.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    env: { LATCHKEY_OAUTH_GITHUB_CLIENT_ID: 'gh-operator-id', LATCHKEY_OAUTH_GITHUB_CLIENT_SECRET: 'gh-operator-secret-value' },
  });
});
afterAll(() => t.close());

const api = async (path: string, method = 'GET', body?: unknown) => {
  const res = await t.call(path, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('auth configs over REST', () => {
  it('creates managed and custom configs; secrets are sealed at rest and masked on the wire', async () => {
    const managed = await api('/api/v3.1/auth_configs', 'POST', {
      toolkit: { slug: 'github' },
      auth_config: { type: 'use_composio_managed_auth' },
    });
    expect(managed.status).toBe(201);
    expect(managed.body).toMatchObject({ toolkit: { slug: 'github' }, auth_config: { auth_scheme: 'OAUTH2', is_composio_managed: true } });
    expect(managed.body.auth_config.id).toMatch(/^ac_/);

    const custom = await api('/api/v3.1/auth_configs', 'POST', {
      toolkit: { slug: 'github' },
      auth_config: {
        type: 'use_custom_auth',
        authScheme: 'OAUTH2',
        name: 'Our GitHub app',
        credentials: { client_id: 'app-id', client_secret: 'app-secret-abcdef', scopes: 'repo,read:user' },
      },
    });
    expect(custom.status).toBe(201);
    const got = await api(`/api/v3.1/auth_configs/${custom.body.auth_config.id}`);
    expect(got.body).toMatchObject({
      name: 'Our GitHub app',
      type: 'custom',
      status: 'ENABLED',
      credentials: { client_id: 'app-id', client_secret: '••••cdef', scopes: 'repo,read:user' },
    });
    expect(JSON.stringify(got.body)).not.toContain('app-secret-abcdef');
    const row = await t.deps.db
      .selectFrom('auth_configs')
      .selectAll()
      .where('id', '=', custom.body.auth_config.id)
      .executeTakeFirstOrThrow();
    expect(row.credentials_sealed).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('app-secret-abcdef');
  });

  it('refuses a managed OAuth config without an operator app, naming the variables to set', async () => {
    const res = await api('/api/v3.1/auth_configs', 'POST', {
      toolkit: { slug: 'slack' },
      auth_config: { type: 'use_composio_managed_auth' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/LATCHKEY_OAUTH_SLACK_CLIENT_ID and LATCHKEY_OAUTH_SLACK_CLIENT_SECRET/);
    const custom = await api('/api/v3.1/auth_configs', 'POST', {
      toolkit: { slug: 'slack' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: 'x' } },
    });
    expect(custom.status).toBe(400);
    expect(custom.body.error.errors.map((e: any) => e.field)).toEqual(['auth_config.credentials.client_secret']);
    expect((await api('/api/v3.1/auth_configs', 'POST', { toolkit: { slug: 'nope' } })).status).toBe(404);
  });

  it('creates the default config on demand: from the operator app, or for key-based toolkits', async () => {
    const github = await ensureDefaultAuthConfig(t.deps, 'github');
    expect(github.toolkitSlug).toBe('github');
    expect((await ensureDefaultAuthConfig(t.deps, 'github')).id).toBe(github.id);
    const stripe = await ensureDefaultAuthConfig(t.deps, 'stripe');
    expect(stripe).toMatchObject({ authScheme: 'API_KEY', isComposioManaged: true });
    await expect(ensureDefaultAuthConfig(t.deps, 'notion')).rejects.toThrow(/LATCHKEY_OAUTH_NOTION_CLIENT_ID/);
  });

  it('searches names with % and _ taken literally, not as LIKE wildcards, and whatever their case', async () => {
    const names = ['50% off', '5000 off', 'a_b \\ c', 'axb \\ c'];
    for (const name of names) {
      expect(
        (
          await api('/api/v3.1/auth_configs', 'POST', {
            toolkit: { slug: 'sendgrid' },
            auth_config: { type: 'use_custom_auth', name, credentials: {} },
          })
        ).status,
      ).toBe(201);
    }
    const found = async (search: string) =>
      (await api(`/api/v3.1/auth_configs?toolkit_slug=sendgrid&search=${encodeURIComponent(search)}`)).body.items
        .map((i: any) => i.name)
        .sort();
    expect(await found('50%')).toEqual(['50% off']);
    expect(await found('%')).toEqual(['50% off']);
    expect(await found('a_b')).toEqual(['a_b \\ c']);
    expect(await found('_')).toEqual(['a_b \\ c']);
    expect(await found('\\ c')).toEqual(['a_b \\ c', 'axb \\ c']);
    expect(await found('off')).toEqual(['50% off', '5000 off']);
    expect(await found('OfF')).toEqual(['50% off', '5000 off']);
  });

  it('updates with PATCH semantics, lists with filters and pages, disables, enables and deletes', async () => {
    const created = await api('/api/v3.1/auth_configs', 'POST', {
      toolkit: { slug: 'linear' },
      auth_config: { type: 'use_custom_auth', credentials: { client_id: 'lin-id', client_secret: 'lin-secret-1111' } },
    });
    const id = created.body.auth_config.id;
    const patched = await api(`/api/v3.1/auth_configs/${id}`, 'PATCH', { type: 'custom', credentials: { scopes: ['read'] } });
    expect(patched.status).toBe(200);
    expect(patched.body.credentials).toMatchObject({ client_id: 'lin-id', client_secret: '••••1111', scopes: 'read' });
    const renamed = await api(`/api/v3.1/auth_configs/${id}`, 'PATCH', { name: 'Linear prod' });
    expect(renamed.body).toMatchObject({ name: 'Linear prod', credentials: { scopes: 'read', client_secret: '••••1111' } });

    expect((await api(`/api/v3.1/auth_configs/${id}/DISABLED`, 'PATCH')).body).toEqual({ success: true });
    const hidden = await api('/api/v3.1/auth_configs?toolkit_slug=linear');
    expect(hidden.body.items).toHaveLength(0);
    const shown = await api('/api/v3.1/auth_configs?toolkit_slug=linear&show_disabled=true');
    expect(shown.body.items.map((i: any) => i.status)).toEqual(['DISABLED']);
    const link = await api('/api/v3.1/connected_accounts/link', 'POST', { auth_config_id: id, user_id: 'u' });
    expect(link.status).toBe(400);
    expect(link.body.error.slug).toBe('AuthConfig_Disabled');
    await api(`/api/v3.1/auth_configs/${id}/ENABLED`, 'PATCH');

    const page = await api('/api/v3.1/auth_configs?limit=1');
    expect(page.body.items).toHaveLength(1);
    expect(page.body.next_cursor).toBeTruthy();
    const next = await api(`/api/v3.1/auth_configs?limit=1&cursor=${page.body.next_cursor}`);
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);

    expect((await api(`/api/v3.1/auth_configs/${id}`, 'DELETE')).body).toEqual({ success: true });
    expect((await api(`/api/v3.1/auth_configs/${id}`)).status).toBe(404);
  });
});

describe('connected accounts over REST', () => {
  it('lists by comma-joined filters, enables and disables, revokes, reconnects, and never uses a disabled account', async () => {
    const config = await api('/api/v3.1/auth_configs', 'POST', { toolkit: { slug: 'sendgrid' } });
    const authConfigId = config.body.auth_config.id;
    const connect = (user: string, key: string) =>
      api('/api/v3.1/connected_accounts', 'POST', {
        auth_config: { id: authConfigId },
        connection: { user_id: user, state: { authScheme: 'API_KEY', val: { api_key: key } } },
      });
    const a = (await connect('u-a', 'SG.aaaaaaaaaaaaaaaa')).body.id;
    const b = (await connect('u-b', 'SG.bbbbbbbbbbbbbbbb')).body.id;
    const a2 = (await connect('u-a', 'SG.cccccccccccccccc')).body.id;

    const both = await api(`/api/v3.1/connected_accounts?user_ids=${encodeURIComponent('u-a,u-b')}&statuses=ACTIVE&toolkit_slugs=SENDGRID`);
    expect(both.body.total_items).toBe(3);
    const onlyA = await api('/api/v3.1/connected_accounts?user_ids=u-a&order_by=created_at&order_direction=asc');
    expect(onlyA.body.items.map((i: any) => i.id)).toEqual([a, a2]);
    expect((await api('/api/v3.1/connected_accounts?statuses=BOGUS')).status).toBe(400);

    expect((await api(`/api/v3.1/connected_accounts/${a2}/status`, 'PATCH', { enabled: false })).body).toEqual({ success: true });
    const disabled = await api(`/api/v3.1/connected_accounts/${a2}`);
    expect(disabled.body).toMatchObject({ status: 'INACTIVE', is_disabled: true, status_reason: 'Connection status updated by user' });
    const viaDisabled = await api('/api/v3.1/tools/execute/SENDGRID_GET_USER_PROFILE', 'POST', {
      user_id: 'u-a',
      connected_account_id: a2,
      arguments: {},
    });
    expect(viaDisabled.status).toBe(400);
    await api(`/api/v3.1/connected_accounts/${a2}/status`, 'PATCH', { enabled: true });
    expect((await api(`/api/v3.1/connected_accounts/${a2}`)).body).toMatchObject({ status: 'ACTIVE', is_disabled: false });

    const revoked = await api(`/api/v3.1/connected_accounts/${b}/revoke`, 'POST');
    expect(revoked.body).toEqual({ revoked_tokens: ['credential'], connected_account: { id: b, status: 'REVOKED' } });
    const gone = await api(`/api/v3.1/connected_accounts/${b}`);
    expect(gone.body).toMatchObject({ status: 'REVOKED', status_reason: 'Revoked via user-initiated revoke endpoint' });
    expect(gone.body.state.val.api_key).toBeUndefined();
    const useRevoked = await api('/api/v3.1/tools/execute/SENDGRID_GET_USER_PROFILE', 'POST', { user_id: 'u-b', arguments: {} });
    expect(useRevoked.status).toBe(400);

    const reconnect = await api(`/api/v3.1/connected_accounts/${b}/refresh`, 'POST', {});
    expect(reconnect.body).toMatchObject({ id: b, status: 'INITIATED' });
    expect(reconnect.body.redirect_url).toMatch(/\/link\/ln_/);

    expect((await api(`/api/v3.1/connected_accounts/${a}`, 'DELETE')).body).toEqual({ success: true });
    expect((await api(`/api/v3.1/connected_accounts/${a}`)).status).toBe(404);
    expect((await api('/api/v3.1/connected_accounts/ca_missing/status', 'PATCH', { enabled: true })).status).toBe(404);
  });

  it('validates link requests: known user, well-formed callback URL and connection fields', async () => {
    const config = await api('/api/v3.1/auth_configs', 'POST', { toolkit: { slug: 'jira' } });
    const id = config.body.auth_config.id;
    expect((await api('/api/v3.1/connected_accounts/link', 'POST', { auth_config_id: id })).status).toBe(400);
    expect(
      (await api('/api/v3.1/connected_accounts/link', 'POST', { auth_config_id: id, user_id: 'x', callback_url: 'javascript:alert(1)' }))
        .status,
    ).toBe(400);
    const evil = await api('/api/v3.1/connected_accounts/link', 'POST', {
      auth_config_id: id,
      user_id: 'x',
      connection_data: { site: 'evil.com/x#' },
    });
    expect(evil.status).toBe(400);
    expect(evil.body.error.errors[0].field).toBe('connection_data.site');
    const ok = await api('/api/v3/connected_accounts/link', 'POST', {
      auth_config_id: id,
      user_id: 'x',
      connection_data: { site: 'acme' },
    });
    expect(ok.status).toBe(201);
    expect(Date.parse(ok.body.expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
    expect((await api('/api/v3.1/connected_accounts/link', 'POST', { auth_config_id: 'ac_missing', user_id: 'x' })).status).toBe(404);
  });
});
