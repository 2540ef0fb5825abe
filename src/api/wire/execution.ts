import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import type { ToolResult } from '../../execution/execute.ts';
import { newLogId } from '../../ids.ts';
import { callContext, type ToolCallContext } from '../../sessions/call-context.ts';
import { approvalKeys, approvalSchema, askedApprovals, givenAnswers } from '../../sessions/input-required.ts';
import { openRequestState, RequestStateError, sealRequestState, type StateBinding } from '../../sessions/request-state.ts';
import type { SessionToolOutcome } from '../../sessions/run-tool.ts';

/**
 * Composio's session execute answers (SDK 0.23+), discriminated by `result_type`: `completed` and
 * `failed` carry `{data, error, log_id}`; `blocked` (a hook stopped the call) adds `block_reason`;
 * `input_required` asks the app to put `input_requests` to its user and call again with
 * `input_responses` and the unchanged `request_state`. An input-required answer also carries
 * `data`, `error` and `log_id`, so an SDK that predates it (0.21) reads an error rather than failing to
 * parse. No approval page URL goes into an execute answer: a provider integration hands `data` and
 * `error` to the model, which could open the page and answer for the user. The app lists its
 * session's pending approvals, with their pages, under its API key (`GET …/session/{id}/approvals`).
 */

export interface RetryFields {
  request_state?: string;
  input_responses?: Record<string, { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> }>;
}

/** The context of a REST call: the app can always ask its user, and may be answering. */
export async function restCallContext(deps: Deps, binding: StateBinding, body: RetryFields): Promise<ToolCallContext> {
  if (body.request_state === undefined) return callContext({ canAsk: true });
  try {
    const state = await openRequestState(deps, binding, body.request_state);
    return callContext({ canAsk: true, answers: givenAnswers(state, (key) => body.input_responses?.[key]) });
  } catch (error) {
    if (!(error instanceof RequestStateError)) throw error;
    throw new AppError('REQUEST_STATE_INVALID', { message: error.message.replace('requestState', 'request_state') });
  }
}

type ResultType = 'completed' | 'failed' | 'blocked';

function resultTypeOf(result: ToolResult, outcome?: SessionToolOutcome): ResultType {
  if (outcome?.kind === 'blocked') return 'blocked';
  return result.successful ? 'completed' : 'failed';
}

/** The execute answer for a call that ran, or stopped, or waits for its user. */
export function executeWire(deps: Deps, binding: StateBinding, context: ToolCallContext, result: ToolResult, outcome?: SessionToolOutcome) {
  // the log row of a call that was logged (GET /logs/tool_execution/{log_id} finds it); else an id of its own
  const log_id = outcome?.logId ?? newLogId();
  if (context.asks.length > 0) {
    const keyed = approvalKeys(context.asks);
    return {
      result_type: 'input_required' as const,
      input_requests: Object.fromEntries(
        keyed.map(([key, ask]) => [
          key,
          { type: 'elicitation', mode: 'form', message: ask.message, requested_schema: approvalSchema(ask) },
        ]),
      ),
      request_state: sealRequestState(deps, binding, askedApprovals(keyed, false)),
      data: { approvals: keyed.map(([key, ask]) => ({ key, approval_id: ask.approvalId, tool_slug: ask.tool.slug })) },
      error:
        "Waiting for the user's approval: answer input_requests and call again with input_responses and request_state, " +
        'or show the user the approval page listed by GET /api/v3.1/tool_router/session/{id}/approvals and call again.',
      log_id,
    };
  }
  const result_type = resultTypeOf(result, outcome);
  return {
    result_type,
    data: result.data,
    error: result.error,
    log_id,
    ...(outcome?.kind === 'blocked'
      ? { block_reason: outcome.message, hook_results: [{ hook_id: outcome.hookId, result: 'blocked' }] }
      : {}),
  };
}
