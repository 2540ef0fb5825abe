import { isNoAuth } from '../api/wire/catalogue.ts';
import type { CatalogueTool } from '../catalogue/catalogue.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { NO_AUTH_CONNECTION, type ToolConnection } from '../execution/connection.ts';
import { executeProxy, executeTool, prepareArguments, ToolInputError, type ExecutionOptions, type ToolResult } from '../execution/execute.ts';
import type { ProxyInput } from '../execution/proxy.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';

/**
 * Tool calls use https, or plain http only to loopback (an operator's API on the same machine):
 * nothing crosses a network in clear.
 */
export function executionOptions(deps: Deps): ExecutionOptions {
  return { fetch: deps.fetch, timeoutMs: deps.config.toolTimeoutMs, maxResponseBytes: deps.config.maxResponseBytes, allowHttpLoopback: true };
}

export function findTool(deps: Deps, slug: string): CatalogueTool {
  const entry = deps.catalogue.tool(slug);
  if (!entry) throw new AppError('TOOL_NOT_FOUND', { message: `No tool named ${slug}.` });
  return entry;
}

export interface ExecuteRequest {
  toolSlug: string;
  userId?: string;
  connectedAccountId?: string;
  arguments?: unknown;
}

/**
 * Which connection a call runs with. NO_AUTH toolkits need none. Connected accounts arrive with
 * issue #4; until then every other toolkit answers a clear "no connected account".
 */
async function resolveConnection(deps: Deps, entry: CatalogueTool, request: ExecuteRequest): Promise<ToolConnection> {
  if (isNoAuth(entry.toolkit)) return NO_AUTH_CONNECTION;
  void deps;
  if (request.connectedAccountId) {
    throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `Connected account ${request.connectedAccountId} was not found.` });
  }
  throw new AppError('NO_CONNECTED_ACCOUNT', {
    message: `User ${JSON.stringify(request.userId ?? '')} has no active ${entry.toolkit.name} account; connect one, then retry.`,
  });
}

function argumentsError(error: ToolInputError): AppError {
  return new AppError('TOOL_ARGUMENTS_INVALID', { message: error.message, errors: error.errors });
}

export async function executeToolRequest(deps: Deps, request: ExecuteRequest): Promise<ToolResult> {
  const entry = findTool(deps, request.toolSlug);
  try {
    // validate first: a bad argument is the caller's to fix whether or not an account exists
    const args = prepareArguments(entry, request.arguments);
    const connection = await resolveConnection(deps, entry, request);
    return await executeTool(entry, args, connection, executionOptions(deps));
  } catch (error) {
    if (error instanceof ToolInputError) throw argumentsError(error);
    throw error;
  }
}

/**
 * `POST /tools/execute/proxy`: a raw call with an account's credential. Connected accounts arrive with
 * issue #4; until then no account can be found.
 */
export async function proxyRequest(deps: Deps, connectedAccountId: string, input: ProxyInput): Promise<ToolResult> {
  const connection = await findConnection(deps, connectedAccountId);
  return executeProxy(connection.toolkit, input, connection.connection, executionOptions(deps));
}

async function findConnection(deps: Deps, connectedAccountId: string): Promise<{ toolkit: ToolkitFile; connection: ToolConnection }> {
  void deps;
  throw new AppError('CONNECTED_ACCOUNT_NOT_FOUND', { message: `Connected account ${connectedAccountId} was not found.` });
}
