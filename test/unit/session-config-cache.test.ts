import { describe, expect, it } from 'vitest';
import { Caches } from '../../src/deps.ts';
import { loadSession as load } from '../../src/sessions/session.ts';
import type { SessionRow } from '../../storage/repos/sessions.ts';

const row = (id: string, config: unknown, version = 1): SessionRow => ({
  id,
  user_id: 'u1',
  config: JSON.stringify(config),
  config_version: version,
  mcp_token_hash: 'h',
  mcp_token_sealed: 's',
  created_at: 0,
  updated_at: 0,
});

// one app's caches, as Deps holds them
const app = { caches: new Caches() };
const loadSession = (r: SessionRow) => load(app, r);

describe('loadSession', () => {
  it('parses a session config once and shares it, frozen, while the stored text is the same', () => {
    const first = loadSession(row('trs_cache_a', { userId: 'u1', toolkits: { enabled: ['github'] } }));
    const second = loadSession(row('trs_cache_a', { userId: 'u1', toolkits: { enabled: ['github'] } }));
    expect(second.config).toBe(first.config);
    expect(Object.isFrozen(first.config)).toBe(true);
    expect(() => {
      (first.config.toolkits as { enabled: string[] }).enabled.push('gmail');
    }).toThrow(TypeError);
  });

  it('parses again when the stored config changed, whatever its version says', () => {
    const before = loadSession(row('trs_cache_b', { userId: 'u1', toolkits: { enabled: ['github'] } }, 3));
    const after = loadSession(row('trs_cache_b', { userId: 'u1', toolkits: { enabled: ['slack'] } }, 3));
    expect(after.config).not.toBe(before.config);
    expect(after.config.toolkits).toEqual({ enabled: ['slack'] });
  });

  it('keeps a bounded number of configs', () => {
    const oldest = loadSession(row('trs_cache_c0', { userId: 'u1' }));
    for (let i = 1; i <= 1000; i++) loadSession(row(`trs_cache_c${i}`, { userId: 'u1' }));
    // the oldest was dropped: loading it again gives a newly parsed object
    expect(loadSession(row('trs_cache_c0', { userId: 'u1' })).config).not.toBe(oldest.config);
  });
});
