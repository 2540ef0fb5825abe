import {
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  Server,
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
import { callSessionTool, INSTRUCTIONS, listSessionTools, SERVER_INFO, type UserQuestion } from './session-tools.ts';
import { answerModernToolCall, plainModernToolCall } from './plain-tool-call.ts';
import { VALIDATOR } from './validator.ts';

/**
 * The 2026-07-28 era on SDK v2: no `initialize`, each request carries its protocol version and the
 * client's capabilities in `_meta`, `server/discover` is answered, and a Connect Link reaches a
 * client that declared URL elicitation as an input-required result (spec basic/patterns/mrtr)
 * whose retry runs the call once the account is ACTIVE. One handler per app; a fresh low-level
 * Server per request, for the session the route authenticated (handed over in `authInfo.extra`);
 * a first tools/call in the plain shape goes without them (plain-tool-call.ts).
 */

/** The key of the Connect Link's input request (approvals are keyed by input-required.ts). */
const CONNECT = 'connect';

function buildModernServer(deps: Deps, session: Session, validator: AjvJsonSchemaValidator): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator: validator });
  server.setRequestHandler('tools/list', async () => ({ tools: listSessionTools(deps, session) as Tool[] }));
  server.setRequestHandler('tools/call', async (request, ctx) =>
    modernToolCall(deps, session, request.params.name, request.params.arguments ?? {}, inputOf(ctx)),
  );
  return server;
}

/** What a 2026-07-28 tools/call brings besides its tool and arguments (spec basic/lifecycle, basic/patterns/mrtr). */
interface ModernCallInput {
  /** the elicitation modes the client declared in this request's `_meta` */
  modes: ElicitationModes;
  /** the `requestState` the client echoed, on a retry */
  echoedState: unknown;
  /** the user's answers to the previous leg's input requests, on a retry */
  inputResponses: Record<string, unknown> | undefined;
}

type ElicitationModes = { form: boolean; url: boolean };

/** Which elicitation modes a client declared (2026-07-28 basic/lifecycle: per request, in `_meta`). */
function elicitationModes(capabilities: ClientCapabilities | undefined): ElicitationModes {
  const elicitation = capabilities?.elicitation;
  if (!elicitation) return { form: false, url: false };
  // client/elicitation: an empty elicitation capability means form mode only
  const declared = elicitation as { form?: unknown; url?: unknown };
  return { form: declared.form !== undefined || declared.url === undefined, url: declared.url !== undefined };
}

function inputOf(ctx: ServerContext): ModernCallInput {
  // the SDK types the envelope's keys as wire-only
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return {
    modes: elicitationModes(envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined),
    echoedState: ctx.mcpReq.requestState(),
    inputResponses: ctx.mcpReq.inputResponses,
  };
}

function answerFor(responses: Record<string, unknown> | undefined) {
  return (key: string): ElicitAnswer | undefined => {
    const view = inputResponse(responses, key);
    return view.kind === 'elicit' ? { action: view.action, content: view.content } : undefined;
  };
}

/** One tools/call of the 2026-07-28 era, through the SDK's Server or answered directly (plain-tool-call.ts). */
async function modernToolCall(
  deps: Deps,
  session: Session,
  name: string,
  args: Record<string, unknown>,
  input: ModernCallInput,
): Promise<CallToolResult | InputRequiredResult> {
  const binding = { sessionId: session.id, tool: name, args };
  let state: InputState | undefined;
  if (input.echoedState !== undefined) {
    try {
      state = await openRequestState(deps, binding, input.echoedState);
    } catch (error) {
      if (!(error instanceof RequestStateError)) throw error;
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message, { reason: 'invalid_request_state' });
    }
  }
  const { modes, inputResponses } = input;
  const context = callContext({
    answers: state ? givenAnswers(state, answerFor(inputResponses)) : undefined,
    canAsk: modes.form || modes.url,
  });
  return (await callSessionTool(deps, session, name, args, context, (question) =>
    askUser(deps, binding, modes, inputResponses, question),
  )) as CallToolResult | InputRequiredResult;
}

/** A question for the user as an input-required result (spec basic/patterns/mrtr), or none when the client cannot be asked. */
async function askUser(
  deps: Deps,
  binding: StateBinding,
  modes: ElicitationModes,
  inputResponses: Record<string, unknown> | undefined,
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
  const answer = inputResponse(inputResponses, CONNECT);
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
  const call = plainModernToolCall(request, body);
  if (!call) return serveModernThroughSdk(deps, session, request, body);
  const input = { modes: elicitationModes(call.capabilities), echoedState: undefined, inputResponses: undefined };
  return answerModernToolCall(call, SERVER_INFO, () => modernToolCall(deps, session, call.name, call.args, input));
}

/** Serves one 2026-07-28 POST through the SDK's `createMcpHandler` and a Server of its own. */
export async function serveModernThroughSdk(deps: Deps, session: Session, request: Request, body: unknown): Promise<Response> {
  const refused = refusesListen(body);
  if (refused) return refused;
  const slot = deps.caches.get(HANDLER);
  slot.handler ??= createModernHandler(deps);
  return slot.handler.fetch(request, {
    parsedBody: body,
    authInfo: { token: '', clientId: session.id, scopes: [], extra: { session } },
  });
}
