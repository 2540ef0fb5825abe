import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Caches } from '../../src/deps.ts';
import { getSession } from '../../src/sessions/session.ts';
import type { Storage } from '../../storage/db.ts';
import { sessionsRepo } from '../../storage/repos/sessions.ts';
import { openTempStorage } from '../helpers/temp-storage.ts';

let storage: Storage;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ storage, close } = await openTempStorage());
});
afterAll(() => close());

// one app's caches, as Deps holds them
const app = { caches: new Caches() };

/** Stores the session (or its new config, keeping the version) and loads it as a request would. */
async function loadSession(id: string, config: unknown, version = 1) {
  const repo = sessionsRepo(storage.db);
  if (!(await repo.updateIfVersion(id, version, { config }))) {
    await repo.insert({
      id,
      userId: 'u1',
      config,
      configVersion: version,
      mcpTokenHash: `h-${id}`,
      mcpTokenSealed: 's',
      createdAt: 0,
      updatedAt: 0,
    });
  }
  return getSession({ db: storage.db, caches: app.caches }, id);
}

describe('loadSession', () => {
  it('parses a session config once and shares it, frozen, while the stored text is the same', async () => {
    const first = await loadSession('trs_cache_a', { userId: 'u1', toolkits: { enabled: ['github'] } });
    const second = await loadSession('trs_cache_a', { userId: 'u1', toolkits: { enabled: ['github'] } });
    expect(second.config).toBe(first.config);
    expect(Object.isFrozen(first.config)).toBe(true);
    expect(() => {
      (first.config.toolkits as { enabled: string[] }).enabled.push('gmail');
    }).toThrow(TypeError);
  });

  it('parses again when the stored config changed, whatever its version says', async () => {
    const before = await loadSession('trs_cache_b', { userId: 'u1', toolkits: { enabled: ['github'] } }, 3);
    const after = await loadSession('trs_cache_b', { userId: 'u1', toolkits: { enabled: ['slack'] } }, 3);
    expect(after.config).not.toBe(before.config);
    expect(after.config.toolkits).toEqual({ enabled: ['slack'] });
  });

  it('keeps a bounded number of configs', async () => {
    const oldest = await loadSession('trs_cache_c0', { userId: 'u1' });
    for (let i = 1; i <= 1000; i++) await loadSession(`trs_cache_c${i}`, { userId: 'u1' });
    // the oldest was dropped: loading it again gives a newly parsed object
    expect((await loadSession('trs_cache_c0', { userId: 'u1' })).config).not.toBe(oldest.config);
  });
});
