import type { Deps } from '../../../deps.ts';
import { AppError } from '../../../errors.ts';
import { ToolInputError, type ToolResult } from '../../../execution/execute.ts';
import { newLogId } from '../../../ids.ts';
import type { ToolCallContext } from '../../call-context.ts';
import { outcomeEnvelope, type PreparedCall, prepareSessionTool } from '../../run-tool.ts';
import type { Session } from '../../session.ts';
import type { MetaTool } from '../meta-tool.ts';

type Prepared = PreparedCall | { kind: 'invalid'; message: string };

/**
 * Every call is checked first (hooks, connection, approval), and only then are the ready ones started:
 * when the caller can ask the user and any call waits for an approval, none starts, so the retry with
 * the answers runs each call once.
 */
async function multiExecute(deps: Deps, session: Session, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> {
  const tools = args.tools as Array<{ tool_slug: string; arguments: unknown; account?: string }>;
  const prepared = await Promise.all(
    tools.map(async (call): Promise<Prepared> => {
      try {
        return await prepareSessionTool(deps, session, call.tool_slug, call.arguments, call.account, context);
      } catch (error) {
        if (error instanceof ToolInputError || error instanceof AppError) return { kind: 'invalid', message: error.message };
        throw error;
      }
    }),
  );
  const holdAll = context.canAsk && context.asks.length > 0;
  const results = await Promise.all(
    prepared.map(async (call, index) => {
      const tool_slug = tools[index]!.tool_slug;
      if (call.kind === 'invalid') return { index, tool_slug, response: null, error: call.message };
      if (call.kind === 'ready' && holdAll) {
        const message = 'Not run: other calls of this request wait for the user’s approval.';
        return { index, tool_slug, response: { data: {}, error: message, successful: false, log_id: newLogId() }, error: message };
      }
      const outcome = call.kind === 'ready' ? await call.start() : call.outcome;
      const response = outcomeEnvelope(outcome);
      return { index, tool_slug, response: { ...response, log_id: outcome.logId ?? newLogId() }, error: response.error };
    }),
  );
  const failed = results.filter((r) => r.error !== null).length;
  return {
    data: { results, total_count: results.length, success_count: results.length - failed, error_count: failed },
    error: failed > 0 ? `${failed} out of ${results.length} tools failed` : null,
    successful: failed === 0,
  };
}

export const multiExecuteTool: MetaTool = {
  name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
  description:
    "Run up to 50 tools in parallel, each with its arguments, as the user of this session and with the user's connected accounts. A toolkit the user has not connected answers with a Connect Link to show the user.",
  inputSchema: {
    type: 'object',
    properties: {
      tools: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: {
          type: 'object',
          properties: {
            tool_slug: { type: 'string' },
            arguments: { type: 'object' },
            account: { type: 'string', description: "Which of the user's accounts to use (id or alias), when they have several" },
          },
          required: ['tool_slug', 'arguments'],
        },
      },
      sync_response_to_workbench: { type: 'boolean', description: 'Not supported here; leave false' },
      thought: { type: 'string' },
      current_step: { type: 'string' },
    },
    required: ['tools'],
  },
  annotations: { openWorldHint: true, destructiveHint: true },
  listed: (config) => config.multiExecuteEnabled,
  run: multiExecute,
};
