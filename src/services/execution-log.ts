import { CacheSlot, type Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { maskList, scrub } from '../execution/masking.ts';
import { newId } from '../ids.ts';
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
  rows: Pending[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void>;
}

const BUFFER = new CacheSlot('execution log buffer', (): Buffer => ({ rows: [], timer: null, flushing: Promise.resolve() }));

/**
 * Runs one tool call and logs it: its outcome as `end` reads the value, or `error` with the message
 * of what it threw (then thrown on). Counted and timed in the metrics as well.
 */
export async function logExecution<T>(deps: Deps, call: LoggedCall, run: () => Promise<T>, end: (value: T) => CallEnd): Promise<T> {
  const started = performance.now();
  const createdAt = deps.clock.now();
  try {
    const value = await run();
    record(deps, call, end(value), createdAt, started);
    return value;
  } catch (error) {
    record(deps, call, thrownEnd(error), createdAt, started);
    throw error;
  }
}

/** A call refused before it could start (an unknown tool, bad arguments): logged as an error, at once. */
export function logRefusal(deps: Deps, call: LoggedCall, error: unknown): void {
  record(deps, call, thrownEnd(error), deps.clock.now(), performance.now());
}

// an AppError's message is written for the caller; anything else may carry what no log should keep
const thrownEnd = (error: unknown): CallEnd => ({
  outcome: 'error',
  errorMessage: error instanceof AppError ? error.message : 'internal error',
});

function record(deps: Deps, call: LoggedCall, end: CallEnd, createdAt: number, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const metrics = metricsOf(deps);
  const labels = { toolkit: call.toolkitSlug, outcome: end.outcome };
  metrics.toolCalls.inc(labels);
  metrics.toolDuration.observe(labels, seconds);
  const buffer = deps.caches.get(BUFFER);
  if (buffer.rows.length >= MAX_PENDING) {
    metrics.logRowsDropped.inc();
    return;
  }
  const mode = deps.config.activityLog.payloads;
  buffer.rows.push({
    row: {
      id: newId('log'),
      createdAt,
      sessionId: call.sessionId ?? null,
      userId: call.userId ?? null,
      toolkitSlug: call.toolkitSlug,
      toolSlug: call.toolSlug,
      connectedAccountId: call.connectedAccountId ?? null,
      authConfigId: call.authConfigId ?? null,
      outcome: end.outcome,
      upstreamStatus: end.upstreamStatus ?? null,
      durationMs: Math.round(seconds * 1000),
      errorMessage: end.errorMessage?.slice(0, 2000) ?? null,
      requestId: call.requestId ?? null,
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
 * reader that flushes first sees its own calls. A failed write is logged and its rows counted as
 * dropped: the log must never stop tool calls.
 */
export function flushExecutionLog(deps: Deps): Promise<void> {
  const buffer = deps.caches.get(BUFFER);
  if (buffer.timer) clearTimeout(buffer.timer);
  buffer.timer = null;
  const batch = buffer.rows;
  buffer.rows = [];
  buffer.flushing = buffer.flushing.then(async () => {
    if (batch.length === 0) return;
    try {
      await activityLogRepo(deps.db).insertExecutions(batch.map((pending) => stored(deps, pending)));
    } catch (error) {
      metricsOf(deps).logRowsDropped.inc(batch.length);
      deps.log.error(
        { rows: batch.length, err: { name: (error as Error).name, message: (error as Error).message } },
        'execution log rows lost',
      );
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
    errorMessage: result.error,
    result: result.data,
  };
}
