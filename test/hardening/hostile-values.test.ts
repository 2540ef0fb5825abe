import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * Values a database may refuse where SQLite stores anything: a NUL character (PostgreSQL refuses it in
 * text) and values far longer than an index entry takes. Each is the caller's 400 (or an ordinary
 * 404), never a 500, and a hostile value logged beside honest calls costs none of their log rows.
 * Runs on both backends (LATCHKEY_TEST_BACKEND).
 */
let t: TestApp;
beforeAll(async () => void (t = await createTestApp()));
afterAll(() => t.close());

const json = (method: string, body?: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body),
});

/** Tool executions the logs API finds for a slug (a read flushes the waiting rows first). */
async function loggedCalls(toolSlug: string): Promise<number> {
  const res = await t.call(
    '/api/v3.1/logs/tool_execution',
    json('POST', { filters: [{ field: 'tool_slug', operator: '==', value: toolSlug }] }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { logs: unknown[] }).logs.length;
}

describe('values a database may refuse', () => {
  it('answers a NUL in ids, filters and bodies without a 5xx, refusals in the error envelope', async () => {
    const answers = [
      await t.call('/api/v3.1/connected_accounts/ca_%00x'),
      await t.call('/api/v3.1/auth_configs/ac_%00x'),
      await t.call('/api/v3.1/logs/tool_execution/log_%00x'),
      await t.call('/api/v3.1/logs/tool_execution', json('POST', { filters: [{ field: 'user_id', operator: '==', value: 'a\u0000b' }] })),
      await t.call('/api/v3.1/tool_router/session', json('POST', { user_id: 'a\u0000b' })),
    ];
    // SQLite stores a NUL like any character (a lookup finds nothing, a filter matches nothing); PostgreSQL
    // refuses it (400). Neither answers 5xx, and every refusal is in the envelope.
    for (const res of answers) {
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expect(((await res.json()) as { error: { code: number } }).error.code).toBeGreaterThan(0);
    }
    expect(answers.slice(0, 3).every((res) => res.status === 400 || res.status === 404)).toBe(true);
  });

  it('keeps the log rows of honest calls made beside a tool slug with a NUL or of 4,000 characters', async () => {
    const honest = 'GITHUB_NOT_A_REAL_TOOL';
    const execute = (slug: string) => t.call(`/api/v3.1/tools/execute/${slug}`, json('POST', { user_id: 'u1', arguments: {} }));
    // the three land in one batch of the buffered log
    for (const slug of [honest, 'X%00Y', 'Y'.repeat(4000)]) expect((await execute(slug)).status).toBeLessThan(500);
    expect(await loggedCalls(honest)).toBe(1);
    // the hostile ones are kept too, as the database can hold them: NUL replaced, cut short
    expect(await loggedCalls('X\uFFFDY')).toBe(1);
    expect(await loggedCalls('Y'.repeat(200))).toBe(1);
  });
});
