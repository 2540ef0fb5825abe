import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { readJson, validate } from '../http/read-json.ts';
import { getExecution, MAX_LOG_PAGE, searchExecutions } from '../services/log-query.ts';
import type { Condition, ExecutionColumn } from '../services/log-query.ts';
import { executionLogDetailWire, executionLogWire } from './wire/logs.ts';

/** The fields Composio's log search filters on, and the column each reads (`status` and `sandbox_id` are special). */
const FIELD_COLUMNS = {
  tool_slug: 'tool_slug',
  toolkit_slug: 'toolkit_slug',
  connected_account_id: 'connected_account_id',
  auth_config_id: 'auth_config_id',
  user_id: 'user_id',
  session_id: 'session_id',
  request_id: 'request_id',
  log_id: 'id',
  status: 'outcome',
  sandbox_id: 'id',
} as const satisfies Record<string, ExecutionColumn>;

type Field = keyof typeof FIELD_COLUMNS;

const filter = z.object({
  field: z.enum(Object.keys(FIELD_COLUMNS) as [Field, ...Field[]]),
  operator: z.enum(['==', '!=', 'contains', 'not_contains']),
  value: z.string().max(500),
});

const searchBody = z.object({
  limit: z.number().int().min(1).optional(),
  cursor: z.string().max(300).nullable().optional(),
  filters: z.array(filter).max(20).optional(),
  time_range: z.object({ from: z.number().int().min(0), to: z.number().int().min(0) }).optional(),
});

/**
 * A filter as a storage condition. `status` is `success` or `failed` on the wire and an outcome here
 * (failed: anything but success); `sandbox_id` names nothing latchkey has, so `==` matches no row
 * and `!=` every row (no id is empty).
 */
function condition({ field, operator, value }: z.infer<typeof filter>): Condition<ExecutionColumn> {
  const positive: boolean = operator === '==' || operator === 'contains';
  if (field === 'sandbox_id') return { column: 'id', op: positive ? '==' : '!=', value: '' };
  if (field === 'status') {
    const wantsSuccess = value === 'success';
    return { column: 'outcome', op: positive === wantsSuccess ? '==' : '!=', value: 'success' };
  }
  return { column: FIELD_COLUMNS[field], op: operator, value };
}

/** The GET form: equality filters in the query, by Composio's field names. */
const searchQuery = z.object({
  limit: z.coerce.number().int().min(1).optional(),
  cursor: z.string().max(300).optional(),
  from: z.coerce.number().int().min(0).optional(),
  to: z.coerce.number().int().min(0).optional(),
  equals: z.record(z.string(), z.string().max(500)),
});

async function search(deps: Deps, body: z.infer<typeof searchBody>) {
  const page = await searchExecutions(deps, (body.filters ?? []).map(condition), {
    from: body.time_range?.from,
    to: body.time_range?.to,
    cursor: body.cursor,
    limit: Math.min(body.limit ?? 20, MAX_LOG_PAGE),
  });
  return { logs: page.items.map(executionLogWire), next_cursor: page.nextCursor };
}

/** Composio's tool execution logs: `POST …/logs/tool_execution` (what the SDK's `logs.search` sends), its GET form, and one entry. */
export function logRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .post('/logs/tool_execution', async (c) => c.json(await search(deps, await readJson(c, searchBody))))
    .get('/logs/tool_execution', async (c) => {
      const raw = c.req.query();
      const query = validate(searchQuery, { ...raw, equals: raw }, 'query');
      const filters = (Object.keys(FIELD_COLUMNS) as Field[])
        .filter((field) => query.equals[field] !== undefined)
        .map((field) => ({ field, operator: '==' as const, value: query.equals[field]! }));
      const time_range =
        query.from !== undefined || query.to !== undefined ? { from: query.from ?? 0, to: query.to ?? Number.MAX_SAFE_INTEGER } : undefined;
      return c.json(await search(deps, { limit: query.limit, cursor: query.cursor, filters, time_range }));
    })
    .get('/logs/tool_execution/:id', async (c) => {
      const { execution, payload } = await getExecution(deps, c.req.param('id'));
      return c.json(executionLogDetailWire(execution, payload));
    });
}
