import { CacheSlot, type Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { maskList, scrub } from '../execution/masking.ts';
import { newLogId } from '../ids.ts';
import { activityLogRepo } from '../../storage/repos/activity-log.ts';
import type { ToolExecution } from '../../storage/domain.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { metricsOf } from './metrics.ts';

/**
 * The execution log: one row per tool call, whatever the front end (REST execute, a session's
 * execute, an MCP tool call, multi-execute, proxy). A tool call is the hot path, so a row never costs
 * the caller a database round trip: rows wait in memory and are written in one multi-row insert
 * every FLUSH_MS or FLUSH_ROWS rows, and on shutdown (server.ts). A hard crash loses at most the rows
 * of the last flush window, never account data. Past MAX_PENDING rows (the database is gone or far
 * behind) new rows are dropped and counted (`latchkey_log_rows_dropped_total`).
 */
const FLUSH_MS = 200;
const FLUSH_ROWS = 200;
const MAX_PENDING = 10_000;

const PAYLOAD_COLUMN = sealed('tool_executions', 'payload_sealed');

/** What is known of a call as it starts; the run fills in the account once it is resolved. */
export interface LoggedCall {
  /** the row's id when the caller hands it out first (an execute answer's `log_id`); minted on recording otherwise */
  logId?: string;
  sessionId?: string | null;
  userId?: string | null;
  toolkitSlug: string;
  toolSlug: string;
  requestId?: string | null;
  arguments: unknown;
  connectedAccountId?: string | null;
  authConfigId?: string | null;
  /** the credential values the call injected: masked out of a stored payload wherever they appear */
  secrets?: readonly string[];
}

/** How a call ended, as the log records it. */
export interface CallEnd {
  /** success, error, blocked, refused, approval_required, not_connected, choose_account */
  outcome: string;
  upstreamStatus?: number | null;
  errorMessage?: string | null;
  result?: unknown;
}

interface Pending {
  row: Omit<ToolExecution, 'payloadSealed'>;
  payload: { arguments?: unknown; result?: unknown } | null;
  secrets: readonly string[];
}

interface Buffer {
  /** calls that have ended, not yet counted or turned into rows (see `logExecution`) */
  ended: Array<() => void>;
  rows: Pending[];
  /** rows waiting or being written: what MAX_PENDING bounds (a stalled insert holds its batch in memory too) */
  held: number;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void>;
}

const BUFFER = new CacheSlot(
  'execution log buffer',
  (): Buffer => ({ ended: [], rows: [], held: 0, timer: null, flushing: Promise.resolve() }),
);

/** Longest id or slug a row keeps; longer ones (only a caller's invention can be) are cut. */
const MAX_NAME = 200;
const MAX_MESSAGE = 2000;

/**
 * A caller's text as a row may hold it: NUL replaced (PostgreSQL refuses it in text) and cut to a
 * length an index entry takes, so one hostile value (a tool slug of "\u0000" or 4,000 characters)
 * cannot fail the insert of a whole batch.
 */
function storable(value: string | null | undefined, max = MAX_NAME): string | null {
  if (value === null || value === undefined) return null;
  return value.replaceAll('\u0000', '\ufffd').slice(0, max);
}

/**
 * Runs one tool call and logs it: its outcome as `end` reads the value, or `error` with the message
 * of what it threw (then thrown on). Counted and timed in the metrics as well. The row and the
 * metrics are made in the event-loop turn after the call's answer, which goes out first (as the
 * access log's line does; about 15 µs of a tool call's path in `npm run bench`), or sooner when
 * someone reads them: a flush and a metrics scrape first record every call that has ended.
 */
export async function logExecution<T>(deps: Deps, call: LoggedCall, run: () => Promise<T>, end: (value: T) => CallEnd): Promise<T> {
  const started = performance.now();
  const createdAt = deps.clock.now();
  try {
    const value = await run();
    const seconds = (performance.now() - started) / 1000;
    recordSoon(deps, () => record(deps, call, end(value), createdAt, seconds));
    return value;
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    recordSoon(deps, () => record(deps, call, thrownEnd(error), createdAt, seconds));
    throw error;
  }
}

function recordSoon(deps: Deps, recording: () => void): void {
  const buffer = deps.caches.get(BUFFER);
  buffer.ended.push(recording);
  if (buffer.ended.length === 1) setImmediate(() => recordEndedCalls(deps));
}

/**
 * Counts and buffers every call that has ended; before a flush, and before the metrics are read. A
 * recording that throws loses its own row (logged and counted as dropped), never the others', and
 * never the process: it runs outside any request.
 */
export function recordEndedCalls(deps: Deps): void {
  const buffer = deps.caches.get(BUFFER);
  const ended = buffer.ended;
  buffer.ended = [];
  for (const recording of ended) {
    try {
      recording();
    } catch (error) {
      metricsOf(deps).logRowsDropped.inc();
      deps.log.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'execution log row lost');
    }
  }
}

/** A call refused before it could start (an unknown tool, bad arguments): logged as an error, at once. */
export function logRefusal(deps: Deps, call: LoggedCall, error: unknown): void {
  record(deps, call, thrownEnd(error), deps.clock.now(), 0);
}

// an AppError's message is written for the caller; anything else may carry what no log should keep
const thrownEnd = (error: unknown): CallEnd => ({
  outcome: 'error',
  errorMessage: error instanceof AppError ? error.message : 'internal error',
});

function record(deps: Deps, call: LoggedCall, end: CallEnd, createdAt: number, seconds: number): void {
  const metrics = metricsOf(deps);
  const labels = { toolkit: call.toolkitSlug, outcome: end.outcome };
  metrics.toolCalls.inc(labels);
  metrics.toolDuration.observe(labels, seconds);
  const buffer = deps.caches.get(BUFFER);
  if (buffer.held >= MAX_PENDING) {
    metrics.logRowsDropped.inc();
    return;
  }
  const mode = deps.config.activityLog.payloads;
  buffer.held += 1;
  buffer.rows.push({
    row: {
      id: call.logId ?? newLogId(),
      createdAt,
      sessionId: storable(call.sessionId),
      userId: storable(call.userId),
      toolkitSlug: storable(call.toolkitSlug)!,
      toolSlug: storable(call.toolSlug)!,
      connectedAccountId: storable(call.connectedAccountId),
      authConfigId: storable(call.authConfigId),
      outcome: end.outcome,
      upstreamStatus: end.upstreamStatus ?? null,
      durationMs: Math.round(seconds * 1000),
      errorMessage: storable(end.errorMessage, MAX_MESSAGE),
      requestId: storable(call.requestId),
    },
    payload:
      mode === 'none' ? null : mode === 'arguments' ? { arguments: call.arguments } : { arguments: call.arguments, result: end.result },
    secrets: call.secrets ?? [],
  });
  if (buffer.rows.length >= FLUSH_ROWS) void flushExecutionLog(deps);
  else buffer.timer ??= setTimeout(() => void flushExecutionLog(deps), FLUSH_MS).unref();
}

/**
 * Writes the waiting rows (one insert). Flushes run one after another, so rows land in order and a
 * reader that flushes first sees its own calls. When the batch insert fails, each row is tried on its
 * own, so only a row the database refuses is lost; lost rows are logged and counted as dropped: the
 * log must never stop tool calls.
 */
export function flushExecutionLog(deps: Deps): Promise<void> {
  recordEndedCalls(deps);
  const buffer = deps.caches.get(BUFFER);
  if (buffer.timer) clearTimeout(buffer.timer);
  buffer.timer = null;
  const batch = buffer.rows;
  buffer.rows = [];
  buffer.flushing = buffer.flushing.then(async () => {
    if (batch.length === 0) return;
    const repo = activityLogRepo(deps.db);
    const rows = batch.map((pending) => stored(deps, pending));
    try {
      await repo.insertExecutions(rows).catch(async () => {
        let lost = 0;
        let last: unknown;
        for (const row of rows) await repo.insertExecutions([row]).catch((error: unknown) => ((lost += 1), (last = error)));
        if (lost === 0) return;
        metricsOf(deps).logRowsDropped.inc(lost);
        const err = last as Error;
        deps.log.error({ rows: lost, err: { name: err.name, message: err.message } }, 'execution log rows lost');
      });
    } finally {
      buffer.held -= batch.length;
    }
  });
  return buffer.flushing;
}

/** A row as stored: its payload (when the operator keeps one) masked, then sealed to its row. */
function stored(deps: Deps, { row, payload, secrets }: Pending): ToolExecution {
  if (!payload) return { ...row, payloadSealed: null };
  const text = scrub(JSON.stringify(payload), maskList(secrets));
  return { ...row, payloadSealed: deps.vault.seal(text, sealedAad(PAYLOAD_COLUMN, row.id)) };
}

/** A stored payload, opened (the log's detail view). */
export function openPayload(deps: Deps, execution: ToolExecution): { arguments?: unknown; result?: unknown } | null {
  if (!execution.payloadSealed) return null;
  return JSON.parse(deps.vault.open(execution.payloadSealed, sealedAad(PAYLOAD_COLUMN, execution.id)));
}

/** A tool's answer (Composio's envelope) as the log records it. */
export function resultEnd(result: { successful: boolean; error: string | null; upstreamStatus?: number; data: unknown }): CallEnd {
  return {
    outcome: result.successful ? 'success' : 'error',
    upstreamStatus: result.upstreamStatus ?? null,
    // An upstream's error text quotes its answer (what was sent, a person's data): the row keeps only
    // that the upstream refused; the answer itself is in the payload, sealed, when the operator keeps results.
    errorMessage: result.successful
      ? null
      : result.upstreamStatus === undefined
        ? result.error
        : `the upstream answered HTTP ${result.upstreamStatus} with an error`,
    result: result.data,
  };
}
