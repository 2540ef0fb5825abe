import { Composio, logger } from '@composio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCompatStack, type CompatStack } from './stack.ts';

/**
 * `composio.logs` of the published @composio/core 0.21 against latchkey: the executions an app made
 * come back through `logs.search` and `logs.get` in the shapes the SDK validates (it warns on a shape
 * it does not expect), with their outcome, and without the credential they ran with.
 */
const API_KEY_CREDENTIAL = 'key-alpha-123456';
let stack: CompatStack;
let composio: Composio;

beforeAll(async () => {
  stack = await startCompatStack({ LATCHKEY_LOG_PAYLOADS: 'all' });
  composio = new Composio({ apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true });
});
afterAll(() => stack.close());

describe('logs', () => {
  it('search (filters, time range, cursor) and get: a tool execution with its outcome, no schema warning, no secret', async () => {
    const warnings: string[] = [];
    logger.configure({ sink: { ...console, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')) } });
    try {
      const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
      const connection = await composio.connectedAccounts.initiate('lola', config.id, {
        config: { authScheme: 'API_KEY', val: { api_key: API_KEY_CREDENTIAL, region: 'eu' } } as never,
      });
      const since = Date.now() - 1000;
      const ok = await composio.tools.execute('TESTKEY_WHOAMI', { userId: 'lola', arguments: {}, dangerouslySkipVersionCheck: true });
      expect(ok.successful).toBe(true);
      // a user with no account: a failed execution
      await composio.tools
        .execute('TESTKEY_WHOAMI', { userId: 'nobody', arguments: {}, dangerouslySkipVersionCheck: true })
        .catch(() => undefined);

      const { logs, nextCursor } = await composio.logs.search({
        filters: [
          { field: 'user_id', operator: '==', value: 'lola' },
          { field: 'toolkit_slug', operator: '==', value: 'testkey' },
        ],
        timeRange: { from: since, to: Date.now() + 1000 },
      });
      expect(nextCursor).toBeNull();
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        type: 'tool.execution',
        status: 'success',
        level: 'info',
        metadata: {
          tool_slug: 'TESTKEY_WHOAMI',
          user_id: 'lola',
          connected_account_id: connection.id,
          outcome: 'success',
          upstream_status: 200,
        },
        parent: null,
      });

      const failed = await composio.logs.search({ filters: [{ field: 'status', operator: '==', value: 'failed' }] });
      expect(failed.logs.map((l) => l.metadata.user_id)).toContain('nobody');
      expect(failed.logs.every((l) => l.status === 'failed')).toBe(true);

      // pages of one, newest first, through the cursor
      const first = await composio.logs.search({ limit: 1 });
      expect(first.logs).toHaveLength(1);
      const second = await composio.logs.search({ limit: 1, cursor: first.nextCursor });
      expect(second.logs[0]!.id).not.toBe(first.logs[0]!.id);

      // the execute answer's log id is that execution's entry
      expect(ok.logId).toBe(logs[0]!.id);
      const detail = await composio.logs.get(logs[0]!.id);
      expect(detail).toMatchObject({ id: logs[0]!.id, status: 'success', timings: { startTime: expect.any(Number) } });
      expect(detail.data).toMatchObject({ arguments: {}, result: { account: { region: 'eu' } } });
      expect(JSON.stringify([logs, failed, detail])).not.toContain(API_KEY_CREDENTIAL);
      expect(warnings).toEqual([]);
    } finally {
      logger.configure({ sink: console });
    }
  });

  it('an unknown log id is a 404, and the logs need the project key', async () => {
    await expect(composio.logs.get('log_unknown')).rejects.toThrow();
    const res = await fetch(`${stack.app.url}/api/v3.1/logs/tool_execution`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});
