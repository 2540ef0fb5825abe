import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { activityLogRepo, type Condition, type EventColumn, type ExecutionColumn } from '../../storage/repos/activity-log.ts';
import type { AuditEvent, ToolExecution } from '../../storage/domain.ts';
import { flushExecutionLog, openPayload } from './execution-log.ts';

export type { AuditEvent, Condition, ExecutionColumn, ToolExecution };

/**
 * Reading the execution and audit log, for the REST API (Composio's logs) and a console: filters,
 * a time range, newest first, keyset pages. A read first writes this process's waiting rows, so a
 * caller sees the calls it just made.
 */
export const MAX_LOG_PAGE = 100;

export type LogKind = 'tool_execution' | 'connection' | 'admin';

/** The console's filters; each is an exact match. */
export interface LogFilter {
  userId?: string;
  toolkit?: string;
  tool?: string;
  /** success, error, blocked, … for tool executions; the action (`connected_account.expired`) for events */
  outcome?: string;
  accountId?: string;
  sessionId?: string;
  from?: number;
  to?: number;
}

export interface LogPage<T> {
  items: T[];
  nextCursor: string | null;
}

interface Paging {
  from?: number;
  to?: number;
  cursor?: string | null;
  limit?: number;
}

/** An opaque keyset cursor: the time and id of the page's last row. */
function encodeCursor(row: { createdAt: number; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt, i: row.id })).toString('base64url');
}

function decodeCursor(cursor: string | null | undefined): { createdAt: number; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (Number.isSafeInteger(parsed?.t) && typeof parsed.i === 'string' && parsed.i.length <= 64)
      return { createdAt: parsed.t as number, id: parsed.i };
  } catch {
    // falls through to the error
  }
  throw new AppError('INVALID_CURSOR');
}

async function page<T extends { createdAt: number; id: string }>(
  paging: Paging,
  read: (search: { from?: number; to?: number; after?: { createdAt: number; id: string }; limit: number }) => Promise<T[]>,
): Promise<LogPage<T>> {
  const limit = Math.min(Math.max(1, Math.trunc(paging.limit ?? 20)), MAX_LOG_PAGE);
  // one more than asked: whether a next page exists, without counting
  const rows = await read({ from: paging.from, to: paging.to, after: decodeCursor(paging.cursor), limit: limit + 1 });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(items[items.length - 1]!) : null };
}

/** Tool executions matching every condition (Composio's search filters map onto these). */
export async function searchExecutions(
  deps: Deps,
  conditions: ReadonlyArray<Condition<ExecutionColumn>>,
  paging: Paging,
): Promise<LogPage<ToolExecution>> {
  await flushExecutionLog(deps);
  return page(paging, (search) => activityLogRepo(deps.db).searchExecutions({ conditions, ...search }));
}

export async function getExecution(deps: Deps, id: string): Promise<{ execution: ToolExecution; payload: ReturnType<typeof openPayload> }> {
  await flushExecutionLog(deps);
  const execution = await activityLogRepo(deps.db).findExecution(id);
  if (!execution) throw new AppError('NOT_FOUND', { message: `No log entry ${id}.` });
  return { execution, payload: openPayload(deps, execution) };
}

const equal = <C extends string>(pairs: Array<[C, string | undefined]>): Array<Condition<C>> =>
  pairs.filter((p): p is [C, string] => p[1] !== undefined).map(([column, value]) => ({ column, op: '==', value }));

/** The console's view: one kind of entry, filtered. */
export async function queryLog(
  deps: Deps,
  kind: LogKind,
  filter: LogFilter,
  paging: { cursor?: string | null; limit?: number } = {},
): Promise<LogPage<ToolExecution> | LogPage<AuditEvent>> {
  const range = { from: filter.from, to: filter.to, ...paging };
  if (kind === 'tool_execution') {
    return searchExecutions(
      deps,
      equal<ExecutionColumn>([
        ['user_id', filter.userId],
        ['toolkit_slug', filter.toolkit],
        ['tool_slug', filter.tool],
        ['outcome', filter.outcome],
        ['connected_account_id', filter.accountId],
        ['session_id', filter.sessionId],
      ]),
      range,
    );
  }
  const conditions = equal<EventColumn>([
    ['kind', kind],
    ['user_id', filter.userId],
    ['toolkit_slug', filter.toolkit],
    ['action', filter.outcome],
    ['subject_id', filter.accountId],
  ]);
  return page(range, (search) => activityLogRepo(deps.db).searchEvents({ conditions, ...search }));
}
