import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  type InputRequiredResult,
  isJsonContentType,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { isPlainObject } from '../json-object.ts';

/**
 * A `tools/call` in the plain shape an SDK client sends, answered without the SDK's per-request
 * transport and Server, in either era. For such a call the SDK's stateless path (the transport's
 * header checks, the JSON-RPC message schema, the era classification, the Server's request and
 * result schemas, a transport and a Server built and connected, a Response resolved through the
 * transport's stream map) is some 120-150 µs of CPU on this machine kind, as much as the rest of
 * latchkey's own work on the call, and it decides nothing the shapes below leave open. Every other
 * request (initialize, ping, tools/list, server/discover, notifications, batches, a retry carrying
 * `requestState` or input responses, extra `_meta`, odd ids, names or headers, anything malformed)
 * still goes through the SDK, which answers the errors. The answers are the SDK's, to the byte:
 * test/integration/mcp-plain-tool-call.test.ts holds the two paths to the same status, headers and
 * body in both eras, and the SDK clients' end-to-end tests run through these paths.
 */

export interface PlainToolCall {
  id: string | number;
  name: string;
  args: Record<string, unknown>;
}

export interface PlainModernToolCall extends PlainToolCall {
  /** what the client declared in this request's envelope: nothing, or elicitation modes */
  capabilities: ClientCapabilities;
}

const CALL_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);
const LEGACY_PARAMS = new Set(['name', 'arguments']);
const MODERN_PARAMS = new Set(['name', 'arguments', '_meta']);
const ENVELOPE_MEMBERS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY]);
const READ_CAPABILITIES = new Set(['elicitation']);
const ELICITATION_MODES = new Set(['form', 'url']);
const CLIENT_INFO_MEMBERS = new Set(['name', 'version']);
const MODERN_REVISION = '2026-07-28';
/** the tool names of MCP's naming rule (spec 2025-11-25 server/tools "Tool names"): nothing an Mcp-Name header must encode */
const PLAIN_TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

const onlyMembers = (value: Record<string, unknown>, allowed: Set<string>) => Object.keys(value).every((key) => allowed.has(key));
const isEmptyObject = (value: unknown) => isPlainObject(value) && Object.keys(value).length === 0;

/** The JSON-RPC request members and the call's name and arguments, when all are plain; the params too. */
function plainCall(body: unknown, paramsMembers: Set<string>): (PlainToolCall & { params: Record<string, unknown> }) | undefined {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call') return undefined;
  // the SDK's RequestId: a string or an integer (JSON-RPC 2.0 §4 allows more; MCP does not)
  const { id, params } = body;
  if (typeof id !== 'string' && !Number.isSafeInteger(id)) return undefined;
  if (!onlyMembers(body, CALL_MEMBERS) || !isPlainObject(params) || !onlyMembers(params, paramsMembers)) return undefined;
  const { name, arguments: args = {} } = params;
  if (typeof name !== 'string' || !isPlainObject(args)) return undefined;
  return { id: id as string | number, name, args, params };
}

/**
 * The transport's checks on a POST (streamable HTTP, spec 2025-11-25 basic/transports): the client
 * accepts both JSON and an event stream and sends JSON.
 */
function plainPost(request: Request): boolean {
  const accept = request.headers.get('accept');
  if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) return false;
  return isJsonContentType(request.headers.get('content-type'));
}

/**
 * A 2025-era call the SDK's stateless JSON transport would hand to the Server's tools/call handler
 * unchanged: no `_meta`, and no version header or one the SDK supports. Else undefined.
 */
export function plainLegacyToolCall(request: Request, body: unknown): PlainToolCall | undefined {
  const call = plainCall(body, LEGACY_PARAMS);
  if (!call || !plainPost(request)) return undefined;
  const version = request.headers.get('mcp-protocol-version');
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined;
  return { id: call.id, name: call.name, args: call.args };
}

/**
 * A 2026-07-28 first call (no `requestState`, no input responses) that the SDK's `createMcpHandler`
 * would classify as modern and hand to the Server unchanged: the envelope holds the revision, the
 * capabilities latchkey reads (none, or elicitation modes declared as empty objects) and at most the
 * client's name and version; the `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers say
 * what the body says (spec 2026-07-28 basic/transports). Else undefined.
 */
export function plainModernToolCall(request: Request, body: unknown): PlainModernToolCall | undefined {
  const call = plainCall(body, MODERN_PARAMS);
  if (!call || !plainPost(request) || !PLAIN_TOOL_NAME.test(call.name)) return undefined;
  const envelope = call.params._meta;
  if (!isPlainObject(envelope) || !onlyMembers(envelope, ENVELOPE_MEMBERS)) return undefined;
  if (envelope[PROTOCOL_VERSION_META_KEY] !== MODERN_REVISION) return undefined;
  const capabilities = envelope[CLIENT_CAPABILITIES_META_KEY];
  if (!isPlainObject(capabilities) || !onlyMembers(capabilities, READ_CAPABILITIES)) return undefined;
  const { elicitation } = capabilities;
  if (elicitation !== undefined && !(isPlainObject(elicitation) && Object.values(elicitation).every(isEmptyObject))) return undefined;
  if (elicitation !== undefined && !onlyMembers(elicitation as Record<string, unknown>, ELICITATION_MODES)) return undefined;
  const client = envelope[CLIENT_INFO_META_KEY];
  if (client !== undefined && !(isPlainObject(client) && onlyMembers(client, CLIENT_INFO_MEMBERS))) return undefined;
  if (client !== undefined && (typeof client.name !== 'string' || typeof client.version !== 'string')) return undefined;
  const headers = request.headers;
  if (headers.get('mcp-protocol-version') !== MODERN_REVISION || headers.get('mcp-method') !== 'tools/call') return undefined;
  if (headers.get('mcp-name') !== call.name) return undefined;
  return { id: call.id, name: call.name, args: call.args, capabilities: capabilities as ClientCapabilities };
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

/**
 * A 2025-era call's answer as the SDK's JSON transport writes it: the result, or, when the handler
 * throws (a URL elicitation, -32042), a JSON-RPC error with the error's own code (where it is a safe
 * integer), message and data; both with HTTP status 200 and one JSON body.
 */
export async function answerLegacyToolCall(call: PlainToolCall, run: () => Promise<CallToolResult>): Promise<Response> {
  try {
    return Response.json({ result: await run(), jsonrpc: '2.0', id: call.id }, { status: 200, headers: JSON_HEADERS });
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
    return Response.json(body, { status: 200, headers: JSON_HEADERS });
  }
}

/**
 * A 2026-07-28 call's answer as the SDK encodes it (spec 2026-07-28 basic/patterns/mrtr and
 * server/tools): a complete result stamped `resultType: "complete"`, an input-required result as it
 * is, each with the server's identity in `_meta` (`io.modelcontextprotocol/serverInfo`). The handler
 * throws only on a retry's `requestState`, which never comes this way.
 */
export async function answerModernToolCall(
  call: PlainModernToolCall,
  serverInfo: { name: string; version: string },
  run: () => Promise<CallToolResult | InputRequiredResult>,
): Promise<Response> {
  const result: Record<string, unknown> = await run();
  const typed = result.resultType === undefined ? { ...result, resultType: 'complete' } : result;
  const stamped = { ...typed, _meta: { ...(typed._meta as object | undefined), [SERVER_INFO_META_KEY]: serverInfo } };
  return Response.json({ result: stamped, jsonrpc: '2.0', id: call.id }, { status: 200, headers: JSON_HEADERS });
}
