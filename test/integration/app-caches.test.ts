import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshAccount } from '../../src/refresh/refresh-account.ts';
import { loadSession } from '../../src/sessions/session.ts';
import { sessionTools } from '../../src/sessions/tool-lists.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  [one, two] = await Promise.all([createTestApp(), createTestApp()]);
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
});

describe('two apps in one process', () => {
  it('keep their own refreshes in flight: single flight within an app, never across apps', async () => {
    // the same account id in both (ids are per database): each app must run its own refresh
    const first = refreshAccount(one.deps, 'ca_same_id_in_both');
    const other = refreshAccount(two.deps, 'ca_same_id_in_both');
    expect(other).not.toBe(first);
    expect(refreshAccount(one.deps, 'ca_same_id_in_both')).toBe(first);
    expect(await Promise.all([first, other])).toEqual(['not_refreshable', 'not_refreshable']);
  });

  it('keep their own parsed session configs and the tool lists derived from them', async () => {
    const created = await one.call('/api/v3.1/tool_router/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'u1', toolkits: ['github'] }),
    });
    const row = (await sessionsRepo(one.deps.db).findById(((await created.json()) as { session_id: string }).session_id))!;
    const inOne = loadSession(one.deps, row);
    const inTwo = loadSession(two.deps, row);
    expect(loadSession(one.deps, row).config).toBe(inOne.config);
    expect(inTwo.config).not.toBe(inOne.config);
    expect(inTwo.config).toEqual(inOne.config);
    expect(sessionTools(two.deps, inTwo.config)).not.toBe(sessionTools(one.deps, inOne.config));
  });
});
