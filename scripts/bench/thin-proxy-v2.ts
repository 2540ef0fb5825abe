// The fair baseline on SDK v2, the major latchkey's server is built on, for both protocol eras on one
// URL as latchkey serves them: the thinnest server the SDK allows — the low-level Server with one tool
// that forwards the request to the upstream with the platform's fetch, one JSON Schema validator per
// process — fresh per request; 2026-07-28 requests through createMcpHandler, 2025-era ones (told
// apart by the SDK's isLegacyRequest) through the stateless transport with JSON answers, as the v1
// proxy serves them. Same Hono + node-server stack as latchkey. Runs as its own process: PORT and
// UPSTREAM_URL come from the environment.
import { serve } from '@hono/node-server';
import { createMcpHandler, isLegacyRequest, Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { Hono } from 'hono';

const upstreamUrl = process.env.UPSTREAM_URL!;
const validator = new AjvJsonSchemaValidator();
const tools = [{ name: 'FORWARD', description: 'forward', inputSchema: { type: 'object' as const, properties: {} } }];
const buildServer = () => {
  const server = new Server({ name: 'thin', version: '1.0.0' }, { capabilities: { tools: {} }, jsonSchemaValidator: validator });
  server.setRequestHandler('tools/list', async () => ({ tools }));
  server.setRequestHandler('tools/call', async () => {
    const res = await fetch(upstreamUrl, { headers: { authorization: 'Bearer bench-token' } });
    return { content: [{ type: 'text', text: await res.text() }] };
  });
  return server;
};
const modern = createMcpHandler(buildServer, { legacy: 'reject' });
const app = new Hono();
app.post('/mcp', async (c) => {
  const body = await c.req.json();
  if (!(await isLegacyRequest(c.req.raw, body))) return modern.fetch(c.req.raw, { parsedBody: body });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await buildServer().connect(transport);
  return transport.handleRequest(c.req.raw, { parsedBody: body });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
