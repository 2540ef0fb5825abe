import { describe, expect, it } from 'vitest';
import { lintToolkit } from '../../src/catalogue/lint.ts';
import { buildToolRequest } from '../../src/execution/build-request.ts';
import { bindConnection } from '../../src/schemes/registry.ts';
import { oneToolKit } from '../helpers/one-tool-kit.ts';

/**
 * `request.wire_names`: an argument a model can name (`top`) goes out under the API's own name
 * (Graph's `$top`), in the query string, a JSON body or a form body; and arguments sent as declared
 * headers (`request.headers`).
 */
const kit = (request: Record<string, unknown>) =>
  oneToolKit({
    input_parameters: {
      type: 'object',
      properties: { id: { type: 'string' }, top: { type: 'integer' }, filter: { type: 'string' }, plain: { type: 'string' } },
    },
    request,
  });

const build = (request: Record<string, unknown>, args: Record<string, unknown>) => {
  const toolkit = kit(request);
  return buildToolRequest(toolkit, toolkit.tools[0]!, args, bindConnection({ mode: 'NO_AUTH', credentials: {}, connectionData: {} }), {
    allowHttpLoopback: false,
  });
};

const wire_names = { top: '$top', filter: '$filter' };

describe('wire names', () => {
  it('sends a query argument under its wire name and leaves the others as they are', () => {
    const request = build({ method: 'GET', path: '/items/{id}', wire_names }, { id: 'a', top: 5, filter: 'isRead eq false', plain: 'p' });
    expect(request.url.pathname).toBe('/v1/items/a');
    expect([...request.url.searchParams]).toEqual([
      ['$top', '5'],
      ['$filter', 'isRead eq false'],
      ['plain', 'p'],
    ]);
  });

  it('names JSON and form body fields by their wire names', () => {
    const json = build({ method: 'POST', path: '/items', wire_names }, { top: 5, plain: 'p' });
    expect(JSON.parse(json.body as string)).toEqual({ $top: 5, plain: 'p' });
    const form = build({ method: 'POST', path: '/items', body: 'form', wire_names }, { filter: 'x', plain: 'p' });
    expect(new URLSearchParams(form.body as string).toString()).toBe('%24filter=x&plain=p');
  });

  it('lint: a wire name for no argument, or for a path argument, is a mistake', () => {
    const problems = lintToolkit(kit({ method: 'GET', path: '/items/{id}', wire_names: { id: 'ID', skip: '$skip', top: '$top' } }));
    expect(problems.filter((p) => p.path === 'tools[0].request.wire_names').map((p) => p.message)).toEqual([
      'id is not a query or body argument of input_parameters.properties',
      'skip is not a query or body argument of input_parameters.properties',
    ]);
  });

  it('sends a declared header filled from its argument, and no header when the call leaves the argument out', () => {
    const headers = { 'If-Match': '{filter}', 'X-Page': 'page {top} of items' };
    expect(build({ method: 'GET', path: '/items', headers }, { filter: 'W/"1"', top: 2 }).headers).toMatchObject({
      'If-Match': 'W/"1"',
      'X-Page': 'page 2 of items',
    });
    const without = build({ method: 'GET', path: '/items', headers }, { plain: 'p' }).headers;
    expect(Object.keys(without)).not.toContain('If-Match');
    expect(Object.keys(without)).not.toContain('X-Page');
  });
});
