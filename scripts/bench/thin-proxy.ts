// The fair baseline: the thinnest MCP server the official SDK allows — stateless (a server and
// transport per request, as the SDK's stateless example does), the low-level Server with one tool that
// forwards the request to the upstream with the platform's fetch, JSON responses, one JSON Schema
// validator per process — on the same Hono + node-server stack as latchkey. Runs as its own process:
// PORT and UPSTREAM_URL come from the environment.
import { serve } from '@hono/node-server';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';

const upstreamUrl = process.env.UPSTREAM_URL!;
const validator = new AjvJsonSchemaValidator();
const tools = [{ name: 'FORWARD', description: 'forward', inputSchema: { type: 'object' as const, properties: {} } }];
const app = new Hono();
app.post('/mcp', async (c) => {
  const server = new Server({ name: 'thin', version: '1.0.0' }, { capabilities: { tools: {} }, jsonSchemaValidator: validator });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, async () => {
    const res = await fetch(upstreamUrl, { headers: { authorization: 'Bearer bench-token' } });
    return { content: [{ type: 'text', text: await res.text() }] };
  });
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  return transport.handleRequest(c.req.raw);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
