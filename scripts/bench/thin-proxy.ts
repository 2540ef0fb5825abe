// The fair baseline: the thinnest MCP server the official SDK allows — stateless, one tool that
// forwards the request to the upstream — on the same Hono + node-server stack.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';

export async function startThinProxy(upstreamUrl: string): Promise<{ url: string; close(): void }> {
  const app = new Hono();
  app.post('/mcp', async (c) => {
    const server = new McpServer({ name: 'thin', version: '1.0.0' });
    server.registerTool('FORWARD', { description: 'forward' }, async () => {
      const res = await fetch(upstreamUrl, { headers: { authorization: 'Bearer bench-token' } });
      return { content: [{ type: 'text', text: await res.text() }] };
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, close: () => server.close() };
}
