import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  UrlElicitationRequiredError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '../catalogue/schema.ts';
import { CacheSlot, type Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ToolInputError, type ToolResult } from '../execution/execute.ts';
import { multiExecuteTool } from '../sessions/meta-tools/multi-execute/index.ts';
import { isListedMetaTool, metaToolsOf, runMetaTool } from '../sessions/meta-tools/registry.ts';
import { outcomeEnvelope, runSessionTool, sessionTool } from '../sessions/run-tool.ts';
import type { Session } from '../sessions/session.ts';
import { derivedFromConfig, preloadedSlugs, preloadedTools } from '../sessions/tool-lists.ts';

export interface McpClientInfo {
  /**
   * the client declared URL elicitation: a Connect Link can go to it as an elicitation. Asked only
   * when there is a link to give, so an ordinary call does not pay for looking the client up.
   */
  urlElicitation(): Promise<boolean>;
}

const INSTRUCTIONS =
  'Tools here act for one user with their own connected accounts. When a tool answers that a toolkit is not connected, show the user the link it gives, wait for them to connect, then call the tool again.';

function hints(tool: ToolDefinition) {
  const has = (tag: string) => tool.tags.includes(tag);
  // openWorldHint: every toolkit tool calls a third-party API, an open world whatever its tags say
  return {
    title: tool.name,
    readOnlyHint: has('readOnlyHint'),
    destructiveHint: has('destructiveHint'),
    idempotentHint: has('idempotentHint'),
    openWorldHint: true,
  };
}

// the tools/list answer, like the tool list it is made from, once per session config
const toolListOf = derivedFromConfig((deps, config): Tool[] => {
  const meta = metaToolsOf(config).map((tool) => ({
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema as Tool['inputSchema'],
    annotations: tool.annotations,
  }));
  const direct = preloadedTools(deps, config).map(({ tool }) => ({
    name: tool.slug,
    description: tool.description,
    inputSchema: tool.input_parameters as Tool['inputSchema'],
    annotations: hints(tool),
  }));
  return [...meta, ...direct];
});

export function listSessionTools(deps: Deps, session: Session): Tool[] {
  return toolListOf(deps, session.config);
}

function asToolResult(result: ToolResult): CallToolResult {
  return {
    content: [{ type: 'text', text: JSON.stringify({ data: result.data, error: result.error, successful: result.successful }) }],
    isError: !result.successful,
  };
}

function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Calls one tool of the session; every failure is a tool result the model can read, never a crash. */
export async function callSessionTool(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  client: McpClientInfo,
): Promise<CallToolResult> {
  try {
    if (isListedMetaTool(session.config, name)) return asToolResult(await runMetaTool(deps, session, name, args));
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
    const outcome = await runSessionTool(deps, session, name, toolArgs, typeof account === 'string' ? account : undefined);
    if (outcome.kind === 'not_connected' && outcome.redirectUrl && (await client.urlElicitation())) {
      throw new UrlElicitationRequiredError([
        {
          mode: 'url',
          message: `Connect your ${outcome.toolkit.name} account to continue.`,
          url: outcome.redirectUrl,
          elicitationId: outcome.connectedAccountId ?? outcome.toolkit.slug,
        },
      ]);
    }
    return asToolResult(outcomeEnvelope(outcome));
  } catch (error) {
    if (error instanceof UrlElicitationRequiredError) throw error;
    if (error instanceof ToolInputError || error instanceof AppError) return errorResult(error.message);
    deps.log.error(
      { session_id: session.id, tool: name, err: { name: (error as Error).name, stack: (error as Error).stack } },
      'tool call failed',
    );
    return errorResult('The tool failed inside latchkey; the error was logged.');
  }
}

/**
 * One MCP server per request: sessions live in the database, so any process can answer any session
 * (no sticky routing, no in-memory session state). The low-level Server takes the catalogue's JSON
 * Schemas as they are.
 */
// The SDK builds an ajv instance per Server unless given one; one per app is enough (it validates
// only elicitation schemas, which latchkey never sends) and saves most of a request's CPU.
const VALIDATOR = new CacheSlot('MCP JSON Schema validator', () => new AjvJsonSchemaValidator());

export function buildSessionServer(deps: Deps, session: Session, client: McpClientInfo): Server {
  const server = new Server(
    { name: 'latchkey', version: '0.1.0' },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: deps.caches.get(VALIDATOR) },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listSessionTools(deps, session) }));
  server.setRequestHandler(CallToolRequestSchema, async (request) =>
    callSessionTool(deps, session, request.params.name, request.params.arguments ?? {}, client),
  );
  return server;
}
