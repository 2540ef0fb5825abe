import { sql, type Kysely } from 'kysely';
import type { AuditEvent, ToolExecution } from '../domain.ts';
import { epoch, integer, integerOrNull, mapper, plain, type Field } from '../mapping.ts';
import type { AuditEventsTable, Database, ToolExecutionsTable } from '../schema.ts';
import { insertRowsDirect } from '../sqlite.ts';

const executions = mapper<ToolExecution, ToolExecutionsTable>({
  id: plain('id'),
  createdAt: epoch('created_at'),
  sessionId: plain('session_id'),
  userId: plain('user_id'),
  toolkitSlug: plain('toolkit_slug'),
  toolSlug: plain('tool_slug'),
  connectedAccountId: plain('connected_account_id'),
  authConfigId: plain('auth_config_id'),
  outcome: plain('outcome'),
  upstreamStatus: integerOrNull('upstream_status'),
  durationMs: integer('duration_ms'),
  errorMessage: plain('error_message'),
  requestId: plain('request_id'),
  payloadSealed: plain('payload_sealed'),
});

const jsonOrNull = <K extends string>(column: K): Field<Record<string, unknown> | null, string | null, K> => ({
  column,
  read: (text) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>)),
  write: (value) => (value === null ? null : JSON.stringify(value)),
});

const events = mapper<AuditEvent, AuditEventsTable>({
  id: plain('id'),
  createdAt: epoch('created_at'),
  kind: plain('kind') as Field<AuditEvent['kind'], string, 'kind'>,
  action: plain('action'),
  subjectType: plain('subject_type'),
  subjectId: plain('subject_id'),
  userId: plain('user_id'),
  toolkitSlug: plain('toolkit_slug'),
  actorType: plain('actor_type') as Field<AuditEvent['actorType'], string, 'actor_type'>,
  actorId: plain('actor_id'),
  detail: jsonOrNull('detail'),
});

/** The columns a search may filter on, per table. */
export type ExecutionColumn =
  | 'id'
  | 'session_id'
  | 'user_id'
  | 'toolkit_slug'
  | 'tool_slug'
  | 'connected_account_id'
  | 'auth_config_id'
  | 'outcome'
  | 'request_id';
export type EventColumn = 'id' | 'kind' | 'action' | 'subject_type' | 'subject_id' | 'user_id' | 'toolkit_slug' | 'actor_type' | 'actor_id';

/** One condition of a search: equality, or a substring (LIKE, with the pattern's own `%` and `_` escaped). */
export interface Condition<C extends string> {
  column: C;
  op: '==' | '!=' | 'contains' | 'not_contains';
  value: string;
}

/** Newest first; `after` is the last row of the previous page (its time and id), so pages never shift. */
export interface Search<C extends string> {
  conditions: ReadonlyArray<Condition<C>>;
  from?: number;
  to?: number;
  after?: { createdAt: number; id: string };
  limit: number;
}

/** `%value%` for LIKE with `escape '\\'`: the value's own wildcards match themselves. */
export const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The shared WHERE of both tables' searches (the tables share the columns it names: id, created_at).
 * A `!=` or `not_contains` keeps rows whose column is empty (NULL), as "not this value" reads.
 */
function applySearch<Q extends { where: (...args: any[]) => Q }>(query: Q, search: Search<string>): Q {
  let q = query;
  for (const { column, op, value } of search.conditions) {
    const ref = sql.ref(column);
    if (op === '==') q = q.where(sql<boolean>`${ref} = ${value}`);
    else if (op === '!=') q = q.where(sql<boolean>`(${ref} is null or ${ref} <> ${value})`);
    else if (op === 'contains') q = q.where(sql<boolean>`${ref} like ${likePattern(value)} escape '\\'`);
    else q = q.where(sql<boolean>`(${ref} is null or ${ref} not like ${likePattern(value)} escape '\\')`);
  }
  if (search.from !== undefined) q = q.where(sql<boolean>`created_at >= ${search.from}`);
  if (search.to !== undefined) q = q.where(sql<boolean>`created_at <= ${search.to}`);
  if (search.after) {
    const { createdAt, id } = search.after;
    q = q.where(sql<boolean>`(created_at < ${createdAt} or (created_at = ${createdAt} and id < ${id}))`);
  }
  return q;
}

export function activityLogRepo(db: Kysely<Database>) {
  return {
    /** One batch, all or nothing (the execution log is written in batches, off the request path): on SQLite one statement per row in one transaction (sqlite.ts), else one multi-row insert. */
    async insertExecutions(list: readonly ToolExecution[]): Promise<void> {
      if (list.length === 0) return;
      const rows = list.map(executions.toRow);
      if (insertRowsDirect(db, 'tool_executions', rows)) return;
      await db.insertInto('tool_executions').values(rows).execute();
    },
    async findExecution(id: string): Promise<ToolExecution | undefined> {
      return executions.maybe(await db.selectFrom('tool_executions').selectAll().where('id', '=', id).executeTakeFirst());
    },
    async searchExecutions(search: Search<ExecutionColumn>): Promise<ToolExecution[]> {
      const query = applySearch(db.selectFrom('tool_executions').selectAll(), search);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit).execute();
      return rows.map(executions.fromRow);
    },
    async insertEvent(event: AuditEvent): Promise<void> {
      await db.insertInto('audit_events').values(events.toRow(event)).execute();
    },
    async searchEvents(search: Search<EventColumn>): Promise<AuditEvent[]> {
      const query = applySearch(db.selectFrom('audit_events').selectAll(), search);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit).execute();
      return rows.map(events.fromRow);
    },
    /** Retention: rows older than `before`, from both tables; how many went. */
    async purgeBefore(before: number): Promise<number> {
      const a = await db.deleteFrom('tool_executions').where('created_at', '<', before).executeTakeFirst();
      const b = await db.deleteFrom('audit_events').where('created_at', '<', before).executeTakeFirst();
      return Number(a.numDeletedRows) + Number(b.numDeletedRows);
    },
  };
}
