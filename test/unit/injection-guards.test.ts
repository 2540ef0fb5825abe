import { describe, expect, it } from 'vitest';
import type { ToolkitFile } from '../../src/catalogue/schema.ts';
import { buildToolRequest } from '../../src/execution/build-request.ts';
import { executeProxy, MAX_ARGUMENT_DEPTH, nestsDeeperThan, ToolInputError } from '../../src/execution/execute.ts';
import { fetchExchange } from '../../src/execution/exchange.ts';
import { maskList, scrub } from '../../src/execution/masking.ts';
import { TemplateError } from '../../src/execution/templates.ts';

const toolkit = (path: string, extra: Partial<ToolkitFile> = {}) =>
  ({
    slug: 'kit',
    name: 'Kit',
    description: 'kit',
    base_url: 'https://api.example.com/v1',
    connection_fields: [{ name: 'space', display_name: 'Space', type: 'string', secret: false, required: true }],
    auth_schemes: [{ mode: 'NO_AUTH' }],
    tools: [{ slug: 'KIT_X', name: 'x', description: 'x', tags: [], input_parameters: { type: 'object', properties: {} }, request: { method: 'GET', path } }],
    ...extra,
  }) as unknown as ToolkitFile;

describe('path segments', () => {
  const build = (path: string, args: Record<string, unknown>, space = 'main') => {
    const kit = toolkit(path);
    return buildToolRequest(kit, kit.tools[0]!, args, { mode: 'NO_AUTH', credentials: {}, connectionData: { space } }, { allowHttpLoopback: false });
  };

  it('refuses empty, . and .. in {param}, {+param} and {{field}}, and keeps encoded dots as text', () => {
    for (const id of ['', '.', '..']) expect(() => build('/items/{id}/detail', { id }), id).toThrow(TemplateError);
    for (const path of ['a/../b', './a', 'a//b', '/a', 'a/']) expect(() => build('/files/{+path}', { path }), path).toThrow(TemplateError);
    for (const space of ['.', '..']) expect(() => build('/spaces/{{space}}/items', {}, space), space).toThrow(TemplateError);
    expect(build('/items/{id}/detail', { id: '%2E.' }).url.pathname).toBe('/v1/items/%252E./detail');
    expect(build('/files/{+path}', { path: 'src/a b.ts' }).url.pathname).toBe('/v1/files/src/a%20b.ts');
  });
});

describe('masking', () => {
  it('masks a value in every form an upstream echoes it in, longest first', () => {
    const secret = 'p@ss/w0rd "x"';
    const basic = Buffer.from(`me:${secret}`).toString('base64');
    const echoed = [secret, encodeURIComponent(secret), new URLSearchParams({ v: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1), basic].join(' | ');
    const out = scrub(echoed, maskList([secret, basic, `Basic ${basic}`]));
    for (const part of echoed.split(' | ')) expect(out).not.toContain(part);
    expect(JSON.parse(scrub(JSON.stringify({ v: secret }), maskList([secret])))).toEqual({ v: '••••' });
  });
});

describe('argument depth', () => {
  it('is measured without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, MAX_ARGUMENT_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 'c' }] }, MAX_ARGUMENT_DEPTH)).toBe(false);
  });

  it('refuses a proxy body nested too deep before building anything', async () => {
    let body: unknown = {};
    for (let i = 0; i < 100_000; i++) body = { a: body };
    const run = executeProxy(toolkit('/x'), { endpoint: '/x', method: 'POST', body }, { mode: 'NO_AUTH', credentials: {}, connectionData: {} }, {
      exchange: fetchExchange(() => Promise.reject(new Error('nothing may be sent'))),
      timeoutMs: 1000,
      maxResponseBytes: 1024,
      allowHttpLoopback: false,
    });
    await expect(run).rejects.toBeInstanceOf(ToolInputError);
  });
});
