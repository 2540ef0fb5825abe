import type { ToolExecution } from '../../services/log-query.ts';

/**
 * A tool execution as Composio's logs API shows it (`@composio/core` 0.21 `logs.search` / `logs.get`
 * validate these shapes): `status` is `success` or `failed`; a call that did not run (blocked, waiting
 * for approval, not connected) is `failed` at level `warn`, a failed run at level `error`.
 */
export function executionLogWire(execution: ToolExecution) {
  const succeeded = execution.outcome === 'success';
  return {
    id: execution.id,
    timestamp: new Date(execution.createdAt).toISOString(),
    type: 'tool.execution',
    status: succeeded ? ('success' as const) : ('failed' as const),
    level: succeeded ? ('info' as const) : execution.outcome === 'error' ? ('error' as const) : ('warn' as const),
    message: execution.errorMessage ?? `${execution.toolSlug}: ${execution.outcome}`,
    metadata: {
      tool_slug: execution.toolSlug,
      toolkit_slug: execution.toolkitSlug,
      user_id: execution.userId,
      session_id: execution.sessionId,
      connected_account_id: execution.connectedAccountId,
      auth_config_id: execution.authConfigId,
      outcome: execution.outcome,
      upstream_status: execution.upstreamStatus,
    },
    metrics: { duration_ms: execution.durationMs },
    parent: null,
  };
}

/** One entry with its detail: timings, context, and `data`, the kept payload (LATCHKEY_LOG_PAYLOADS), masked. */
export function executionLogDetailWire(execution: ToolExecution, payload: Record<string, unknown> | null) {
  return {
    ...executionLogWire(execution),
    timings: { start_time: execution.createdAt, end_time: execution.createdAt + execution.durationMs },
    context: {
      ...(execution.sessionId ? { session_id: execution.sessionId } : {}),
      ...(execution.requestId ? { request_id: execution.requestId } : {}),
    },
    source: { host: 'latchkey' },
    data: payload ?? {},
  };
}
