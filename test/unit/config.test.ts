import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.ts';
import type { Deps } from '../../src/deps.ts';
import { authorizationServerMetadata, protectedResourceMetadata, sessionIdOfResource } from '../../src/grants/metadata.ts';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has a default for everything', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8787',
      publicUrlExplicit: false,
      encryptionKeys: null,
      apiKey: null,
    });
    expect(parseConfig({ LATCHKEY_PUBLIC_URL: 'https://keys.example.com/' })).toMatchObject({
      publicUrl: 'https://keys.example.com',
      publicUrlExplicit: true,
    });
    expect(config.database).toMatchObject({ dialect: 'sqlite', path: expect.stringMatching(/\.latchkey\/latchkey\.db$/) });
  });

  it('names every bad variable at once', () => {
    const found = problems({
      PORT: 'eighty',
      LATCHKEY_PUBLIC_URL: 'not a url',
      LATCHKEY_API_KEY: 'short',
      LATCHKEY_LOG_LEVEL: 'loud',
      LATCHKEY_OAUTH_GITHUB_CLIENT_ID: 'id-only',
      LATCHKEY_ENCRYPTION_KEY: randomBytes(31).toString('base64'),
    });
    const named = found.map((p) => p.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'PORT',
        'LATCHKEY_PUBLIC_URL',
        'LATCHKEY_API_KEY',
        'LATCHKEY_LOG_LEVEL',
        'LATCHKEY_OAUTH_GITHUB_CLIENT_SECRET',
        'LATCHKEY_ENCRYPTION_KEY',
      ]),
    );
    expect(found.find((p) => p.startsWith('LATCHKEY_ENCRYPTION_KEY'))).toMatch(/31 bytes.*exactly 32/);
  });

  it('never echoes a secret value in a problem', () => {
    const key = randomBytes(20).toString('base64');
    const apiKey = 'ak_bad key with spaces';
    const found = problems({ LATCHKEY_ENCRYPTION_KEY: key, LATCHKEY_API_KEY: apiKey }).join('\n');
    expect(found).not.toContain(key);
    expect(found).not.toContain(apiKey);
  });

  it('collects operator OAuth apps by toolkit slug and splits toolkit folders', () => {
    const config = parseConfig({
      LATCHKEY_OAUTH_GITHUB_CLIENT_ID: 'gh-id',
      LATCHKEY_OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
      LATCHKEY_OAUTH_GOOGLE_CALENDAR_CLIENT_ID: 'gc-id',
      LATCHKEY_OAUTH_GOOGLE_CALENDAR_CLIENT_SECRET: 'gc-secret',
      LATCHKEY_TOOLKITS_DIR: '/a:/b',
    });
    expect(config.oauthApps).toEqual({
      github: { clientId: 'gh-id', clientSecret: 'gh-secret' },
      google_calendar: { clientId: 'gc-id', clientSecret: 'gc-secret' },
    });
    expect(config.toolkitsDirs).toEqual(['/a', '/b']);
  });

  it('takes a SQLite path, or PostgreSQL by a postgres:// or postgresql:// URL', () => {
    expect(parseConfig({ LATCHKEY_DATABASE_URL: 'file:/tmp/x.db' }).database).toEqual({ dialect: 'sqlite', path: '/tmp/x.db' });
    for (const url of ['postgres://u:p@db.example:5432/latchkey', 'postgresql://u@h/db', 'postgres:///db?host=/run/postgresql'])
      expect(parseConfig({ LATCHKEY_DATABASE_URL: url }).database).toEqual({ dialect: 'postgres', url });
  });

  it('refuses a PostgreSQL URL it cannot use in one line that does not echo its password', () => {
    for (const url of ['postgres:', 'postgres://', 'postgres:/secret-pw@h/db', 'postgresql://u:secret-pw@[::1/db']) {
      const found = problems({ LATCHKEY_DATABASE_URL: url });
      expect(found).toEqual(['LATCHKEY_DATABASE_URL: not a PostgreSQL URL (postgres://user:password@host:5432/database)']);
      expect(found.join('')).not.toContain('secret-pw');
    }
  });

  it('takes an https verifier URL, and http only to loopback with insecure loopback allowed', () => {
    expect(parseConfig({}).userVerifierUrl).toBeNull();
    expect(parseConfig({ LATCHKEY_USER_VERIFIER_URL: 'https://app.example.com/verify?x=1' }).userVerifierUrl).toBe(
      'https://app.example.com/verify?x=1',
    );
    const loopback = { LATCHKEY_USER_VERIFIER_URL: 'http://127.0.0.1:3000/verify' };
    expect(parseConfig({ ...loopback, LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' }).userVerifierUrl).toBe('http://127.0.0.1:3000/verify');
    expect(problems(loopback)).toEqual([
      'LATCHKEY_USER_VERIFIER_URL: must be https (http only to loopback with LATCHKEY_ALLOW_INSECURE_LOOPBACK=true)',
    ]);
    expect(
      problems({ LATCHKEY_USER_VERIFIER_URL: 'http://app.example.com/verify', LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' }),
    ).toHaveLength(1);
    expect(problems({ LATCHKEY_USER_VERIFIER_URL: 'https://app.example.com/verify#x' })[0]).toMatch(/fragment/);
    expect(problems({ LATCHKEY_USER_VERIFIER_URL: 'javascript:alert(1)' })[0]).toMatch(/^LATCHKEY_USER_VERIFIER_URL: /);
    expect(() => parseConfig(loopback)).toThrow(/^invalid configuration: LATCHKEY_USER_VERIFIER_URL: must be https/);
  });

  it('keeps the public URL in its one canonical spelling, so OAuth resources built from it match what clients send', () => {
    for (const given of ['https://lk.example:443', 'https://LK.example', 'https://lk.example/', 'HTTPS://lk.EXAMPLE:443/']) {
      const config = parseConfig({ LATCHKEY_PUBLIC_URL: given });
      expect(config.publicUrl, given).toBe('https://lk.example');
      // the protected resource a client reads from the metadata is the resource authorize accepts
      const deps = { config } as unknown as Deps;
      const advertised = protectedResourceMetadata(deps, 'trs_abc', 'https://lk.example').resource;
      expect(advertised).toBe('https://lk.example/tool_router/trs_abc/mcp');
      expect(sessionIdOfResource(deps, advertised)).toBe('trs_abc');
      expect(sessionIdOfResource(deps, 'https://LK.example:443/tool_router/trs_abc/mcp')).toBe('trs_abc');
      expect(authorizationServerMetadata(deps).issuer).toBe('https://lk.example');
    }
    expect(parseConfig({ LATCHKEY_PUBLIC_URL: 'http://127.0.0.1:8080' }).publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('refuses a public URL with a path, query or fragment at start-up with one line (latchkey serves from the root)', () => {
    for (const given of [
      'https://lk.example/latchkey',
      'https://lk.example/latchkey/',
      'https://lk.example/?x=1',
      'https://lk.example/#top',
    ]) {
      const found = problems({ LATCHKEY_PUBLIC_URL: given });
      expect(found, given).toHaveLength(1);
      expect(found[0]).toMatch(/^LATCHKEY_PUBLIC_URL: must be an origin only/);
    }
  });
});
