import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

// With no LATCHKEY_PUBLIC_URL, a session's MCP URL is built on the loopback origin the request came in
// on (sessions/mcp-url.ts): the protected-resource metadata and the resource check follow the same URL,
// and the issuer stays the public URL's origin.

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('OAuth discovery without LATCHKEY_PUBLIC_URL', () => {
  it('names the MCP URL of the origin asked, with the public URL as issuer; a foreign origin is not a resource', async () => {
    const created = await app.call('http://127.0.0.1:8787/api/v3.1/tool_router/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'ada' }),
    });
    const session = (await created.json()) as { session_id: string; mcp: { url: string } };
    expect(session.mcp.url).toBe(`http://127.0.0.1:8787/tool_router/${session.session_id}/mcp`);
    const prm = (await (
      await app.app.request(`http://127.0.0.1:8787/.well-known/oauth-protected-resource/tool_router/${session.session_id}/mcp`)
    ).json()) as { resource: string; authorization_servers: string[] };
    expect(prm).toMatchObject({ resource: session.mcp.url, authorization_servers: ['http://localhost:8787'] });

    const challenge = (await app.app.request(session.mcp.url, { method: 'POST', body: '{}' })).headers.get('www-authenticate');
    expect(challenge).toBe(
      `Bearer resource_metadata="http://127.0.0.1:8787/.well-known/oauth-protected-resource/tool_router/${session.session_id}/mcp"`,
    );
    // a Host header anyone can send does not become a resource
    const foreign = (await (
      await app.app.request(`http://evil.example/.well-known/oauth-protected-resource/tool_router/${session.session_id}/mcp`)
    ).json()) as { resource: string };
    expect(foreign.resource).toBe(`http://localhost:8787/tool_router/${session.session_id}/mcp`);
  });
});
