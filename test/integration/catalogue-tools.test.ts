import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import type { AuthScheme, ToolDefinition, ToolkitFile } from '../../src/catalogue/schema.ts';
import type { ToolConnection } from '../../src/execution/connection.ts';
import { fetchExchange } from '../../src/execution/exchange.ts';
import { wireArguments, wireNames } from '../../src/execution/composers/registry.ts';
import { executeTool } from '../../src/execution/execute.ts';
import { catalogueConnection } from '../helpers/catalogue-connection.ts';
import { redirectingFetch, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { sampleObject } from '../helpers/sample-arguments.ts';

/**
 * Every built-in tool, under every auth scheme of its toolkit, is run by the real engine against a
 * local stand-in for the provider. The expectations are derived from the toolkit file's own
 * declarations (the format DESIGN.md specifies), not from the engine.
 */
const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR]);
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

const fill = (text: string, values: Record<string, string>) => text.replace(TEMPLATE, (_, n: string) => values[n]!);

function serialise(value: unknown): string[] {
  const one = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return Array.isArray(value) ? value.map(one) : [one(value)];
}

/** DESIGN.md's routing rule: path names fill the path; the rest go to the query for GET/DELETE (or body "none"), else to the body. */
function expectedRouting(tool: ToolDefinition) {
  const r = tool.request;
  const path = [...r.path.replace(TEMPLATE, '').matchAll(/\{\+?(\w+)\}/g)].map((m) => m[1]!);
  const header = Object.values(r.headers ?? {}).flatMap((v) => [...v.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
  // a composed request (`request.compose`) routes the arguments its composer leaves and produces
  const names = wireNames(r.compose, Object.keys(tool.input_parameters.properties));
  const rest = names.filter((n) => !path.includes(n) && !header.includes(n));
  const bodyMode = r.body ?? (r.method === 'GET' || r.method === 'DELETE' ? 'none' : 'json');
  const query = r.query ?? (bodyMode === 'none' ? rest : []);
  const body = bodyMode === 'none' ? [] : (r.body_params ?? rest.filter((n) => !query.includes(n)));
  return { bodyMode, query, body };
}

function expectedPath(toolkit: ToolkitFile, tool: ToolDefinition, args: Record<string, any>, values: Record<string, string>) {
  const base = new URL(fill(tool.request.base_url ?? toolkit.base_url, values));
  const path = fill(tool.request.path, values).replace(/\{(\+?)(\w+)\}/g, (_, plus: string, n: string) =>
    plus ? String(args[n]).split('/').map(encodeURIComponent).join('/') : encodeURIComponent(String(args[n])),
  );
  return { host: base.host, path: base.pathname.replace(/\/$/, '') + path };
}

function checkCredential(
  toolkit: ToolkitFile,
  scheme: AuthScheme,
  connection: ToolConnection,
  headers: Record<string, any>,
  query: URLSearchParams,
) {
  const values = { ...connection.connectionData, ...connection.credentials };
  if (scheme.mode === 'NO_AUTH') {
    expect(headers.authorization).toBeUndefined();
    return;
  }
  if (scheme.mode === 'OAUTH1') {
    expect(headers.authorization).toMatch(/^OAuth /);
    expect(headers.authorization).toContain(`oauth_consumer_key="ck-${toolkit.slug}"`);
    expect(headers.authorization).toContain(`oauth_token="tok-${toolkit.slug}"`);
    expect(headers.authorization).toMatch(/oauth_signature="[^"]+"/);
    expect(headers.authorization).toContain('oauth_signature_method="HMAC-SHA1"');
    return;
  }
  for (const [name, template] of Object.entries(scheme.inject.headers ?? {}))
    expect(headers[name.toLowerCase()]).toBe(fill(template, values));
  for (const [name, template] of Object.entries(scheme.inject.query ?? {})) expect(query.get(name)).toBe(fill(template, values));
  if (scheme.inject.basic) {
    const raw = `${fill(scheme.inject.basic.username, values)}:${fill(scheme.inject.basic.password, values)}`;
    expect(headers.authorization).toBe(`Basic ${Buffer.from(raw).toString('base64')}`);
  }
  // the secret went somewhere: a header or the query
  const secret = Object.values(connection.credentials)[0]!;
  const carried =
    JSON.stringify(headers).includes(secret) ||
    query.toString().includes(encodeURIComponent(secret)) ||
    headers.authorization?.startsWith('Basic ');
  expect(carried).toBe(true);
}

describe('the built-in catalogue', () => {
  it('is a real catalogue: at least 50 toolkits and 600 tools (issue 20), every auth mode covered', () => {
    expect(catalogue.toolkits.length).toBeGreaterThanOrEqual(50);
    expect(catalogue.toolCount).toBeGreaterThanOrEqual(600);
    const modes = new Set(catalogue.toolkits.flatMap((t) => t.auth_schemes.map((s) => s.mode)));
    expect([...modes].sort()).toEqual(['API_KEY', 'BASIC', 'BEARER_TOKEN', 'NO_AUTH', 'OAUTH1', 'OAUTH2']);
    for (const toolkit of catalogue.toolkits) {
      for (const tool of toolkit.tools)
        expect(
          tool.tags.some((t) => ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'].includes(t)),
          tool.slug,
        ).toBe(true);
    }
  });

  for (const toolkit of catalogue.toolkits) {
    it(`${toolkit.slug}: every tool sends the declared request with the injected credential, under every scheme`, async () => {
      let calls = 0;
      for (const scheme of toolkit.auth_schemes) {
        const connection = catalogueConnection(toolkit, scheme);
        const values = { ...connection.connectionData, ...connection.credentials };
        for (const tool of toolkit.tools) {
          const entry = catalogue.tool(tool.slug)!;
          const input = sampleObject(tool.input_parameters);
          expect(entry.validate(structuredClone(input)), `${tool.slug} sample arguments: ${JSON.stringify(entry.validate.errors)}`).toBe(
            true,
          );
          // what the request carries (the composer's output checked for what it means in its own tests)
          const args = wireArguments(tool.request.compose, input) as Record<string, any>;
          const before = upstream.requests.length;
          const result = await executeTool(entry, input, connection, {
            exchange: fetchExchange(redirectingFetch(upstream)),
            timeoutMs: 5000,
            maxResponseBytes: 1 << 20,
            allowHttpLoopback: false,
          });
          expect(result.error, tool.slug).toBeNull();
          expect(result.successful).toBe(true);
          expect(upstream.requests.length).toBe(before + 1);
          const received = upstream.requests[before]!;
          const url = new URL(received.url, 'http://x');
          const expected = expectedPath(toolkit, tool, args, values);
          const routing = expectedRouting(tool);
          expect(received.method, tool.slug).toBe(tool.request.method);
          expect(received.headers['x-original-host'], tool.slug).toBe(expected.host);
          expect(received.headers['x-original-protocol']).toBe('https:');
          expect(url.pathname, tool.slug).toBe(expected.path);
          // an argument goes out under its wire name where the tool maps one (Graph's `$top` for `top`)
          const wire = (name: string) => tool.request.wire_names?.[name] ?? name;
          for (const name of routing.query.filter((n) => args[n] !== undefined))
            expect(url.searchParams.getAll(wire(name)), `${tool.slug} query ${name}`).toEqual(serialise(args[name]));
          if (routing.bodyMode === 'json' && routing.body.length > 0) {
            const body = JSON.parse(received.body);
            expect(Object.keys(body).sort(), tool.slug).toEqual(
              routing.body
                .filter((n) => args[n] !== undefined)
                .map(wire)
                .sort(),
            );
            for (const name of routing.body) expect(body[wire(name)], `${tool.slug} body ${name}`).toEqual(args[name]);
            expect(received.headers['content-type']).toBe('application/json');
          } else if (routing.bodyMode === 'form' && routing.body.length > 0) {
            const form = new URLSearchParams(received.body);
            for (const name of routing.body.filter((n) => args[n] !== undefined))
              expect(form.getAll(wire(name)), `${tool.slug} form ${name}`).toEqual(serialise(args[name]));
          } else {
            expect(received.body, tool.slug).toBe('');
          }
          for (const [name, value] of Object.entries(toolkit.headers ?? {})) expect(received.headers[name.toLowerCase()]).toBe(value);
          checkCredential(toolkit, scheme, connection, received.headers, url.searchParams);
          calls += 1;
        }
      }
      expect(calls).toBe(toolkit.tools.length * toolkit.auth_schemes.length);
    });
  }
});
