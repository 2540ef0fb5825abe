// The fair baseline for the 2026-07-28 era: the thinnest MCP server SDK v2 allows, built as its docs
// build one — createMcpHandler (a fresh server per request, modern requests only), the low-level
// Server with one tool that forwards the request to the upstream with the platform's fetch, one
// JSON Schema validator per process — on the same Hono + node-server stack as latchkey. Runs as its
// own process: PORT and UPSTREAM_URL come from the environment.
import { serve } from '@hono/node-server';
import { createMcpHandler, Server } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { Hono } from 'hono';

const upstreamUrl = process.env.UPSTREAM_URL!;
const validator = new AjvJsonSchemaValidator();
const tools = [{ name: 'FORWARD', description: 'forward', inputSchema: { type: 'object' as const, properties: {} } }];
const handler = createMcpHandler(
  () => {
    const server = new Server({ name: 'thin', version: '1.0.0' }, { capabilities: { tools: {} }, jsonSchemaValidator: validator });
    server.setRequestHandler('tools/list', async () => ({ tools }));
    server.setRequestHandler('tools/call', async () => {
      const res = await fetch(upstreamUrl, { headers: { authorization: 'Bearer bench-token' } });
      return { content: [{ type: 'text', text: await res.text() }] };
    });
    return server;
  },
  { legacy: 'reject' },
);
const app = new Hono();
app.post('/mcp', (c) => handler.fetch(c.req.raw));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
