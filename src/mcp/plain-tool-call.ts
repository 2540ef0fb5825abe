import { type CallToolResult, isJsonContentType, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { isPlainObject } from '../json-object.ts';

/**
 * A 2025-era `tools/call` in the plain shape every 2025 client sends, answered without the SDK's
 * per-request transport and Server. For such a call the SDK's stateless path (the transport's
 * header checks, the JSON-RPC message schema, the Server's request and result schemas, a Response
 * resolved through the transport's stream map) is some 150 µs of CPU on this machine kind, as much
 * as the rest of latchkey's own work on the call, and it decides nothing the shape below leaves
 * open. Every other 2025-era request (initialize, ping, tools/list, notifications, batches, a call
 * with `_meta`, odd headers, anything malformed) still goes through the SDK, which answers the
 * errors. The answer is the SDK's, to the byte where the result is the same:
 * test/integration/mcp-plain-tool-call.test.ts holds the two paths to the same status, headers and
 * body, and the SDK clients' end-to-end tests run through this path.
 */

export interface PlainToolCall {
  id: string | number;
  name: string;
  args: Record<string, unknown>;
}

const CALL_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAMS_MEMBERS = new Set(['name', 'arguments']);

const onlyMembers = (value: Record<string, unknown>, allowed: Set<string>) => Object.keys(value).every((key) => allowed.has(key));

/**
 * The call, when the request is one the SDK's stateless JSON transport would hand to the Server's
 * tools/call handler unchanged; else undefined (the SDK serves it).
 */
export function plainToolCall(request: Request, body: unknown): PlainToolCall | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  // the SDK's RequestId: a string or an integer (JSON-RPC 2.0 §4 allows more; MCP does not)
  const { id, params } = body;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return undefined;
  if (!onlyMembers(body, CALL_MEMBERS) || !isPlainObject(params) || !onlyMembers(params, PARAMS_MEMBERS)) return undefined;
  const { name, arguments: args = {} } = params;
  if (typeof name !== 'string' || !isPlainObject(args)) return undefined;
  // the transport's checks on a POST (streamable HTTP, spec 2025-11-25 basic/transports): the client
  // accepts both JSON and an event stream, sends JSON, and names a version the SDK supports, or none
  const accept = request.headers.get('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return undefined;
  if (!isJsonContentType(request.headers.get('content-type'))) return undefined;
  const version = request.headers.get('mcp-protocol-version');
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return { id: id as string | number, name, args };
}

/**
 * The call's answer as the SDK's JSON transport writes it: the result, or, when the handler throws,
 * a JSON-RPC error with the error's own code (where it is a safe integer), message and data, both
 * with HTTP status 200 and one JSON body.
 */
export async function answerPlainToolCall(call: PlainToolCall, run: () => Promise<CallToolResult>): Promise<Response> {
  const headers = { 'Content-Type': 'application/json' };
  try {
    return Response.json({ result: await run(), jsonrpc: '2.0', id: call.id }, { status: 200, headers });
  } catch (thrown) {
    const error = thrown as { code?: unknown; message?: string; data?: unknown };
    // -32002 is the SDK's internal "resource not found", sent as -32602 on the 2025 wire
    const code = Number.isSafeInteger(error.code) ? (error.code as number) : -32603;
    const body = {
      jsonrpc: '2.0',
      id: call.id,
      error: {
        code: code === -32002 ? -32602 : code,
        message: error.message ?? 'Internal error',
        ...(error.data !== undefined && { data: error.data }),
      },
    };
    return Response.json(body, { status: 200, headers });
  }
}
