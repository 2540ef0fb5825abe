import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';

// Two chat apps with the same tool, word for word: only the user's connections can tell them apart.
const chatApp = (slug: string, name: string) => ({
  slug,
  name,
  description: 'Team chat.',
  base_url: 'https://chat.example',
  auth_schemes: [
    {
      mode: 'API_KEY',
      fields: [{ name: 'api_key', display_name: 'API key', secret: true }],
      inject: { headers: { Authorization: 'Bearer {{api_key}}' } },
    },
  ],
  tools: [
    {
      slug: `${slug.toUpperCase()}_SEND_MESSAGE`,
      name: 'Send message',
      description: 'Send a message to a channel of the team.',
      tags: ['createHint'],
      input_parameters: { type: 'object', properties: {} },
      request: { method: 'POST', path: '/messages' },
      source: { docs: 'https://docs.example.com/api' },
    },
  ],
});

let app: LiveApp;
beforeAll(async () => {
  app = await startLiveApp({ toolkits: [chatApp('alphachat', 'Alphachat'), chatApp('betachat', 'Betachat')] });
});
afterAll(async () => {
  await app.close();
});

async function searchAs(user: string, useCase: string, session: Record<string, unknown> = {}) {
  const created = await app.api('/api/v3.1/tool_router/session', { body: { user_id: user, ...session } });
  expect(created.status).toBe(201);
  const res = await app.api(`/api/v3.1/tool_router/session/${created.body.session_id}/search`, {
    body: { queries: [{ use_case: useCase }] },
  });
  expect(res.status).toBe(200);
  return res.body;
}

describe('COMPOSIO_SEARCH_TOOLS (REST and MCP share it)', () => {
  it("answers a request to connect a toolkit with the meta tool that makes the link, and that toolkit's status", async () => {
    const found = await searchAs('connector', 'connect my GitHub account');
    expect(found.results[0]).toMatchObject({ primary_tool_slugs: ['COMPOSIO_MANAGE_CONNECTIONS'], toolkits: ['github'] });
    expect(found.toolkit_connection_statuses.find((s: any) => s.toolkit === 'github')).toMatchObject({ has_active_connection: false });
    expect(found.next_steps_guidance.join(' ')).toContain('COMPOSIO_MANAGE_CONNECTIONS with toolkits ["github"]');
  });

  it('does not offer the manage tool when the session turned it off, nor for a toolkit outside the session', async () => {
    const off = await searchAs('connector', 'connect my GitHub account', { manage_connections: false });
    expect(off.results[0].primary_tool_slugs).not.toContain('COMPOSIO_MANAGE_CONNECTIONS');
    const outside = await searchAs('connector', 'connect my GitHub account', { toolkits: ['slack'] });
    expect(outside.results[0].primary_tool_slugs).not.toContain('COMPOSIO_MANAGE_CONNECTIONS');
  });

  it("prefers, on a tie, the toolkit the user has connected, and only that user's connections count", async () => {
    const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'betachat' } } });
    expect(config.status).toBe(201);
    const account = await app.api('/api/v3.1/connected_accounts', {
      body: {
        auth_config: { id: config.body.auth_config.id },
        connection: { user_id: 'beta-user', state: { authScheme: 'API_KEY', val: { api_key: 'key-beta-0123456789' } } },
      },
    });
    expect(account.body.status).toBe('ACTIVE');
    const twins = { toolkits: ['alphachat', 'betachat'] };
    expect((await searchAs('beta-user', 'send a message to the team', twins)).results[0].primary_tool_slugs).toEqual([
      'BETACHAT_SEND_MESSAGE',
      'ALPHACHAT_SEND_MESSAGE',
    ]);
    expect((await searchAs('someone-else', 'send a message to the team', twins)).results[0].primary_tool_slugs).toEqual([
      'ALPHACHAT_SEND_MESSAGE',
      'BETACHAT_SEND_MESSAGE',
    ]);
  });

  it('answers a request of filler words with no tools rather than the first ones of the catalogue', async () => {
    const found = await searchAs('filler', 'can you please do it');
    expect(found.results[0]).toMatchObject({ primary_tool_slugs: [], related_tool_slugs: [], toolkits: [] });
  });
});
