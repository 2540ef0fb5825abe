import { describe, expect, it } from 'vitest';
import { createLogger, unredacted } from '../../src/log.ts';
import { captureLogs } from '../helpers/logs.ts';

describe('the logger', () => {
  it('writes the access line through the unredacted logger, and still redacts every other line', async () => {
    const { lines, sink } = captureLogs();
    const log = createLogger('info', sink);
    const access = unredacted(log);
    access.info({ request_id: 'req_1', method: 'POST', path: '/tool_router/trs_1/mcp', status: 200, ms: 3 }, 'request');
    log.info({ body: { token: 'tok_secret_value', password: 'hunter2hunter2' } }, 'a call site that slipped');
    await new Promise((resolve) => setImmediate(resolve));
    const [line, other] = lines.map((l) => JSON.parse(l));
    expect(line).toMatchObject({ service: 'latchkey', msg: 'request', request_id: 'req_1', path: '/tool_router/trs_1/mcp', status: 200 });
    expect(other.body).toEqual({ token: '[redacted]', password: '[redacted]' });
    expect(lines.join('\n')).not.toContain('tok_secret_value');
  });
});
