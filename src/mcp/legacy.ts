import {
  Server,
  UrlElicitationRequiredError,
  WebStandardStreamableHTTPServerTransport,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/server';
import type { Deps } from '../deps.ts';
import { clientTakesUrlElicitation, rememberClient } from '../sessions/mcp-clients.ts';
import { mayAskApproval } from '../sessions/approval-policy.ts';
import { callContext } from '../sessions/call-context.ts';
import type { Session } from '../sessions/session.ts';
import { callSessionTool, INSTRUCTIONS, listSessionTools, SERVER_INFO, type UserQuestion } from './session-tools.ts';
import { answerLegacyToolCall, plainLegacyToolCall } from './plain-tool-call.ts';
import { VALIDATOR } from './validator.ts';

/**
 * The 2025 era (2025-11-25, 2025-06-18 and older: an `initialize` handshake, then requests without
 * the per-request `_meta` envelope), served on SDK v2 as it was on v1: one low-level Server and a
 * stateless transport with JSON answers per request (v2's own stateless 2025 fallback answers over
 * SSE, and has no hook for the capability memory below); a tools/call in the plain shape goes
 * without them (plain-tool-call.ts). What a client can do (URL elicitation) is learned at
 * `initialize` and kept in `mcp_clients`, keyed by the `mcp-session-id` this server hands out and
 * the client echoes; a 2026-07-28 client declares it on every request instead and needs no row.
 */

interface ClientInfo {
  /** asked only when there is a link to give, so an ordinary call does not pay for looking the client up */
  urlElicitation(): Promise<boolean>;
}

/** One tools/call of the 2025 era, through the SDK's Server or answered directly (plain-tool-call.ts). */
async function legacyToolCall(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  client: ClientInfo,
): Promise<CallToolResult> {
  // approvals reach a 2025-era client only as links to the approval page, which it opens for the
  // user (URL elicitation): a form would need this request held open for the answer, and the answer
  // can arrive at another process; the client is looked up only if this session can ask at all
  const canAsk = mayAskApproval(session.config) && (await client.urlElicitation());
  const context = callContext({ canAsk });
  const ask = async (question: UserQuestion): Promise<never | undefined> => {
    if (question.kind === 'approve') {
      throw new UrlElicitationRequiredError(
        question.asks.map((ask) => ({ mode: 'url', message: ask.message, url: ask.pageUrl, elicitationId: ask.callHash })),
      );
    }
    if (!(await client.urlElicitation())) return undefined;
    const { connect } = question;
    // 2025-11-25: a URL elicitation the client opens for the user (error -32042)
    throw new UrlElicitationRequiredError([
      {
        mode: 'url',
        message: `Connect your ${connect.toolkit.name} account to continue.`,
        url: connect.url,
        elicitationId: connect.connectedAccountId ?? connect.toolkit.slug,
      },
    ]);
  };
  return callSessionTool<never>(deps, session, name, args, context, ask);
}

function buildLegacyServer(deps: Deps, session: Session, client: ClientInfo): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: INSTRUCTIONS,
    jsonSchemaValidator: deps.caches.get(VALIDATOR),
  });
  server.setRequestHandler('tools/list', async () => ({ tools: listSessionTools(deps, session) as Tool[] }));
  server.setRequestHandler('tools/call', async (request) =>
    legacyToolCall(deps, session, request.params.name, request.params.arguments ?? {}, client),
  );
  return server;
}

type InitializeParams = { capabilities?: { elicitation?: { url?: unknown } }; clientInfo?: { name?: string } };

/** What a client that made its `initialize` earlier declared, looked up at most once per request. */
function knownClient(deps: Deps, session: Session, clientId: string | undefined): ClientInfo {
  if (!clientId) return { urlElicitation: async () => false };
  let declared: Promise<boolean> | undefined;
  return { urlElicitation: () => (declared ??= clientTakesUrlElicitation(deps, clientId, session.id)) };
}

/** Serves one 2025-era POST whose body was already read and parsed. */
export async function serveLegacy(deps: Deps, session: Session, request: Request, body: unknown): Promise<Response> {
  const call = plainLegacyToolCall(request, body);
  if (!call) return serveLegacyThroughSdk(deps, session, request, body);
  const client = knownClient(deps, session, request.headers.get('mcp-session-id') ?? undefined);
  return answerLegacyToolCall(call, () => legacyToolCall(deps, session, call.name, call.args, client));
}

/** Serves one 2025-era POST through the SDK's stateless transport and a Server of its own. */
export async function serveLegacyThroughSdk(deps: Deps, session: Session, request: Request, body: unknown): Promise<Response> {
  const message = body as { method?: string; params?: InitializeParams };
  let clientId = request.headers.get('mcp-session-id') ?? undefined;
  let client = knownClient(deps, session, clientId);
  if (message?.method === 'initialize') {
    const declared = message.params?.capabilities?.elicitation?.url !== undefined;
    client = { urlElicitation: async () => declared };
    clientId = await rememberClient(deps, session.id, {
      urlElicitation: declared,
      name: String(message.params?.clientInfo?.name ?? '').slice(0, 100) || null,
    });
  }
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await buildLegacyServer(deps, session, client).connect(transport);
  const response = await transport.handleRequest(request, { parsedBody: body });
  if (message?.method !== 'initialize' || !clientId) return response;
  // remember this client across stateless requests: the SDK client echoes mcp-session-id
  const headers = new Headers(response.headers);
  headers.set('mcp-session-id', clientId);
  return new Response(response.body, { status: response.status, headers });
}
