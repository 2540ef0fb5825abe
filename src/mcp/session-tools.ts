import type { ToolDefinition } from '../catalogue/schema.ts';
import { actionTag, hasTag } from '../catalogue/tool-tags.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ToolInputError, type ToolResult } from '../execution/execute.ts';
import { multiExecuteTool } from '../sessions/meta-tools/multi-execute/index.ts';
import { isListedMetaTool, metaToolsOf, runMetaTool } from '../sessions/meta-tools/registry.ts';
import type { ApprovalAsk } from '../sessions/approvals.ts';
import type { ToolCallContext } from '../sessions/call-context.ts';
import { outcomeEnvelope, runSessionTool, sessionTool } from '../sessions/run-tool.ts';
import type { Session } from '../sessions/session.ts';
import { derivedFromConfig, preloadedSlugs, preloadedTools } from '../sessions/tool-lists.ts';

/**
 * What both protocol eras serve alike: a session's tools/list and its tools/call. The shapes are the
 * MCP wire's, the same in 2025-11-25 and 2026-07-28; each era's server (legacy.ts, modern.ts, both
 * on SDK v2) only adapts them, and decides how a Connect Link reaches its client.
 */

export type McpTool = {
  name: string;
  description?: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  annotations?: Record<string, unknown>;
};

export type McpToolResult = {
  content: Array<{ type: 'text'; text: string }>;
  isError?: boolean;
};

/** A call that needs the user to connect a toolkit first, and the Connect Link that does it. */
export type ConnectRequest = {
  toolkit: { slug: string; name: string };
  url: string;
  connectedAccountId: string | null;
  /** the tool result a client that cannot be asked gets: the link, in words for the model */
  result: McpToolResult;
};

/** What a call may put to the user mid-call: a Connect Link to open, or approvals to give. */
export type UserQuestion = { kind: 'connect'; connect: ConnectRequest } | { kind: 'approve'; asks: ApprovalAsk[] };

/** The server's identity in both eras (initialize's serverInfo; 2026-07-28 `_meta` serverInfo on every result). */
export const SERVER_INFO = { name: 'latchkey', version: '0.1.0' };

export const INSTRUCTIONS =
  'Tools here act for one user with their own connected accounts. When a tool answers that a toolkit is not connected, show the user the link it gives, wait for them to connect, then call the tool again.';

/**
 * MCP ToolAnnotations (spec 2025-06-18 on) from the tool's tags. `destructiveHint` there means "may perform
 * destructive updates" as against "only additive updates", so a tool that changes or deletes what exists
 * (updateHint, destructiveHint) answers true and one that only adds (createHint) false.
 */
function hints(tool: ToolDefinition) {
  const action = actionTag(tool);
  // openWorldHint: every toolkit tool calls a third-party API, an open world whatever its tags say
  return {
    title: tool.name,
    readOnlyHint: action === 'readOnlyHint',
    destructiveHint: action === 'updateHint' || action === 'destructiveHint',
    idempotentHint: hasTag(tool, 'idempotentHint'),
    openWorldHint: true,
  };
}

// the tools/list answer, like the tool list it is made from, once per session config
const toolListOf = derivedFromConfig((deps, config): McpTool[] => {
  const meta = metaToolsOf(config).map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as McpTool['inputSchema'],
    annotations: tool.annotations,
  }));
  const direct = preloadedTools(deps, config).map(({ tool }) => ({
    name: tool.slug,
    description: tool.description,
    inputSchema: tool.input_parameters as McpTool['inputSchema'],
    annotations: hints(tool),
  }));
  return [...meta, ...direct];
});

export function listSessionTools(deps: Deps, session: Session): McpTool[] {
  return toolListOf(deps, session.config);
}

function asToolResult(result: ToolResult): McpToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify({ data: result.data, error: result.error, successful: result.successful }) }],
    isError: !result.successful,
  };
}

export function errorResult(message: string): McpToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

async function runTool(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  context: ToolCallContext,
): Promise<McpToolResult | ConnectRequest> {
  if (isListedMetaTool(session.config, name)) return asToolResult(await runMetaTool(deps, session, name, args, context));
  // Only listed tools are called directly (MCP tools/call names a tool from tools/list); a tool of
  // the session that was not preloaded runs through COMPOSIO_MULTI_EXECUTE_TOOL, as at Composio.
  if (!preloadedSlugs(deps, session.config).has(name)) {
    const entry = sessionTool(deps, session, name);
    const how = session.config.multiExecuteEnabled
      ? `: run it with ${multiExecuteTool.name}`
      : ' (preload it in the session to call it directly)';
    return errorResult(`${entry.tool.slug} is not loaded in this session${how}.`);
  }
  const { account, ...toolArgs } = args;
  const outcome = await runSessionTool(deps, session, name, toolArgs, typeof account === 'string' ? account : undefined, context);
  const result = asToolResult(outcomeEnvelope(outcome));
  if (outcome.kind === 'not_connected' && outcome.redirectUrl) {
    return { toolkit: outcome.toolkit, url: outcome.redirectUrl, connectedAccountId: outcome.connectedAccountId, result };
  }
  return result;
}

/**
 * Calls one tool of the session; every failure is a tool result the model can read, never a crash.
 * A call that needs the user (a Connect Link to open, approvals to give when `context.canAsk`) goes
 * to `askUser`, which answers in its era's way, or not at all (then the model gets a tool result
 * that says what is missing).
 */
export async function callSessionTool<Asked>(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  context: ToolCallContext,
  askUser: (question: UserQuestion) => Promise<Asked | undefined>,
): Promise<McpToolResult | Asked> {
  let answer: McpToolResult | ConnectRequest;
  try {
    answer = await runTool(deps, session, name, args, context);
  } catch (error) {
    if (error instanceof ToolInputError || error instanceof AppError) return errorResult(error.message);
    deps.log.error(
      { session_id: session.id, tool: name, err: { name: (error as Error).name, stack: (error as Error).stack } },
      'tool call failed',
    );
    return errorResult('The tool failed inside latchkey; the error was logged.');
  }
  if ('url' in answer) return (await askUser({ kind: 'connect', connect: answer })) ?? answer.result;
  if (context.canAsk && context.asks.length > 0) return (await askUser({ kind: 'approve', asks: context.asks })) ?? answer;
  return answer;
}
