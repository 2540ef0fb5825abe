import {
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolRequestParams,
  type CallToolResult,
  type ClientCapabilities,
  type InputRequiredResult,
  type McpHttpHandler,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import type { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { CacheSlot, type Deps } from '../deps.ts';
import { callContext } from '../sessions/call-context.ts';
import { approvalKeys, approvalSchema, askedApprovals, type ElicitAnswer, givenAnswers } from '../sessions/input-required.ts';
import { type InputState, openRequestState, RequestStateError, sealRequestState, type StateBinding } from '../sessions/request-state.ts';
import type { Session } from '../sessions/session.ts';
import { callSessionTool, INSTRUCTIONS, listSessionTools, type UserQuestion } from './session-tools.ts';
import { VALIDATOR } from './validator.ts';

/**
 * The 2026-07-28 era on SDK v2: no `initialize`, each request carries its protocol version and the
 * client's capabilities in `_meta`, `server/discover` is answered, and a Connect Link reaches a
 * client that declared URL elicitation as an input-required result (spec basic/patterns/mrtr)
 * whose retry runs the call once the account is ACTIVE. One handler per app; a fresh low-level
 * Server per request, for the session the route authenticated (handed over in `authInfo.extra`).
 */

/** The key of the Connect Link's input request (approvals are keyed by input-required.ts). */
const CONNECT = 'connect';

function buildModernServer(deps: Deps, session: Session, validator: AjvJsonSchemaValidator): Server {
  const server = new Server(
    { name: 'latchkey', version: '0.1.0' },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: validator },
  );
  server.setRequestHandler('tools/list', async () => ({ tools: listSessionTools(deps, session) as Tool[] }));
  server.setRequestHandler('tools/call', async (request, ctx) => callModern(deps, session, request.params, ctx));
  return server;
}

/** Which elicitation modes this request's client declared (2026-07-28 basic/lifecycle: per request, in `_meta`). */
function elicitationModes(ctx: ServerContext): { form: boolean; url: boolean } {
  // the SDK types the envelope's keys as wire-only
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const elicitation = (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined)?.elicitation;
  if (!elicitation) return { form: false, url: false };
  // client/elicitation: an empty elicitation capability means form mode only
  const declared = elicitation as { form?: unknown; url?: unknown };
  return { form: declared.form !== undefined || declared.url === undefined, url: declared.url !== undefined };
}

function answerFor(ctx: ServerContext) {
  return (key: string): ElicitAnswer | undefined => {
    const view = inputResponse(ctx.mcpReq.inputResponses, key);
    return view.kind === 'elicit' ? { action: view.action, content: view.content } : undefined;
  };
}

async function callModern(
  deps: Deps,
  session: Session,
  params: CallToolRequestParams,
  ctx: ServerContext,
): Promise<CallToolResult | InputRequiredResult> {
  const args = params.arguments ?? {};
  const binding = { sessionId: session.id, tool: params.name, args };
  const echoed = ctx.mcpReq.requestState();
  let state: InputState | undefined;
  if (echoed !== undefined) {
    try {
      state = await openRequestState(deps, binding, echoed);
    } catch (error) {
      if (!(error instanceof RequestStateError)) throw error;
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message, { reason: 'invalid_request_state' });
    }
  }
  const modes = elicitationModes(ctx);
  const context = callContext({
    answers: state ? givenAnswers(state, answerFor(ctx)) : undefined,
    canAsk: modes.form || modes.url,
  });
  return (await callSessionTool(deps, session, params.name, args, context, (question) => askUser(deps, binding, modes, ctx, question))) as
    | CallToolResult
    | InputRequiredResult;
}

/** A question for the user as an input-required result (spec basic/patterns/mrtr), or none when the client cannot be asked. */
async function askUser(
  deps: Deps,
  binding: StateBinding,
  modes: { form: boolean; url: boolean },
  ctx: ServerContext,
  question: UserQuestion,
): Promise<InputRequiredResult | undefined> {
  if (question.kind === 'approve') {
    const keyed = approvalKeys(question.asks);
    // a form where the client shows one (the answer comes back with the retry), else the approval page
    const request = modes.form
      ? (ask: (typeof keyed)[number][1]) => inputRequired.elicit({ message: ask.message, requestedSchema: approvalSchema(ask) })
      : (ask: (typeof keyed)[number][1]) => inputRequired.elicitUrl({ message: ask.message, url: ask.pageUrl });
    return inputRequired({
      inputRequests: Object.fromEntries(keyed.map(([key, ask]) => [key, request(ask)])),
      requestState: sealRequestState(deps, binding, askedApprovals(keyed, !modes.form)),
    });
  }
  const { connect } = question;
  // declined or cancelled: the link goes to the model as words, so the user can still take it later
  const answer = inputResponse(ctx.mcpReq.inputResponses, CONNECT);
  if (answer.kind === 'elicit' && answer.action !== 'accept') return undefined;
  if (!modes.url) return undefined;
  return inputRequired({
    inputRequests: {
      [CONNECT]: inputRequired.elicitUrl({ message: `Connect your ${connect.toolkit.name} account to continue.`, url: connect.url }),
    },
    requestState: sealRequestState(deps, binding, { connect: { toolkit: connect.toolkit.slug, account: connect.connectedAccountId } }),
  });
}

function createModernHandler(deps: Deps): McpHttpHandler {
  const validator = deps.caches.get(VALIDATOR);
  return createMcpHandler(({ authInfo }) => buildModernServer(deps, authInfo?.extra?.session as Session, validator), {
    // 2025-era requests never reach this handler (route.ts sends them to legacy.ts)
    legacy: 'reject',
    // responseMode stays 'auto': a handler here emits nothing before its result, so every answer is
    // one JSON body and no response is held open
    onerror: (error) => deps.log.debug({ err: { name: error.name, message: error.message } }, 'MCP request refused'),
  });
}

// one handler per app, made on first use
const HANDLER = new CacheSlot('MCP 2026-07-28 handler', () => ({ handler: undefined as McpHttpHandler | undefined }));

/**
 * latchkey declares no listChanged capability (a session's tools change only when the app edits
 * its config), so a `subscriptions/listen` stream would stay open with nothing ever to carry, like
 * the GET stream of the 2025 era (answered 405). It is refused at once instead: -32601 is what a
 * server that advertises no subscription capability answers.
 */
function refusesListen(body: unknown): Response | undefined {
  const message = body as { method?: unknown; id?: unknown } | null;
  if (message?.method !== 'subscriptions/listen') return undefined;
  const error = {
    code: -32601,
    message: 'Method not found: this server publishes no change notifications, so there is nothing to listen for',
  };
  return Response.json({ jsonrpc: '2.0', id: message.id ?? null, error });
}

/** Serves one 2026-07-28 POST whose body was already read and parsed. */
export async function serveModern(deps: Deps, session: Session, request: Request, body: unknown): Promise<Response> {
  const refused = refusesListen(body);
  if (refused) return refused;
  const slot = deps.caches.get(HANDLER);
  slot.handler ??= createModernHandler(deps);
  return slot.handler.fetch(request, {
    parsedBody: body,
    authInfo: { token: '', clientId: session.id, scopes: [], extra: { session } },
  });
}
