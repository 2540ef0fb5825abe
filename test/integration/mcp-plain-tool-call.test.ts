import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveLegacy, serveLegacyThroughSdk } from '../../src/mcp/legacy.ts';
import { serveModern, serveModernThroughSdk } from '../../src/mcp/modern.ts';
import { plainLegacyToolCall, plainModernToolCall } from '../../src/mcp/plain-tool-call.ts';
import { getSession, type Session } from '../../src/sessions/session.ts';
import { bearerToolkit } from '../helpers/bearer-toolkit.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// A 2025-era tools/call in its plain shape is answered without the SDK's transport and Server
// (src/mcp/plain-tool-call.ts). Whatever the call does (a result, a tool error, a bad argument, a
// Connect Link as words or as a URL elicitation, an approval to give), the answer must be the one the
// SDK path gives for the same request: same status, same content type, same JSON-RPC body. And a
// request the SDK would answer otherwise than through the tool handler must not be taken at all.

function toolkit(slug: string, baseUrl: string) {
  const upper = slug.toUpperCase();
  return bearerToolkit(slug, baseUrl, [
    {
      slug: `${upper}_GET_ITEM`,
      name: 'get item',
      description: 'Get an item from the local API, for the plain tools/call tests.',
      tags: ['readOnlyHint'],
      input_parameters: { type: 'object', properties: { item_id: { type: 'string' } }, required: ['item_id'] },
      request: { method: 'GET', path: '/items/{item_id}' },
      source: { docs: 'https://docs.example.com/api' },
    },
    {
      slug: `${upper}_CREATE_ITEM`,
      name: 'create item',
      description: 'Create an item in the local API, for the plain tools/call tests.',
      tags: ['createHint'],
      input_parameters: { type: 'object', properties: { title: { type: 'string' } } },
      request: { method: 'POST', path: '/items', body: 'json' },
      source: { docs: 'https://docs.example.com/api' },
    },
  ]);
}

let upstream: FakeUpstream;
let t: TestApp;
const dir = makeTempDir();
let plain: Session;
let approving: Session;
/** per session, the mcp-session-id of a 2025 client that declared URL elicitation at initialize */
const urlClients = new Map<Session, string>();

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

const post = (headers: Record<string, string>, body: unknown) =>
  new Request('http://127.0.0.1/tool_router/trs_x/mcp', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // prefixes, the latest registered first: the collection before its items
  upstream.on('/items', (_req, res) => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'n1' }));
  });
  upstream.on('/items/a1', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'a1', title: 'the item', tags: ['ü', '𝄞'] }));
  });
  upstream.on('/items/gone', (_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'no such item' }));
  });
  mkdirSync(`${dir.path}/toolkits`);
  for (const slug of ['itemapi', 'otherapi'])
    writeFileSync(`${dir.path}/toolkits/${slug}.json`, JSON.stringify(toolkit(slug, upstream.url)));
  // one instant for the whole file: a meta tool's answer tells the time, and both paths must say the same
  const instant = Date.now();
  t = await createTestApp({
    clock: { now: () => instant },
    env: { LATCHKEY_TOOLKITS_DIR: `${dir.path}/toolkits`, LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' },
  });
  const api = async (path: string, body: unknown) => {
    const res = await t.call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, path).toBeLessThan(300);
    return (await res.json()) as any;
  };
  const itemConfig = (await api('/api/v3.1/auth_configs', { toolkit: { slug: 'itemapi' } })).auth_config.id;
  await api('/api/v3.1/auth_configs', { toolkit: { slug: 'otherapi' } });
  await api('/api/v3.1/connected_accounts', {
    auth_config: { id: itemConfig },
    connection: { user_id: 'u1', state: { authScheme: 'BEARER_TOKEN', val: { token: 'item-token' } } },
  });
  const toolkits = ['itemapi', 'otherapi'];
  const plainId = (await api('/api/v3.1/tool_router/session', { user_id: 'u1', toolkits, preload: { tools: 'all' } })).session_id;
  const approvingId = (
    await api('/api/v3.1/tool_router/session', {
      user_id: 'u1',
      toolkits,
      preload: { tools: 'all' },
      tags: { require_approval: ['createHint'] },
    })
  ).session_id;
  plain = await getSession(t.deps, plainId);
  approving = await getSession(t.deps, approvingId);
  // initialize always goes through the SDK; its mcp-session-id names the client on later requests
  const initialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: { elicitation: { url: {} } }, clientInfo: { name: 'plain-test', version: '1' } },
  };
  for (const session of [plain, approving]) {
    const opened = await serveLegacy(t.deps, session, post(HEADERS, initialize), initialize);
    expect(opened.status).toBe(200);
    urlClients.set(session, opened.headers.get('mcp-session-id')!);
    expect(urlClients.get(session)).toBeTruthy();
  }
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  dir.cleanup();
});

const call = (name: string, args?: unknown, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: args === undefined ? { name } : { name, arguments: args },
});

type Answer = { status: number; contentType: string | null; sessionHeader: string | null; text: string };
const answerOf = async (response: Response): Promise<Answer> => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  sessionHeader: response.headers.get('mcp-session-id'),
  text: await response.text(),
});

/** The same request through both paths, in turn; the plain path must be the one serveLegacy took. */
async function bothPaths(session: Session, headers: Record<string, string>, body: unknown) {
  expect(plainLegacyToolCall(post(headers, body), body), 'taken by the plain path').toBeDefined();
  const direct = await answerOf(await serveLegacy(t.deps, session, post(headers, body), body));
  const sdk = await answerOf(await serveLegacyThroughSdk(t.deps, session, post(headers, body), body));
  return { direct, sdk };
}

describe('a plain 2025-era tools/call answers as the SDK does', () => {
  const cases: Array<[string, () => Session, Record<string, string>, unknown, (body: any) => void]> = [
    [
      'a result, numeric id',
      () => plain,
      HEADERS,
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 7),
      (body) => expect(JSON.parse(body.result.content[0].text).data).toMatchObject({ id: 'a1', tags: ['ü', '𝄞'] }),
    ],
    [
      'a result, string id',
      () => plain,
      HEADERS,
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 'req-1'),
      (body) => expect(body.id).toBe('req-1'),
    ],
    ['id 0', () => plain, HEADERS, call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 0), (body) => expect(body.id).toBe(0)],
    ['a negative id', () => plain, HEADERS, call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, -5), (body) => expect(body.id).toBe(-5)],
    [
      'an id at 2^53 - 1',
      () => plain,
      HEADERS,
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 2 ** 53 - 1),
      (body) => expect(body.id).toBe(2 ** 53 - 1),
    ],
    [
      'the upstream answers 404',
      () => plain,
      HEADERS,
      call('ITEMAPI_GET_ITEM', { item_id: 'gone' }),
      (body) => expect(body.result.isError).toBe(true),
    ],
    [
      'a missing required argument',
      () => plain,
      HEADERS,
      call('ITEMAPI_GET_ITEM', {}),
      (body) => expect(body.result).toMatchObject({ isError: true, content: [{ type: 'text', text: expect.stringContaining('item_id') }] }),
    ],
    ['no arguments member', () => plain, HEADERS, call('ITEMAPI_GET_ITEM'), (body) => expect(body.result.isError).toBe(true)],
    ['an unknown tool', () => plain, HEADERS, call('NO_SUCH_TOOL', {}), (body) => expect(body.result.isError).toBe(true)],
    ['an empty tool name', () => plain, HEADERS, call('', {}), (body) => expect(body.result.isError).toBe(true)],
    [
      'a meta tool',
      () => plain,
      HEADERS,
      call('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'get an item' }] }),
      (body) => expect(body.result.content[0].type).toBe('text'),
    ],
    [
      'a __proto__ argument',
      () => plain,
      HEADERS,
      JSON.parse(
        '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"ITEMAPI_GET_ITEM","arguments":{"item_id":"a1","__proto__":{"x":1}}}}',
      ),
      (body) => expect(body.id).toBe(3),
    ],
    [
      'a not-connected toolkit, client without URL elicitation: the link as words',
      () => plain,
      HEADERS,
      call('OTHERAPI_GET_ITEM', { item_id: 'a1' }),
      (body) => expect(body.result.content[0].text).toContain('http'),
    ],
    [
      'a not-connected toolkit, client with URL elicitation: -32042',
      () => plain,
      { ...HEADERS, 'mcp-session-id': '' },
      call('OTHERAPI_GET_ITEM', { item_id: 'a1' }),
      (body) => expect(body.error).toMatchObject({ code: -32042, data: { elicitations: [{ mode: 'url' }] } }),
    ],
    [
      'an approval to give, client with URL elicitation: -32042 to the approval page',
      () => approving,
      { ...HEADERS, 'mcp-session-id': '' },
      call('ITEMAPI_CREATE_ITEM', { title: 'new' }),
      (body) => expect(body.error).toMatchObject({ code: -32042, data: { elicitations: [{ mode: 'url' }] } }),
    ],
    [
      'an approval to give, client that cannot be asked: the call runs without asking',
      () => approving,
      HEADERS,
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }),
      (body) => expect(body.result.isError).toBe(false),
    ],
    [
      'an unknown mcp-session-id',
      () => plain,
      { ...HEADERS, 'mcp-session-id': 'not-a-client' },
      call('OTHERAPI_GET_ITEM', { item_id: 'a1' }),
      (body) => expect(body.result.isError).toBe(true),
    ],
    [
      'a JSON content type with parameters',
      () => plain,
      { ...HEADERS, 'content-type': 'application/json; charset=utf-8' },
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }),
      () => {},
    ],
    [
      'accept in another order',
      () => plain,
      { ...HEADERS, accept: 'text/event-stream, application/json' },
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }),
      () => {},
    ],
    [
      'a 2025-06-18 version header',
      () => plain,
      { ...HEADERS, 'mcp-protocol-version': '2025-06-18' },
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }),
      () => {},
    ],
    [
      'a 2025-11-25 version header',
      () => plain,
      { ...HEADERS, 'mcp-protocol-version': '2025-11-25' },
      call('ITEMAPI_GET_ITEM', { item_id: 'a1' }),
      () => {},
    ],
  ];
  for (const [name, session, headers, body, check] of cases) {
    it(name, async () => {
      const withClient = headers['mcp-session-id'] === '' ? { ...headers, 'mcp-session-id': urlClients.get(session())! } : headers;
      const { direct, sdk } = await bothPaths(session(), withClient, body);
      expect(direct).toEqual(sdk);
      expect(direct.status).toBe(200);
      check(JSON.parse(direct.text));
    });
  }
});

describe('a request the SDK answers otherwise is not taken by the plain path', () => {
  const declined: Array<[string, Record<string, string>, unknown]> = [
    ['accept without an event stream (406)', { ...HEADERS, accept: 'application/json' }, call('ITEMAPI_GET_ITEM', { item_id: 'a1' })],
    ['no accept header', { 'content-type': 'application/json' }, call('ITEMAPI_GET_ITEM', { item_id: 'a1' })],
    ['a text/plain body (415)', { ...HEADERS, 'content-type': 'text/plain' }, call('ITEMAPI_GET_ITEM', { item_id: 'a1' })],
    ['an unknown version header (400)', { ...HEADERS, 'mcp-protocol-version': 'banana' }, call('ITEMAPI_GET_ITEM', { item_id: 'a1' })],
    ['arguments that are an array (-32602)', HEADERS, call('ITEMAPI_GET_ITEM', ['a1'])],
    ['arguments that are null', HEADERS, call('ITEMAPI_GET_ITEM', null)],
    ['a name that is a number', HEADERS, call(7 as unknown as string, {})],
    [
      'params with _meta',
      HEADERS,
      { ...call('ITEMAPI_GET_ITEM', { item_id: 'a1' }), params: { name: 'ITEMAPI_GET_ITEM', _meta: { progressToken: 1 } } },
    ],
    ['params with a task', HEADERS, { ...call('ITEMAPI_GET_ITEM', { item_id: 'a1' }), params: { name: 'ITEMAPI_GET_ITEM', task: {} } }],
    ['no params', HEADERS, { jsonrpc: '2.0', id: 1, method: 'tools/call' }],
    ['an extra member', HEADERS, { ...call('ITEMAPI_GET_ITEM', { item_id: 'a1' }), extra: 1 }],
    ['an id that is a fraction', HEADERS, call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 1.5)],
    ['an id past 2^53', HEADERS, call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, 2 ** 60)],
    ['an id that is null', HEADERS, call('ITEMAPI_GET_ITEM', { item_id: 'a1' }, null)],
    ['no id (a notification)', HEADERS, { jsonrpc: '2.0', method: 'tools/call', params: { name: 'ITEMAPI_GET_ITEM' } }],
    ['jsonrpc 1.0', HEADERS, { ...call('ITEMAPI_GET_ITEM', { item_id: 'a1' }), jsonrpc: '1.0' }],
    ['a batch', HEADERS, [call('ITEMAPI_GET_ITEM', { item_id: 'a1' })]],
    ['tools/list', HEADERS, { jsonrpc: '2.0', id: 1, method: 'tools/list' }],
  ];
  for (const [name, headers, body] of declined) {
    it(name, async () => {
      expect(plainLegacyToolCall(post(headers, body), body)).toBeUndefined();
      // served through the SDK, as before: the same answer either way in
      const direct = await answerOf(await serveLegacy(t.deps, plain, post(headers, body), body));
      const sdk = await answerOf(await serveLegacyThroughSdk(t.deps, plain, post(headers, body), body));
      expect(direct).toEqual(sdk);
    });
  }
});

// The same for a first 2026-07-28 call: the envelope in `_meta`, the standard headers beside it.
const VERSION = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
const CLIENT = 'io.modelcontextprotocol/clientInfo';
const modernCall = (name: string, args: unknown, meta: Record<string, unknown> = {}, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: { [VERSION]: '2026-07-28', [CAPABILITIES]: {}, ...meta } },
});
const modernHeaders = (name: string) => ({
  ...HEADERS,
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': 'tools/call',
  'mcp-name': name,
});
const URL_CLIENT = { [CAPABILITIES]: { elicitation: { url: {} } } };
const FORM_CLIENT = { [CAPABILITIES]: { elicitation: { form: {}, url: {} } }, [CLIENT]: { name: 'plain-test', version: '1.0.0' } };

/** A sealed requestState differs on every seal (a fresh nonce): the two paths' states are compared by form. */
const withoutState = (answer: Answer) => ({ ...answer, text: answer.text.replace(/"requestState":"[^"]+"/g, '"requestState":"<sealed>"') });

describe('a plain 2026-07-28 tools/call answers as the SDK does', () => {
  const cases: Array<[string, () => Session, unknown, (body: any) => void]> = [
    [
      'a result',
      () => plain,
      modernCall('ITEMAPI_GET_ITEM', { item_id: 'a1' }, {}, 9),
      (body) =>
        expect(body.result).toMatchObject({ resultType: 'complete', isError: false, _meta: { 'io.modelcontextprotocol/serverInfo': {} } }),
    ],
    [
      'a result, string id, client info',
      () => plain,
      modernCall('ITEMAPI_GET_ITEM', { item_id: 'a1' }, FORM_CLIENT, 'r-2'),
      (body) => expect(body.id).toBe('r-2'),
    ],
    ['a tool error', () => plain, modernCall('ITEMAPI_GET_ITEM', { item_id: 'gone' }), (body) => expect(body.result.isError).toBe(true)],
    ['a bad argument', () => plain, modernCall('ITEMAPI_GET_ITEM', { item_id: 5 }), (body) => expect(body.result.isError).toBe(true)],
    ['an unknown tool', () => plain, modernCall('NO_SUCH_TOOL', {}), (body) => expect(body.result.isError).toBe(true)],
    [
      'a meta tool',
      () => plain,
      modernCall('COMPOSIO_SEARCH_TOOLS', { queries: [{ use_case: 'create an item' }] }),
      (body) => expect(body.result.resultType).toBe('complete'),
    ],
    [
      'not connected, no URL elicitation: the link as words',
      () => plain,
      modernCall('OTHERAPI_GET_ITEM', { item_id: 'a1' }),
      (body) => expect(body.result.content[0].text).toContain('http'),
    ],
    [
      'not connected, URL elicitation: an input-required URL request',
      () => plain,
      modernCall('OTHERAPI_GET_ITEM', { item_id: 'a1' }, URL_CLIENT),
      (body) =>
        expect(body.result).toMatchObject({
          resultType: 'input_required',
          inputRequests: { connect: { method: 'elicitation/create', params: { mode: 'url' } } },
          requestState: '<sealed>',
        }),
    ],
    [
      'an approval, form elicitation: an input-required form',
      () => approving,
      modernCall('ITEMAPI_CREATE_ITEM', { title: 'new' }, FORM_CLIENT),
      (body) => expect(body.result).toMatchObject({ resultType: 'input_required', requestState: '<sealed>' }),
    ],
    [
      'an approval, URL elicitation only: the approval page',
      () => approving,
      modernCall('ITEMAPI_CREATE_ITEM', { title: 'new' }, URL_CLIENT),
      (body) => expect(JSON.stringify(body.result.inputRequests)).toContain('"mode":"url"'),
    ],
  ];
  for (const [name, session, body, check] of cases) {
    it(name, async () => {
      const headers = modernHeaders((body as any).params.name);
      expect(plainModernToolCall(post(headers, body), body), 'taken by the plain path').toBeDefined();
      const direct = withoutState(await answerOf(await serveModern(t.deps, session(), post(headers, body), body)));
      const sdk = withoutState(await answerOf(await serveModernThroughSdk(t.deps, session(), post(headers, body), body)));
      expect(direct).toEqual(sdk);
      expect(direct.status).toBe(200);
      check(JSON.parse(direct.text));
    });
  }
});

describe('a 2026-07-28 request the SDK answers otherwise is not taken by the plain path', () => {
  const call = modernCall('ITEMAPI_GET_ITEM', { item_id: 'a1' });
  const headers = modernHeaders('ITEMAPI_GET_ITEM');
  const withParams = (params: Record<string, unknown>) => ({ ...call, params: { ...call.params, ...params } });
  const withMeta = (meta: Record<string, unknown>) => modernCall('ITEMAPI_GET_ITEM', { item_id: 'a1' }, meta);
  const declined: Array<[string, Record<string, string>, unknown]> = [
    ['no Mcp-Name header (-32020)', { ...headers, 'mcp-name': '' }, call],
    ['an Mcp-Name that is another tool', { ...headers, 'mcp-name': 'OTHERAPI_GET_ITEM' }, call],
    ['an Mcp-Method that is another method', { ...headers, 'mcp-method': 'tools/list' }, call],
    ['a 2025 version header', { ...headers, 'mcp-protocol-version': '2025-11-25' }, call],
    ['no version header', { ...HEADERS, 'mcp-method': 'tools/call', 'mcp-name': 'ITEMAPI_GET_ITEM' }, call],
    ['a text/plain body (415)', { ...headers, 'content-type': 'text/plain' }, call],
    ['an envelope of another revision', headers, withMeta({ [VERSION]: '2026-07-29' })],
    ['an envelope without capabilities', headers, withMeta({ [CAPABILITIES]: undefined })],
    ['capabilities that are not an object', headers, withMeta({ [CAPABILITIES]: 'all' })],
    ['sampling declared', headers, withMeta({ [CAPABILITIES]: { sampling: {} } })],
    ['a form mode with options', headers, withMeta({ [CAPABILITIES]: { elicitation: { form: { applyDefaults: true } } } })],
    ['an unknown elicitation mode', headers, withMeta({ [CAPABILITIES]: { elicitation: { voice: {} } } })],
    ['client info with a title', headers, withMeta({ [CLIENT]: { name: 'c', version: '1', title: 'C' } })],
    ['client info without a version', headers, withMeta({ [CLIENT]: { name: 'c' } })],
    ['a progress token', headers, withMeta({ progressToken: 1 })],
    ['a log level', headers, withMeta({ 'io.modelcontextprotocol/logLevel': 'debug' })],
    ['a retry with requestState', headers, withParams({ requestState: 'x' })],
    ['a retry with input responses', headers, withParams({ inputResponses: { connect: { action: 'accept' } } })],
    ['arguments that are an array', headers, withParams({ arguments: ['a1'] })],
    ['a name with a space', { ...headers, 'mcp-name': 'ITEMAPI GET' }, withParams({ name: 'ITEMAPI GET' })],
    ['an id that is null', headers, { ...call, id: null }],
    ['server/discover', { ...headers, 'mcp-method': 'server/discover' }, { ...call, method: 'server/discover' }],
  ];
  for (const [name, requestHeaders, body] of declined) {
    it(name, async () => {
      const cleaned = JSON.parse(JSON.stringify(body));
      const sent = Object.fromEntries(Object.entries(requestHeaders).filter(([, value]) => value !== ''));
      expect(plainModernToolCall(post(sent, cleaned), cleaned)).toBeUndefined();
      const direct = withoutState(await answerOf(await serveModern(t.deps, plain, post(sent, cleaned), cleaned)));
      const sdk = withoutState(await answerOf(await serveModernThroughSdk(t.deps, plain, post(sent, cleaned), cleaned)));
      expect(direct).toEqual(sdk);
    });
  }
});
