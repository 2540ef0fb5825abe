import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchBrowser } from '../helpers/browser-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { apiKeyToolkit, serveTestApis } from '../fixtures/toolkits.ts';
import { startAuthServer, type TestAuthServer } from '../fixtures/oauth-server.ts';
import { authorizationParams, authorizeUrl, consent, fullGrant, pkce, register, tokenRequest } from '../helpers/mcp-oauth.ts';

/**
 * Many users, each with an account and a session, doing random operations through their own session
 * credentials; every attempt to reach another user's account, session or link is refused, and every
 * successful call returns the caller's own data. Seeded and bounded.
 */
const USERS = 8;
const ROUNDS = 160;
let app: LiveApp;
let api: FakeUpstream;
let as: TestAuthServer;
interface Tenant {
  user: string;
  key: string;
  account: string;
  session: string;
  mcpUrl: string;
  token: string;
  client: Client;
  linkUrl?: string;
  /** someone else completed this user's pending link (possible for whoever holds the link URL) */
  linkCompletedBy?: string;
}
const tenants: Tenant[] = [];

let seed = 7;
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const other = (t: Tenant) => tenants.filter((x) => x !== t)[Math.floor(random() * (tenants.length - 1))]!;
const text = (r: any) => r.content[0].text as string;
/** values that would leave their path segment if they were put in the URL as they are */
const SEGMENT_ESCAPES = ['..', '.', '', '%2e%2e', '%2E.', '../whoami', '..%2fwhoami'];

/** the test toolkit plus a tool with a path parameter, `/items/{id}/detail`, answered per caller */
function toolkitWithItems(api: FakeUpstream) {
  const kit = apiKeyToolkit(api);
  const item = {
    ...kit.tools[0]!,
    slug: 'TESTKEY_GET_ITEM_DETAIL',
    name: 'get item detail',
    description: 'Returns the detail of one item of the test API.',
    input_parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
    request: { method: 'GET', path: '/items/{id}/detail' },
    source: { docs: 'https://docs.example.com/api' },
  };
  return { ...kit, tools: [...kit.tools, item] };
}

beforeAll(async () => {
  api = await startFakeUpstream();
  as = await startAuthServer({ redirectUris: ['http://127.0.0.1:1/cb'] });
  const keys = new Set(Array.from({ length: USERS }, (_, i) => `key-tenant-${i}-000000`));
  serveTestApis(api, as, keys);
  api.on('/items/', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ item: { path: req.url, region: req.headers['x-region'] } }));
  });
  app = await startLiveApp({ toolkits: [toolkitWithItems(api)], env: { LATCHKEY_LOG_LEVEL: 'warn' } });
  const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  for (let i = 0; i < USERS; i++) {
    const user = `tenant-${i}`;
    const key = `key-tenant-${i}-000000`;
    const account = await app.api('/api/v3.1/connected_accounts', {
      body: {
        auth_config: { id: config.body.auth_config.id },
        connection: { user_id: user, state: { authScheme: 'API_KEY', val: { api_key: key, region: user } } },
      },
    });
    const session = await app.api('/api/v3.1/tool_router/session', {
      body: { user_id: user, toolkits: ['testkey'], preload: { tools: 'all' } },
    });
    const client = new Client({ name: user, version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(session.body.mcp.url), { requestInit: { headers: session.body.mcp.headers } }),
    );
    const link = await app.api(`/api/v3.1/tool_router/session/${session.body.session_id}/link`, { body: { toolkit: 'testkey' } });
    tenants.push({
      user,
      key,
      account: account.body.id,
      session: session.body.session_id,
      mcpUrl: session.body.mcp.url,
      token: session.body.mcp.headers['x-session-token'],
      client,
      linkUrl: link.body.redirect_url,
    });
  }
}, 60_000);
afterAll(async () => {
  for (const t of tenants) await t.client.close();
  await app.close();
  await api.close();
  await as.close();
});

describe('isolation between users', () => {
  it('refuses every cross-user attempt and answers every own call with own data', async () => {
    const breaches: string[] = [];
    const counts = { own: 0, refused: 0 };
    let escapesTried = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const me = tenants[Math.floor(random() * tenants.length)]!;
      const them = other(me);
      switch (Math.floor(random() * 7)) {
        case 0: {
          // my own call: my data, never theirs
          const result = JSON.parse(text(await me.client.callTool({ name: 'TESTKEY_WHOAMI', arguments: {} })));
          // my call runs with my own accounts: the one I connected, or the one added through my own link
          const allowed = [me.user, me.linkCompletedBy ? `via-link-of-${me.user}` : undefined];
          if (!allowed.includes(result.data?.account?.region)) breaches.push(`${me.user} got ${JSON.stringify(result).slice(0, 120)}`);
          counts.own += 1;
          break;
        }
        case 1: {
          // naming their account in a tool argument
          const result = await me.client.callTool({ name: 'TESTKEY_WHOAMI', arguments: { account: them.account } });
          if (!result.isError || text(result).includes(them.user)) breaches.push(`${me.user} used ${them.user}'s account by argument`);
          counts.refused += 1;
          break;
        }
        case 2: {
          // my session token on their session's MCP URL
          const res = await fetch(them.mcpUrl, {
            method: 'POST',
            headers: { 'x-session-token': me.token, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'TESTKEY_WHOAMI', arguments: {} } }),
          });
          if (res.status !== 401 && res.status !== 403) breaches.push(`${me.user}'s token opened ${them.user}'s session (${res.status})`);
          await res.body?.cancel();
          counts.refused += 1;
          break;
        }
        case 3: {
          // their account through multi-execute
          const result = JSON.parse(
            text(
              await me.client.callTool({
                name: 'COMPOSIO_MULTI_EXECUTE_TOOL',
                arguments: {
                  tools: [{ tool_slug: 'TESTKEY_WHOAMI', arguments: {}, account: them.account }],
                  sync_response_to_workbench: false,
                },
              }),
            ),
          );
          if (result.data.results[0].response?.successful || JSON.stringify(result).includes(`"region":"${them.user}"`))
            breaches.push(`${me.user} reached ${them.user} via multi-execute`);
          counts.refused += 1;
          break;
        }
        case 4: {
          // a user_id argument does not change who the call runs as
          const result = await me.client.callTool({ name: 'TESTKEY_WHOAMI', arguments: { user_id: them.user } });
          if (text(result).includes(`"region":"${them.user}"`)) breaches.push(`${me.user} ran as ${them.user} via user_id`);
          counts.refused += 1;
          break;
        }
        case 5: {
          // a path argument that would climb out of its segment (to another endpoint, past the
          // session's tool filter) is refused with nothing sent; an ordinary one stays in its segment
          // every escape in turn (each is tried several times), between ordinary ids
          const id = random() > 0.3 ? SEGMENT_ESCAPES[escapesTried++ % SEGMENT_ESCAPES.length]! : them.account;
          const before = api.requests.length;
          const result = await me.client.callTool({ name: 'TESTKEY_GET_ITEM_DETAIL', arguments: { id } });
          const sent = api.requests.slice(before).map((r) => r.url);
          const whole = id === '..' || id === '.' || id === '';
          if (whole && (!result.isError || sent.length > 0))
            breaches.push(`${me.user}'s id ${JSON.stringify(id)} was sent: ${sent.join(' ')}`);
          for (const url of sent) {
            if (url !== `/items/${encodeURIComponent(id)}/detail`) breaches.push(`${me.user}'s id ${JSON.stringify(id)} reached ${url}`);
          }
          const region = result.isError ? undefined : JSON.parse(text(result)).data?.item?.region;
          if (!result.isError && ![me.user, `via-link-of-${me.user}`].includes(region))
            breaches.push(`${me.user}'s item call ran as ${region}`);
          counts.refused += 1;
          break;
        }
        default: {
          // their pending Connect Link, submitted in my browser, can only ever complete *their* account
          if (!them.linkUrl) break;
          const mineBefore = (await app.api(`/api/v3.1/connected_accounts?user_ids=${me.user}`)).body.total_items;
          const b = new FetchBrowser();
          const page = await (await b.request(them.linkUrl)).text();
          const csrf = page.match(/name="csrf_token" value="([^"]+)"/)?.[1];
          if (csrf) {
            await b.request(them.linkUrl, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(them.linkUrl).origin },
              body: new URLSearchParams({ csrf_token: csrf, region: `via-link-of-${them.user}`, api_key: me.key }),
            });
            them.linkUrl = undefined;
            them.linkCompletedBy = me.user;
          }
          const mineAfter = (await app.api(`/api/v3.1/connected_accounts?user_ids=${me.user}`)).body.total_items;
          if (mineAfter !== mineBefore) breaches.push(`${me.user} gained an account through ${them.user}'s link`);
          const linked = await app.api(`/api/v3.1/connected_accounts?user_ids=${them.user}&statuses=ACTIVE`);
          const created = linked.body.items.filter((i: any) => i.state.val.region === `via-link-of-${them.user}`);
          if (created.some((i: any) => i.user_id !== them.user)) breaches.push(`${them.user}'s link created an account for someone else`);
          counts.refused += 1;
        }
      }
    }
    expect(breaches).toEqual([]);
    expect(escapesTried).toBeGreaterThanOrEqual(SEGMENT_ESCAPES.length);
    expect(counts.own).toBeGreaterThan(10);
    expect(counts.refused).toBeGreaterThan(50);
    // a completed foreign link created an account only for its own user
    const all = await app.api('/api/v3.1/connected_accounts?limit=200&statuses=ACTIVE');
    for (const item of all.body.items) expect(item.user_id).toMatch(/^tenant-\d$/);
    for (const t of tenants) {
      const theirs = await app.api(`/api/v3.1/connected_accounts?user_ids=${t.user}&statuses=ACTIVE`);
      expect(theirs.body.items.every((i: any) => i.user_id === t.user)).toBe(true);
    }
  }, 120_000);

  it('OAuth: an access token opens its own session only; another session’s token cannot authorize it; refresh tokens stay with their client', async () => {
    const breaches: string[] = [];
    const granted = [];
    for (const t of tenants.slice(0, 4)) granted.push({ t, ...(await fullGrant(app.url, t.mcpUrl, t.token)) });
    const call = (url: string, token: string) =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'TESTKEY_WHOAMI', arguments: {} } }),
      });
    for (const me of granted) {
      const own = await call(me.t.mcpUrl, me.tokens.access_token);
      const region = own.status === 200 ? JSON.parse(text(((await own.json()) as any).result)).data?.account?.region : undefined;
      // my own account, or the one added through my own link (the test above)
      if (![me.t.user, `via-link-of-${me.t.user}`].includes(region)) breaches.push(`${me.t.user}'s own call: ${own.status} ${region}`);
      for (const them of granted.filter((g) => g !== me)) {
        const res = await call(them.t.mcpUrl, me.tokens.access_token);
        if (res.status !== 401) breaches.push(`${me.t.user}'s access token opened ${them.t.user}'s session (${res.status})`);
        await res.body?.cancel();
        // my session token does not authorize a client for their session
        const answer = await consent(
          authorizeUrl(app.url, authorizationParams(me.client.client_id, pkce().challenge, them.t.mcpUrl)),
          me.t.token,
        );
        if (answer.location) breaches.push(`${me.t.user}'s session token authorized ${them.t.user}'s session`);
        // their client cannot spend my refresh token
        const stolen = await tokenRequest(app.url, {
          grant_type: 'refresh_token',
          refresh_token: me.tokens.refresh_token,
          client_id: them.client.client_id,
        });
        if (stolen.status !== 400) breaches.push(`${them.t.user}'s client refreshed ${me.t.user}'s grant`);
      }
    }
    // a fresh client may not even start with a resource of no session
    const stranger = (await register(app.url)).body;
    const noSession = await fetch(
      authorizeUrl(app.url, authorizationParams(stranger.client_id, pkce().challenge, `${app.url}/tool_router/trs_none/mcp`)),
      { redirect: 'manual' },
    );
    expect(noSession.status).toBe(400);
    expect(noSession.headers.get('location')).toBeNull();
    expect(await noSession.text()).toContain('(invalid_target)');
    expect(breaches).toEqual([]);
  }, 60_000);
});

describe('isolation of verification references (LATCHKEY_USER_VERIFIER_URL)', () => {
  let verifier: FakeUpstream;
  let verifying: LiveApp;
  let config: string;
  beforeAll(async () => {
    verifier = await startFakeUpstream();
    verifying = await startLiveApp({
      toolkits: [apiKeyToolkit(api)],
      env: { LATCHKEY_USER_VERIFIER_URL: `${verifier.url}/verify`, LATCHKEY_LOG_LEVEL: 'warn' },
    });
    config = (await verifying.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } })).body.auth_config.id;
  });
  afterAll(async () => {
    await verifying?.close();
    await verifier?.close();
  });
  const redeem = (ref: string, user: string) =>
    verifying.api('/api/v3.1/connected_accounts/complete_auth', { body: { session_uri: ref, user_id: user } });
  type Answer = Awaited<ReturnType<typeof redeem>>;
  /** tenant-i's app redeems tenant-(i+1)'s reference as its own user (i = 0, 1): each must be refused; `after` checks what it left */
  async function crossRedeems<T extends { user: string; ref: string }>(
    pending: T[],
    breaches: string[],
    after: (me: T, them: T, answer: Answer) => Promise<void>,
  ) {
    for (let i = 0; i < 2; i++) {
      const me = pending[i]!;
      const them = pending[i + 1]!;
      const answer = await redeem(them.ref, me.user);
      if (answer.status !== 400) breaches.push(`${me.user} redeemed ${them.user}'s reference: ${answer.status}`);
      await after(me, them, answer);
    }
  }

  it("completes a reference only for its own user and its own account: another user's app fails it and gains nothing", async () => {
    /** a user's form link filled in with their own key: paused, its reference as the verifier gets it */
    const pause = async (i: number) => {
      const user = `tenant-${i}`;
      const link = await verifying.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: config, user_id: user } });
      const answer = await new FetchBrowser().submitForm(link.body.redirect_url, { region: user, api_key: `key-tenant-${i}-000000` });
      return {
        user,
        account: link.body.connected_account_id as string,
        ref: new URL(answer.headers.get('location')!).searchParams.get('session_uri')!,
      };
    };
    const accountsOf = async (user: string) => (await verifying.api(`/api/v3.1/connected_accounts?user_ids=${user}`)).body.items;
    const pending = [await pause(0), await pause(1), await pause(2), await pause(3)];
    const breaches: string[] = [];
    // refused, and the victim's pending account fails
    await crossRedeems(pending, breaches, async (me, them) => {
      for (const account of await accountsOf(me.user))
        if (account.status === 'ACTIVE') breaches.push(`${me.user} gained an ACTIVE account`);
      const theirs = (await accountsOf(them.user)).find((a: any) => a.id === them.account);
      if (theirs?.status !== 'FAILED') breaches.push(`${them.user}'s account is ${theirs?.status} after a foreign redeem`);
      if ((await redeem(them.ref, them.user)).status !== 404) breaches.push(`${them.user}'s spent reference still answers`);
    });
    // tenant-3 redeems its own reference: exactly its own account turns ACTIVE, with its own key
    const mine = pending[3]!;
    const own = await redeem(mine.ref, mine.user);
    expect(own.body).toMatchObject({ connected_account_id: mine.account, connected_account: { user_id: mine.user, status: 'ACTIVE' } });
    const run = await verifying.api('/api/v3.1/tools/execute/TESTKEY_WHOAMI', { body: { user_id: mine.user, arguments: {} } });
    expect(run.body.data.account.region).toBe(mine.user);
    for (const other of pending.slice(0, 3))
      for (const account of await accountsOf(other.user))
        if (account.status === 'ACTIVE') breaches.push(`${other.user} has an ACTIVE account after ${mine.user}'s redeem`);
    expect(breaches).toEqual([]);
  }, 60_000);

  it("approves an MCP client only for the session's own user: another user's app kills the request and no session gains a grant", async () => {
    const grantsOf = async (session: string) =>
      (await verifying.deps.db.selectFrom('oauth_grants').select('id').where('session_id', '=', session).execute()).length;
    /** a user's session, and an MCP client's authorization of it paused at the verifier */
    const pause = async (i: number) => {
      const user = `mcp-tenant-${i}`;
      const session = (await verifying.api('/api/v3.1/tool_router/session', { body: { user_id: user } })).body;
      const client = (await register(verifying.url)).body;
      // the browser that pressed Continue: only it gets the code back after a match
      const browser = new FetchBrowser();
      const answer = await consent(
        authorizeUrl(verifying.url, authorizationParams(client.client_id, pkce().challenge, session.mcp.url as string)),
        '',
        'allow',
        browser,
      );
      return { user, session: session.session_id as string, ref: new URL(answer.location!).searchParams.get('session_uri')!, browser };
    };
    const pending = [await pause(0), await pause(1), await pause(2)];
    const breaches: string[] = [];
    // refused, the victim's request dies with its reference, and no code or grant comes of it
    await crossRedeems(pending, breaches, async (me, them, answer) => {
      if (JSON.stringify(answer.body).includes('lkc_')) breaches.push(`a code leaked to ${me.user}`);
      for (const session of [me.session, them.session])
        if ((await grantsOf(session)) > 0) breaches.push(`${session} gained a grant from ${me.user}'s redeem`);
      const request = await verifying.deps.db
        .selectFrom('oauth_requests')
        .select('id_hash')
        .where('session_id', '=', them.session)
        .executeTakeFirst();
      if (request) breaches.push(`${them.user}'s authorization request outlived a foreign redeem`);
    });
    const mine = pending[2]!;
    // mcp-tenant-2's reference was already spent by mcp-tenant-1's attempt: nothing is left to approve
    expect((await redeem(mine.ref, mine.user)).status).toBe(404);
    const fresh = await pause(3);
    const own = await redeem(fresh.ref, fresh.user);
    expect(own.body).toMatchObject({ session_id: fresh.session });
    expect(JSON.stringify(own.body)).not.toContain('lkc_');
    const back = await fresh.browser.request(own.body.callback_url);
    expect(back.status).toBe(302);
    expect(new URL(back.headers.get('location')!).searchParams.get('code')).toMatch(/^lkc_/);
    for (const t of pending) if ((await grantsOf(t.session)) > 0) breaches.push(`${t.session} has a grant after ${fresh.user}'s redeem`);
    expect(await grantsOf(fresh.session)).toBe(1);
    expect(breaches).toEqual([]);
  }, 60_000);
});
