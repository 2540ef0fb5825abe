import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { answerOnPage as answerOnPageIn } from '../helpers/approval-page.ts';
import { launchChromium } from '../helpers/chromium.ts';
import { notesToolkit } from '../fixtures/toolkits.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

// A human's yes before a session's tool call runs (Composio's approvals): asked as a form (MCP
// 2026-07-28 input-required, REST input_required) or on latchkey's approval page (URL elicitation,
// both eras); a refused or unanswered approval never reaches the API. And before_execute hooks.

let api: FakeUpstream;
let app: LiveApp;
let browser: Browser;
beforeAll(async () => {
  api = await startFakeUpstream();
  app = await startLiveApp({ toolkits: [notesToolkit(api)] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await api?.close();
});

async function createSession(userId: string, config: object) {
  const res = await app.api('/api/v3.1/tool_router/session', {
    body: { user_id: userId, toolkits: { enable: ['notes'] }, preload: { tools: 'all' }, ...config },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { session_id: string; mcp: { url: string; headers: Record<string, string> }; config: any };
}

const posts = () => api.requests.filter((r) => r.method === 'POST' && r.url === '/notes').map((r) => JSON.parse(r.body));
const text = (result: any) => JSON.parse(result.content[0].text);

type Elicit = { mode?: string; url?: string; message: string; requestedSchema?: any };
type ElicitAnswer = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, boolean> };

async function connectV2(
  session: { mcp: { url: string; headers: Record<string, string> } },
  capabilities: object,
  onElicit?: (r: Elicit) => Promise<ElicitAnswer>,
) {
  const client = new ClientV2(
    { name: 'approvals-v2', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } }, capabilities },
  );
  if (onElicit) client.setRequestHandler('elicitation/create', async (request) => onElicit(request.params as Elicit));
  await client.connect(new TransportV2(new URL(session.mcp.url), { requestInit: { headers: session.mcp.headers } }));
  return client;
}

async function connectV1(session: { mcp: { url: string; headers: Record<string, string> } }, capabilities: object = {}) {
  const client = new ClientV1({ name: 'approvals-v1', version: '1.0.0' }, { capabilities });
  await client.connect(new TransportV1(new URL(session.mcp.url), { requestInit: { headers: session.mcp.headers } }));
  return client;
}

/** The user answers on the approval page (Chromium) and sees their answer confirmed; returns what the page showed. */
async function answerOnPage(url: string, button: 'Approve' | 'Refuse'): Promise<string> {
  const { shown, answer } = await answerOnPageIn(browser, url, button);
  expect(answer).toBe(button === 'Approve' ? 'Approved' : 'Refused');
  return shown;
}

/** A 2026-07-28 tools/call by hand, declaring form elicitation. */
async function rawCall(session: { mcp: { url: string; headers: Record<string, string> } }, name: string, args: object, extra: object = {}) {
  const res = await fetch(session.mcp.url, {
    method: 'POST',
    headers: {
      ...session.mcp.headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: {
        name,
        arguments: args,
        ...extra,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
        },
      },
    }),
  });
  return (await res.json()) as any;
}

describe('approvals over MCP 2026-07-28 (SDK v2 client, form elicitation)', () => {
  it('asks before a tagged tool runs: yes runs it once, no and cancel never reach the API, reads are not asked', async () => {
    const session = await createSession('amy', { tags: { require_approval: ['createHint', 'destructiveHint'] } });
    expect(session.config.tags.require_approval).toEqual(['createHint', 'destructiveHint']);
    const asked: Elicit[] = [];
    let answer: ElicitAnswer = { action: 'accept', content: { approved: true } };
    const client = await connectV2(session, { elicitation: { form: {} } }, async (request) => {
      asked.push(request);
      return answer;
    });
    const before = posts().length;

    const listed = await client.callTool({ name: 'NOTES_LIST', arguments: {} });
    expect(listed.isError).toBe(false);
    expect(asked).toHaveLength(0);

    const created = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'buy milk' } });
    expect(created.isError).toBe(false);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toMatch(/NOTES_CREATE|notes create/i);
    expect(asked[0]!.message).toContain('buy milk');
    expect(asked[0]!.requestedSchema.properties.approved.type).toBe('boolean');
    expect(posts().slice(before)).toEqual([{ text: 'buy milk' }]);

    for (const refusal of [
      { action: 'decline' },
      { action: 'cancel' },
      { action: 'accept', content: { approved: false } },
    ] as ElicitAnswer[]) {
      answer = refusal;
      const refused = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'sell the house' } });
      expect(refused.isError).toBe(true);
      expect(text(refused).error).toMatch(/did not run: the user refused it/);
    }
    expect(posts().slice(before)).toEqual([{ text: 'buy milk' }]);
    await client.close();
  });

  it('refuses a replayed, tampered or transplanted requestState, and asks again when the retry carries no answer', async () => {
    const session = await createSession('ben', { tags: { require_approval: ['createHint'] } });
    const before = posts().length;
    const first = await rawCall(session, 'NOTES_CREATE', { text: 'a' });
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: { approval: { method: 'elicitation/create', params: { requestedSchema: { type: 'object' } } } },
    });
    const state: string = first.result.requestState;
    const yes = { inputResponses: { approval: { action: 'accept', content: { approved: true } } } };

    // the approval of call "a" does not approve call "b"
    const transplanted = await rawCall(session, 'NOTES_CREATE', { text: 'b' }, { ...yes, requestState: state });
    expect(transplanted.error).toMatchObject({ code: -32602, message: expect.stringMatching(/not issued by this server/) });
    // one character in the middle changed: every bit of it counts (the last base64url character may
    // carry unused bits, so an edit there can decode to the same bytes)
    const middle = Math.floor(state.length / 2);
    const edited = `${state.slice(0, middle)}${state[middle] === 'A' ? 'B' : 'A'}${state.slice(middle + 1)}`;
    const tampered = await rawCall(session, 'NOTES_CREATE', { text: 'a' }, { ...yes, requestState: edited });
    expect(tampered.error).toMatchObject({ code: -32602 });

    // no answer with the state: asked again, nothing ran; the state is spent all the same
    const unanswered = await rawCall(session, 'NOTES_CREATE', { text: 'a' }, { requestState: state });
    expect(unanswered.result.resultType).toBe('input_required');
    expect(posts().length).toBe(before);
    const spent = await rawCall(session, 'NOTES_CREATE', { text: 'a' }, { ...yes, requestState: state });
    expect(spent.error).toMatchObject({ code: -32602, message: expect.stringMatching(/already used/) });

    const fresh: string = unanswered.result.requestState;
    const ran = await rawCall(session, 'NOTES_CREATE', { text: 'a' }, { ...yes, requestState: fresh });
    expect(ran.result.isError).toBe(false);
    const replayed = await rawCall(session, 'NOTES_CREATE', { text: 'a' }, { ...yes, requestState: fresh });
    expect(replayed.error).toMatchObject({ code: -32602, message: expect.stringMatching(/already used/) });
    expect(posts().slice(before)).toEqual([{ text: 'a' }]);
  });

  it('holds every call of a COMPOSIO_MULTI_EXECUTE_TOOL batch until its approvals are answered, then runs each once', async () => {
    const session = await createSession('cal', { tags: { require_approval: ['createHint'] }, preload: { tools: [] } });
    const before = api.requests.length;
    const asked: Elicit[] = [];
    const client = await connectV2(session, { elicitation: { form: {} } }, async (request) => {
      asked.push(request);
      return { action: 'accept', content: { approved: !request.message.includes('no thanks') } };
    });
    const batch = await client.callTool({
      name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
      arguments: {
        tools: [
          { tool_slug: 'NOTES_LIST', arguments: {} },
          { tool_slug: 'NOTES_CREATE', arguments: { text: 'one' } },
          { tool_slug: 'NOTES_CREATE', arguments: { text: 'no thanks' } },
        ],
      },
    });
    expect(asked).toHaveLength(2);
    const results = text(batch).data.results;
    expect(results[0].response.successful).toBe(true);
    expect(results[1].response.successful).toBe(true);
    expect(results[2].error).toMatch(/refused/);
    // one round ran nothing; the retry ran the list and the approved note, once each
    const sent = api.requests.slice(before).map((r) => `${r.method} ${r.url} ${r.body}`);
    expect(sent).toEqual(expect.arrayContaining(['GET /notes ', 'POST /notes {"text":"one"}']));
    expect(sent).toHaveLength(2);
    await client.close();
  });

  it('sends a client with URL elicitation only to the approval page, and runs the retry once the user approved there', async () => {
    const session = await createSession('dee', { tags: { require_approval: ['destructiveHint'] } });
    let asked = 0;
    const client = await connectV2(session, { elicitation: { url: {} } }, async (request) => {
      asked++;
      expect(request.mode).toBe('url');
      expect(request.url).toMatch(new RegExp(`^${app.url}/approve/apv_`));
      const shown = await answerOnPage(request.url!, 'Approve');
      expect(shown).toContain('dee');
      expect(shown).toContain('"id": "n-17"');
      return { action: 'accept' };
    });
    const deleted = await client.callTool({ name: 'NOTES_DELETE', arguments: { id: 'n-17' } });
    expect(deleted.isError).toBe(false);
    expect(asked).toBe(1);
    expect(api.requests.filter((r) => r.method === 'DELETE').map((r) => r.url)).toEqual(['/notes/n-17']);
    await client.close();
  });
});

describe('approvals over MCP 2025-11-25 (SDK v1 client)', () => {
  it('answers -32042 with the approval page; Approve in the browser runs the retry once, Refuse never runs it', async () => {
    const session = await createSession('eli', { tags: { require_approval: ['createHint'] } });
    const client = await connectV1(session, { elicitation: { url: {} } });
    const before = posts().length;

    const asked = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } }).catch((e) => e);
    expect(asked.code).toBe(-32042);
    const [elicitation] = asked.data.elicitations;
    expect(elicitation).toMatchObject({ mode: 'url', url: expect.stringMatching(/\/approve\/apv_/) });
    expect(posts().length).toBe(before);
    // asked again before answering: the same page, still one pending approval
    const again = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } }).catch((e) => e);
    expect(again.data.elicitations[0].url).toBe(elicitation.url);

    await answerOnPage(elicitation.url, 'Approve');
    const ran = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } });
    expect(ran.isError).toBe(false);
    // the approval was for one call: the same call again is asked again
    const next = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } }).catch((e) => e);
    expect(next.code).toBe(-32042);
    expect(next.data.elicitations[0].url).not.toBe(elicitation.url);

    await answerOnPage(next.data.elicitations[0].url, 'Refuse');
    const refused = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } });
    expect(refused.isError).toBe(true);
    expect(text(refused).error).toMatch(/the user refused it/);
    expect(posts().slice(before)).toEqual([{ text: 'from v1' }]);
    await client.close();
  });

  it('never shows the model the approval page; the app lists it under its key, and the page refuses answers not made on it', async () => {
    const session = await createSession('fay', { tags: { require_approval: ['createHint'] } });
    const client = await connectV1(session);
    const before = posts().length;
    const held = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: '<script>alert(1)</script>' } });
    expect(held.isError).toBe(true);
    const { data } = text(held);
    expect(data).toMatchObject({ approval_required: true, tool_slug: 'NOTES_CREATE', approval_id: expect.stringMatching(/^apr_/) });
    expect(JSON.stringify(held)).not.toMatch(/approve\/|apv_/);
    const listed = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/approvals`);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: data.approval_id, tool_slug: 'NOTES_CREATE', approval_url: expect.stringMatching(/\/approve\/apv_/) }),
    ]);
    const url: string = listed.body.items[0].approval_url;
    expect((await fetch(`${app.url}/api/v3.1/tool_router/session/${session.session_id}/approvals`)).status).toBe(401);

    // a bare POST (no Origin, no form token) and a cross-site one answer nothing
    const bare = await fetch(url, { method: 'POST', body: new URLSearchParams({ decision: 'approve' }) });
    expect(bare.status).toBe(403);
    const crossSite = await fetch(url, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams({ decision: 'approve' }),
    });
    expect(crossSite.status).toBe(403);
    const noToken = await fetch(url, { method: 'POST', headers: { origin: app.url }, body: new URLSearchParams({ decision: 'approve' }) });
    expect(noToken.status).toBe(403);
    // a multipart body that does not match its boundary is a 400 page, not a 500
    const garbage = await fetch(url, {
      method: 'POST',
      headers: { origin: app.url, 'content-type': 'multipart/form-data; boundary=x' },
      body: 'garbage',
    });
    expect(garbage.status).toBe(400);
    expect((await client.callTool({ name: 'NOTES_CREATE', arguments: { text: '<script>alert(1)</script>' } })).isError).toBe(true);

    // the page shows the arguments as text, under the strict CSP
    const page = await new FetchBrowser().request(url);
    const html = await page.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect((await fetch(`${app.url}/approve/apv_${'x'.repeat(32)}`)).status).toBe(404);

    await answerOnPage(url, 'Approve');
    const answeredTwice = await new FetchBrowser().request(url);
    expect(answeredTwice.status).toBe(409);
    const ran = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: '<script>alert(1)</script>' } });
    expect(ran.isError).toBe(false);
    expect(posts().slice(before)).toEqual([{ text: '<script>alert(1)</script>' }]);
    await client.close();
  });

  it('expires an unanswered approval after ten minutes: the page says so and the call is asked anew', async () => {
    const session = await createSession('gus', { tags: { require_approval: ['createHint'] } });
    const client = await connectV1(session, { elicitation: { url: {} } });
    const asked = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'late' } }).catch((e) => e);
    const url: string = asked.data.elicitations[0].url;
    app.clock.advance(10 * 60_000 + 1000);
    try {
      expect((await fetch(url)).status).toBe(410);
      const again = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'late' } }).catch((e) => e);
      expect(again.code).toBe(-32042);
      expect(again.data.elicitations[0].url).not.toBe(url);
    } finally {
      app.clock.advance(-(10 * 60_000 + 1000));
    }
    await client.close();
  });
});

describe('one session, both eras', () => {
  it('asks the v2 client (2026-07-28, form: accepted) and the v1 client (2025-11-25, page: refused) on the same session', async () => {
    const session = await createSession('rae', { tags: { require_approval: ['createHint'] } });
    const before = posts().length;
    const modern = await connectV2(session, { elicitation: { form: {} } }, async () => ({ action: 'accept', content: { approved: true } }));
    const legacy = await connectV1(session, { elicitation: { url: {} } });
    const listed = [(await modern.listTools()).tools, (await legacy.listTools()).tools].map((tools) => tools.map((t) => t.name).sort());
    expect(listed[0]).toEqual(listed[1]);

    const accepted = await modern.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v2' } });
    expect(accepted.isError).toBe(false);
    const asked = await legacy.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } }).catch((e) => e);
    expect(asked.code).toBe(-32042);
    await answerOnPage(asked.data.elicitations[0].url, 'Refuse');
    const refused = await legacy.callTool({ name: 'NOTES_CREATE', arguments: { text: 'from v1' } });
    expect(text(refused).error).toMatch(/the user refused it/);
    expect(posts().slice(before)).toEqual([{ text: 'from v2' }]);
    await modern.close();
    await legacy.close();
  });
});

describe('approvals over REST (Composio session execute)', () => {
  it('answers input_required; the retry with input_responses and request_state runs once; a replay or a no does not', async () => {
    const session = await createSession('hal', { tools: { notes: { require_approval: ['NOTES_CREATE'] } } });
    expect(session.config.tools.notes).toEqual({ require_approval: ['NOTES_CREATE'] });
    const path = `/api/v3.1/tool_router/session/${session.session_id}/execute`;
    const call = { tool_slug: 'NOTES_CREATE', arguments: { text: 'rest' } };
    const before = posts().length;

    const first = await app.api(path, { body: call });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      result_type: 'input_required',
      input_requests: {
        approval: { type: 'elicitation', mode: 'form', requested_schema: { properties: { approved: { type: 'boolean' } } } },
      },
      request_state: expect.any(String),
    });
    const yes = {
      input_responses: { approval: { action: 'accept', content: { approved: true } } },
      request_state: first.body.request_state,
    };
    const other = await app.api(path, { body: { ...call, arguments: { text: 'other' }, ...yes } });
    expect(other.status).toBe(400);
    expect(other.body.error.slug).toBe('ToolRouter_InvalidRequestState');

    const ran = await app.api(path, { body: { ...call, ...yes } });
    expect(ran.body).toMatchObject({ result_type: 'completed', error: null, log_id: expect.stringMatching(/^log_/) });
    const replay = await app.api(path, { body: { ...call, ...yes } });
    expect(replay.status).toBe(400);
    expect(replay.body.error.message).toMatch(/already used/);

    const asked = await app.api(path, { body: call });
    const no = await app.api(path, {
      body: { ...call, request_state: asked.body.request_state, input_responses: { approval: { action: 'decline' } } },
    });
    expect(no.body).toMatchObject({ result_type: 'failed', error: expect.stringMatching(/refused/) });
    expect(posts().slice(before)).toEqual([{ text: 'rest' }]);
  });

  it('honours experimental.permissions (SDK 0.21): once per session, and an always_deny override that asks nobody', async () => {
    const session = await createSession('ivy', {
      experimental: { permissions: { default: 'ask_once_per_session', overrides: { 'NOTES_DELETE:__none__': 'always_deny' } } },
    });
    const path = `/api/v3.1/tool_router/session/${session.session_id}/execute`;
    const first = await app.api(path, { body: { tool_slug: 'NOTES_LIST', arguments: {} } });
    expect(first.body.result_type).toBe('input_required');
    const approved = await app.api(path, {
      body: {
        tool_slug: 'NOTES_LIST',
        arguments: {},
        request_state: first.body.request_state,
        input_responses: { approval: { action: 'accept', content: { approved: true } } },
      },
    });
    expect(approved.body.result_type).toBe('completed');
    // once per session: the same tool again runs without asking
    expect((await app.api(path, { body: { tool_slug: 'NOTES_LIST', arguments: {} } })).body.result_type).toBe('completed');
    const denied = await app.api(path, { body: { tool_slug: 'NOTES_DELETE', arguments: { id: 'x' } } });
    expect(denied.body).toMatchObject({ result_type: 'failed', error: expect.stringMatching(/does not allow it/) });
    expect(api.requests.some((r) => r.method === 'DELETE' && r.url === '/notes/x')).toBe(false);
  });
});

describe('before_execute hooks', () => {
  const noSecrets = {
    id: 'no_secrets',
    name: 'No secrets in notes',
    type: 'before_execute',
    applies_to: { toolkits: ['notes'] },
    handler: { type: 'condition_check', condition: { in: ['secret', { var: 'arguments.text' }] }, action: 'block' },
  };

  it('blocks a call whose arguments match, over MCP and REST, before anything reaches the API', async () => {
    const session = await createSession('jo', { hooks: [noSecrets] });
    expect(session.config.hooks).toEqual([noSecrets]);
    const before = posts().length;
    const client = await connectV2(session, {});
    const blocked = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'the secret is 42' } });
    expect(blocked.isError).toBe(true);
    expect(text(blocked).error).toMatch(/No secrets in notes/);
    const fine = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'groceries' } });
    expect(fine.isError).toBe(false);
    await client.close();

    const rest = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
      body: { tool_slug: 'NOTES_CREATE', arguments: { text: 'secret plans' } },
    });
    expect(rest.body).toMatchObject({
      result_type: 'blocked',
      block_reason: expect.stringMatching(/No secrets in notes/),
      hook_results: [{ hook_id: 'no_secrets', result: 'blocked' }],
    });
    expect(posts().slice(before)).toEqual([{ text: 'groceries' }]);
  });

  it('refuses, with a 400 naming the field, hooks it cannot honour rather than storing them unenforced', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ ...noSecrets, handler: { ...noSecrets.handler, condition: 'Sharing secrets' } }, /JSON Logic/],
      [
        { ...noSecrets, handler: { ...noSecrets.handler, condition: { method: [{ var: 'arguments' }, 'toString'] } } },
        /"method" is not allowed/,
      ],
      [{ ...noSecrets, handler: { ...noSecrets.handler, condition: { var: 'arguments.__proto__' } } }, /may not read/],
      [{ ...noSecrets, type: 'after_execute' }, /before_execute hooks only/],
      [{ ...noSecrets, handler: { type: 'webhook' } }, /not supported/],
    ];
    for (const [hook, message] of cases) {
      const res = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'kim', hooks: [hook] } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.message).toMatch(/^hooks\[0\]/);
    }
  });
});

describe('raw proxy requests are governed as tool calls', () => {
  it('asks before a raw request of any method (REST and COMPOSIO_PROXY_EXECUTE), and hooks can block one', async () => {
    const session = await createSession('lou', {
      proxy_execute: { enable: true },
      tags: { require_approval: ['createHint'] },
      hooks: [
        {
          id: 'no_proxy_deletes',
          type: 'before_execute',
          applies_to: { tools: ['COMPOSIO_PROXY_EXECUTE'] },
          handler: { type: 'condition_check', condition: { '==': [{ var: 'arguments.method' }, 'DELETE'] }, action: 'block' },
        },
      ],
    });
    const path = `/api/v3.1/tool_router/session/${session.session_id}/proxy_execute`;
    const before = posts().length;

    // a GET can write on some APIs: a raw request counts as a write whatever its method
    const read = await app.api(path, { body: { toolkit_slug: 'notes', endpoint: '/notes', method: 'GET' } });
    expect(read.body).toMatchObject({ result_type: 'input_required' });

    const write = { toolkit_slug: 'notes', endpoint: '/notes', method: 'POST', body: { text: 'raw' } };
    const asked = await app.api(path, { body: write });
    expect(asked.body).toMatchObject({ result_type: 'input_required', input_requests: { approval: { mode: 'form' } } });
    expect(posts().length).toBe(before);
    const sent = await app.api(path, {
      body: {
        ...write,
        request_state: asked.body.request_state,
        input_responses: { approval: { action: 'accept', content: { approved: true } } },
      },
    });
    expect(sent.body).toMatchObject({ result_type: 'completed', status: 200 });

    const blocked = await app.api(path, { body: { toolkit_slug: 'notes', endpoint: '/notes/n-1', method: 'DELETE' } });
    expect(blocked.body).toMatchObject({ result_type: 'blocked', hook_results: [{ hook_id: 'no_proxy_deletes' }] });
    expect(api.requests.some((r) => r.method === 'DELETE' && r.url === '/notes/n-1')).toBe(false);

    // the meta tool, over MCP 2026-07-28 with a form
    let asks = 0;
    const client = await connectV2(session, { elicitation: { form: {} } }, async () => {
      asks++;
      return { action: 'accept', content: { approved: true } };
    });
    const viaTool = await client.callTool({
      name: 'COMPOSIO_PROXY_EXECUTE',
      arguments: { toolkit: 'notes', endpoint: '/notes', method: 'POST', body: { text: 'via tool' } },
    });
    expect(viaTool.isError).toBe(false);
    expect(asks).toBe(1);
    await client.close();
    expect(posts().slice(before)).toEqual([{ text: 'raw' }, { text: 'via tool' }]);
  });
});

describe('approvals, as an attacker or a careless config tries them', () => {
  const yes = (state: string, key = 'approval') => ({
    request_state: state,
    input_responses: { [key]: { action: 'accept', content: { approved: true } } },
  });

  it('runs one call for one yes, even when a batch holds the same call twice', async () => {
    const session = await createSession('max', { tags: { require_approval: ['createHint'] } });
    const path = `/api/v3.1/tool_router/session/${session.session_id}/execute`;
    const batch = {
      tool_slug: 'COMPOSIO_MULTI_EXECUTE_TOOL',
      arguments: {
        tools: [
          { tool_slug: 'NOTES_CREATE', arguments: { text: 'twice?' } },
          { tool_slug: 'NOTES_CREATE', arguments: { text: 'twice?' } },
        ],
      },
    };
    const before = posts().length;
    const asked = await app.api(path, { body: batch });
    expect(Object.keys(asked.body.input_requests)).toEqual(['approval']);
    const ran = await app.api(path, { body: { ...batch, ...yes(asked.body.request_state) } });
    const results = ran.body.data.results;
    expect(results.filter((r: any) => r.response?.successful)).toHaveLength(1);
    expect(results.filter((r: any) => /approval was used by another call/.test(r.error ?? ''))).toHaveLength(1);
    expect(posts().slice(before)).toEqual([{ text: 'twice?' }]);
  });

  it('says when a yes holds for the session, keeps it to that tool, and forgets it when the policy changes', async () => {
    const session = await createSession('ned', {
      proxy_execute: { enable: true },
      experimental: { permissions: { default: 'ask_once_per_session' } },
    });
    const base = `/api/v3.1/tool_router/session/${session.session_id}`;
    const list = { tool_slug: 'NOTES_LIST', arguments: {} };
    const asked = await app.api(`${base}/execute`, { body: list });
    expect(asked.body.input_requests.approval.message).toMatch(/for the rest of this session/);
    expect(asked.body.input_requests.approval.requested_schema.properties.approved.description).toMatch(/rest of this session/);
    expect((await app.api(`${base}/execute`, { body: { ...list, ...yes(asked.body.request_state) } })).body.result_type).toBe('completed');
    expect((await app.api(`${base}/execute`, { body: list })).body.result_type).toBe('completed');
    // another tool, and a raw request (never granted for the session), are asked
    expect((await app.api(`${base}/execute`, { body: { tool_slug: 'NOTES_CREATE', arguments: { text: 'x' } } })).body.result_type).toBe(
      'input_required',
    );
    const raw = { toolkit_slug: 'notes', endpoint: '/notes', method: 'GET' };
    const rawAsked = await app.api(`${base}/proxy_execute`, { body: raw });
    expect(rawAsked.body.input_requests.approval.message).toMatch(/run once/);
    await app.api(`${base}/proxy_execute`, { body: { ...raw, ...yes(rawAsked.body.request_state) } });
    expect((await app.api(`${base}/proxy_execute`, { body: raw })).body.result_type).toBe('input_required');
    // the policy moves to every call: the session's yes no longer counts
    const patched = await app.api(base, { method: 'PATCH', body: { experimental: { permissions: { default: 'ask_every_call' } } } });
    expect(patched.status).toBe(200);
    expect((await app.api(`${base}/execute`, { body: list })).body.result_type).toBe('input_required');
  });

  it('refuses approval lists and overrides that would silently ask nobody, and reads override keys in any case', async () => {
    const bad: Array<[object, RegExp]> = [
      [{ tags: { require_approval: ['deleteHint'] } }, /unknown tag deleteHint/i],
      [{ tools: { notes: { tags: { require_approval: ['writeHint'] } } } }, /unknown tag writeHint/i],
      [{ experimental: { permissions: { default: 'allow_all', overrides: { 'NOTES_ERASE:__none__': 'always_deny' } } } }, /NOTES_ERASE/],
      [{ experimental: { permissions: { default: 'allow_all', overrides: { NOTES_DELETE: 'always_deny' } } } }, /TOOL:account/],
    ];
    for (const [config, message] of bad) {
      const res = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'oz', toolkits: ['notes'], ...config } });
      expect(res.status, JSON.stringify(config)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const session = await createSession('oz', {
      experimental: { permissions: { default: 'allow_all', overrides: { 'notes_delete:__none__': 'always_deny' } } },
    });
    const denied = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/execute`, {
      body: { tool_slug: 'NOTES_DELETE', arguments: { id: 'lower' } },
    });
    expect(denied.body.error).toMatch(/does not allow it/);
    expect(api.requests.some((r) => r.url === '/notes/lower')).toBe(false);
  });

  it('refuses hook rules whose cost could explode or that compute a path, and blocks raw requests a tool hook could not read', async () => {
    const hook = (condition: object) => ({
      id: 'h',
      type: 'before_execute',
      applies_to: 'all',
      handler: { type: 'condition_check', condition, action: 'block' },
    });
    const refused: Array<[object, RegExp]> = [
      [{ reduce: [[1, 2, 3], { cat: [{ var: 'accumulator' }, { var: 'accumulator' }] }, 'x'] }, /"reduce" is not allowed/],
      [{ map: [{ var: 'arguments.a' }, { map: [{ var: 'arguments.b' }, 1] }] }, /may not sit inside/],
      [{ var: { cat: ['constr', 'uctor'] } }, /literal path/],
      [{ in: ['x', Array.from({ length: 101 }, (_, i) => i)] }, /at most 100 items/],
    ];
    for (const [condition, message] of refused) {
      const res = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'pat', hooks: [hook(condition)] } });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    const session = await createSession('pat', {
      proxy_execute: { enable: true },
      hooks: [
        {
          id: 'no_secret_notes',
          type: 'before_execute',
          applies_to: { tools: ['NOTES_CREATE'] },
          handler: { type: 'condition_check', condition: { in: ['secret', { var: 'arguments.text' }] }, action: 'block' },
        },
      ],
    });
    const raw = await app.api(`/api/v3.1/tool_router/session/${session.session_id}/proxy_execute`, {
      body: { toolkit_slug: 'notes', endpoint: '/notes', method: 'POST', body: { text: 'secret' } },
    });
    expect(raw.body).toMatchObject({ result_type: 'blocked', block_reason: expect.stringMatching(/raw request/) });
    expect(posts()).not.toContainEqual({ text: 'secret' });
  });

  it('keeps approval tokens out of the access log', async () => {
    const session = await createSession('quinn', { tags: { require_approval: ['createHint'] } });
    const client = await connectV1(session, { elicitation: { url: {} } });
    const asked = await client.callTool({ name: 'NOTES_CREATE', arguments: { text: 'log me not' } }).catch((e) => e);
    const url: string = asked.data.elicitations[0].url;
    await fetch(url);
    await client.close();
    const token = url.split('/approve/')[1]!;
    expect(app.logs.join('\n')).toContain('/approve/apv_…');
    expect(app.logs.join('\n')).not.toContain(token);
  });
});
