import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startMcpTestbed, type McpTestbed } from '../helpers/mcp-testbed.ts';

// One session URL, both protocol eras: the SDK v2 client on 2026-07-28 (no initialize, per-request
// _meta, input-required Connect Links with a sealed requestState) and the SDK v1 client on 2025-11-25.

let bed: McpTestbed;
beforeAll(async () => {
  bed = await startMcpTestbed();
});
afterAll(() => bed.close());

async function createSession(userId: string) {
  const res = await bed.app.api('/api/v3.1/tool_router/session', {
    body: {
      user_id: userId,
      toolkits: { enable: ['testoauth', 'testkey'] },
      preload: { tools: 'all' },
      auth_configs: { testoauth: bed.authConfigId },
    },
  });
  expect(res.status).toBe(201);
  return res.body as { session_id: string; mcp: { url: string; headers: Record<string, string> } };
}

type Elicit = { mode?: string; url?: string; message: string };

async function connectV2(
  url: string,
  headers: Record<string, string>,
  onElicit?: (request: Elicit) => Promise<{ action: 'accept' | 'decline' }>,
) {
  const client = new ClientV2(
    { name: 'latchkey-test-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities: onElicit ? { elicitation: { url: {} } } : {} },
  );
  if (onElicit) client.setRequestHandler('elicitation/create', async (request) => onElicit(request.params as Elicit));
  await client.connect(new TransportV2(new URL(url), { requestInit: { headers } }));
  return client;
}

async function connectV1(url: string, headers: Record<string, string>, capabilities: Record<string, unknown> = {}) {
  const client = new ClientV1({ name: 'latchkey-test-v1', version: '1.0.0' }, { capabilities });
  await client.connect(new TransportV1(new URL(url), { requestInit: { headers } }));
  return client;
}

const text = (result: any) => JSON.parse(result.content[0].text);

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};

/** A 2026-07-28 request by hand: the envelope in `_meta` (declaring URL elicitation), the standard headers beside it. */
async function rawRequest(url: string, headers: Record<string, string>, method: string, params: Record<string, unknown>, name?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': method,
      ...(name === undefined ? {} : { 'mcp-name': name }),
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method,
      params: { ...params, _meta: { ...META, 'io.modelcontextprotocol/clientCapabilities': { elicitation: { url: {} } } } },
    }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
}

const rawCall = (url: string, headers: Record<string, string>, name: string, args: object, extra: object = {}) =>
  rawRequest(url, headers, 'tools/call', { name, arguments: args, ...extra }, name);

describe('one session URL, both protocol eras', () => {
  it('serves the v2 client (2026-07-28, no initialize) and the v1 client (2025-11-25) the same tools on one session', async () => {
    const session = await createSession('ada');
    const modern = await connectV2(session.mcp.url, session.mcp.headers);
    const legacy = await connectV1(session.mcp.url, session.mcp.headers);
    expect(modern.getProtocolEra()).toBe('modern');
    expect(legacy.getServerVersion()?.name).toBe('latchkey');

    const modernTools = (await modern.listTools()).tools;
    const legacyTools = (await legacy.listTools()).tools;
    expect(modernTools.map((t) => t.name)).toEqual(legacyTools.map((t) => t.name));
    expect(modernTools.map((t) => t.name)).toContain('TESTOAUTH_GET_ME');
    expect(modernTools.find((t) => t.name === 'TESTOAUTH_GET_ME')!.annotations).toMatchObject({ readOnlyHint: true });

    for (const client of [modern, legacy]) {
      const schemas = text(
        await client.callTool({ name: 'COMPOSIO_GET_TOOL_SCHEMAS', arguments: { tool_slugs: ['TESTKEY_WHOAMI', 'NOPE'] } }),
      );
      expect(Object.keys(schemas.data.tool_schemas)).toEqual(['TESTKEY_WHOAMI']);
    }
    // a 2026-07-28 client needs no row: only the v1 client's initialize was remembered
    const rows = await bed.app.deps.db
      .selectFrom('mcp_clients')
      .select('client_name')
      .where('session_id', '=', session.session_id)
      .execute();
    expect(rows.map((r) => r.client_name)).toEqual(['latchkey-test-v1']);
    await modern.close();
    await legacy.close();
  });

  it('answers server/discover with the 2026-07-28 version and the tools capability', async () => {
    const session = await createSession('ada');
    const res = await rawRequest(session.mcp.url, session.mcp.headers, 'server/discover', {});
    expect(res.status).toBe(200);
    expect(res.body.result.supportedVersions).toContain('2026-07-28');
    expect(res.body.result.capabilities).toMatchObject({ tools: {} });
  });

  it('refuses subscriptions/listen at once (no change notifications to carry) rather than holding a stream open', async () => {
    const session = await createSession('ada');
    const res = await rawRequest(session.mcp.url, session.mcp.headers, 'subscriptions/listen', {
      notifications: { toolsListChanged: true },
    });
    expect(res.type).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it('2026-07-28: a Connect Link as an input-required URL request; asked again until the account is ACTIVE, then the retry runs', async () => {
    bed.as.decide.account = 'bea';
    const session = await createSession('bea');
    const asked: Elicit[] = [];
    const modern = await connectV2(session.mcp.url, session.mcp.headers, async (request) => {
      asked.push(request);
      // the first time the user says done without connecting; the second time they really connect
      if (asked.length === 2) await new FetchBrowser().follow(request.url!);
      return { action: 'accept' };
    });
    const result = await modern.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(asked).toHaveLength(2);
    expect(asked[0]).toMatchObject({ mode: 'url', message: expect.stringMatching(/Connect your/) });
    expect(asked[0]!.url).toMatch(new RegExp(`^${bed.app.url}/link/ln_`));
    // the same pending connection both rounds
    expect(asked[1]!.url).toBe(asked[0]!.url);
    expect(result.isError).toBe(false);
    expect(text(result)).toMatchObject({ successful: true, data: { login: 'bea' } });
    await modern.close();
  });

  it('2026-07-28 without URL elicitation, or declined: the link comes back as a tool result the model shows', async () => {
    const session = await createSession('cyd');
    const plain = await connectV2(session.mcp.url, session.mcp.headers);
    const first = await plain.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(first.isError).toBe(true);
    expect(text(first).data.redirect_url).toMatch(/\/link\/ln_/);
    await plain.close();
    const declining = await connectV2(session.mcp.url, session.mcp.headers, async () => ({ action: 'decline' }));
    const declined = await declining.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(text(declined).data.redirect_url).toBe(text(first).data.redirect_url);
    await declining.close();
  });

  it('2025-11-25 on the same URL: a URL elicitation error (-32042) for the link, then the same call succeeds once connected', async () => {
    bed.as.decide.account = 'dot';
    const session = await createSession('dot');
    const legacy = await connectV1(session.mcp.url, session.mcp.headers, { elicitation: { url: {} } });
    const error = await legacy.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} }).catch((e) => e);
    expect(error.code).toBe(-32042);
    await new FetchBrowser().follow(error.data.elicitations[0].url);
    const second = await legacy.callTool({ name: 'TESTOAUTH_GET_ME', arguments: {} });
    expect(text(second)).toMatchObject({ successful: true, data: { login: 'dot' } });
    await legacy.close();
  });

  it('refuses a requestState that was edited, sent to another session, or echoed on another call, with a JSON-RPC error', async () => {
    const a = await createSession('eve');
    const b = await createSession('fay');
    const first = await rawCall(a.mcp.url, a.mcp.headers, 'TESTKEY_WHOAMI', {});
    expect(first.status).toBe(200);
    expect(first.body.result).toMatchObject({ resultType: 'input_required', inputRequests: { connect: { method: 'elicitation/create' } } });
    expect(first.body.result.inputRequests.connect.params).toMatchObject({ mode: 'url', url: expect.stringMatching(/\/link\/ln_/) });
    const state: string = first.body.result.requestState;
    expect(typeof state).toBe('string');
    // the state tells the client nothing: no session, account or link in clear
    expect(state).not.toMatch(/trs_|ca_|ln_|testkey/);

    const retry = { requestState: state, inputResponses: { connect: { action: 'accept' } } };
    // echoed on its own call, while the account is still pending: asked again
    const again = await rawCall(a.mcp.url, a.mcp.headers, 'TESTKEY_WHOAMI', {}, retry);
    expect(again.body.result.resultType).toBe('input_required');

    const tampered = `${state.slice(0, -4)}${state.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const refusals = [
      await rawCall(a.mcp.url, a.mcp.headers, 'TESTKEY_WHOAMI', {}, { ...retry, requestState: tampered }),
      await rawCall(a.mcp.url, a.mcp.headers, 'TESTKEY_WHOAMI', {}, { ...retry, requestState: 'not-a-state' }),
      // replayed into another session, with its own valid credentials
      await rawCall(b.mcp.url, b.mcp.headers, 'TESTKEY_WHOAMI', {}, retry),
      // replayed on another call of the same session
      await rawCall(a.mcp.url, a.mcp.headers, 'TESTKEY_WHOAMI', { extra: 1 }, retry),
      await rawCall(a.mcp.url, a.mcp.headers, 'TESTOAUTH_GET_ME', {}, retry),
    ];
    for (const refused of refusals) {
      expect(refused.body.result).toBeUndefined();
      expect(refused.body.error).toMatchObject({
        code: -32602,
        message: expect.stringMatching(/requestState was not issued by this server/),
      });
    }
  });

  it('refuses a requestState after its ten minutes', async () => {
    const session = await createSession('gil');
    const first = await rawCall(session.mcp.url, session.mcp.headers, 'TESTKEY_WHOAMI', {});
    const state: string = first.body.result.requestState;
    bed.app.clock.advance(10 * 60_000 + 1000);
    try {
      const late = await rawCall(session.mcp.url, session.mcp.headers, 'TESTKEY_WHOAMI', {}, { requestState: state });
      expect(late.body.error).toMatchObject({ code: -32602, message: expect.stringMatching(/expired/) });
    } finally {
      bed.app.clock.advance(-(10 * 60_000 + 1000));
    }
  });
});
