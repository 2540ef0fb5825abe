import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireAbandonedAccounts } from '../../src/services/account-state.ts';
import { TestClock } from '../helpers/live-app.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

const clock = new TestClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    clock,
    env: { LATCHKEY_OAUTH_GITHUB_CLIENT_ID: 'gh-operator-id', LATCHKEY_OAUTH_GITHUB_CLIENT_SECRET: 'gh-operator-secret-value' },
  });
});
afterAll(() => t.close());

const api = async (path: string, body?: unknown) => {
  const res = await t.call(path, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('a connection abandoned past its link lifetime', () => {
  it('reads as EXPIRED at once, in get and in list filters, and only the background pass writes it', async () => {
    const config = await api('/api/v3.1/auth_configs', { toolkit: { slug: 'github' }, auth_config: { type: 'use_composio_managed_auth' } });
    const link = await api('/api/v3.1/connected_accounts/link', { auth_config_id: config.body.auth_config.id, user_id: 'abandoner' });
    const id = link.body.connected_account_id as string;
    // the row as stored: what a read must not change
    const stored = () => t.deps.db.selectFrom('connected_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    const before = (await stored())!;
    expect(before.status).toBe('INITIATED');

    clock.advance(10 * 60_000 + 1000);
    const got = await api(`/api/v3.1/connected_accounts/${id}`);
    expect(got.body).toMatchObject({ status: 'EXPIRED', status_reason: 'Connection initiation did not complete within 10 minutes' });
    const expired = await api('/api/v3.1/connected_accounts?user_ids=abandoner&statuses=EXPIRED');
    expect(expired.body.items.map((a: any) => a.id)).toEqual([id]);
    expect((await api('/api/v3.1/connected_accounts?user_ids=abandoner&statuses=INITIATED')).body.items).toEqual([]);
    // the reads wrote nothing
    expect(await stored()).toEqual(before);

    await expireAbandonedAccounts(t.deps);
    expect(await stored()).toMatchObject({
      status: 'EXPIRED',
      status_reason: 'Connection initiation did not complete within 10 minutes',
      updated_at: before.updated_at,
    });
    expect((await api(`/api/v3.1/connected_accounts/${id}`)).body).toMatchObject({ status: 'EXPIRED', updated_at: got.body.updated_at });
  });
});
