import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import { lintToolkit } from '../../src/catalogue/lint.ts';
import { toolkitSchema } from '../../src/catalogue/schema.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { ROOT, runToExit } from '../helpers/spawn-server.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/**
 * `npm run toolkit:import` run as the operator runs it (a child process) on an OpenAPI 3 document of
 * a provider the catalogue does not have (test/fixtures/plausible-openapi.yaml: shared parameters and
 * schemas behind $refs, path and query parameters, a JSON body, a bearer API key). What it writes
 * must load beside the built-in catalogue, pass lint, and its tools must reach a stand-in of the API
 * with the right method, path, query, body and credential.
 */
const SPEC = `${ROOT}test/fixtures/plausible-openapi.yaml`;
const OPERATIONS = 'getAggregateStats,getSite,deleteSite,createSite,findOrCreateGoal';
const dir = makeTempDir();
const toolkits = `${dir.path}/toolkits`;
const TOKEN = 'plausible-key-0123456789';

const runImport = (...args: string[]) => runToExit(ROOT, {}, 'scripts/toolkit-import.ts', args);

let upstream: FakeUpstream;
let t: TestApp;
let written: any;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  upstream.on('/api/v1/', (req, res) => {
    const ok = req.headers.authorization === `Bearer ${TOKEN}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { received: req.url } : { error: 'Invalid API key' }));
  });
  mkdirSync(toolkits);
  const run = await runImport(
    SPEC,
    '--operations',
    OPERATIONS,
    '--out',
    `${toolkits}/plausible.json`,
    '--base-url',
    `${upstream.url}/api/v1`,
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  written = JSON.parse(readFileSync(`${toolkits}/plausible.json`, 'utf8'));
  t = await createTestApp({ env: { LATCHKEY_TOOLKITS_DIR: toolkits, LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' } });
  const post = async (path: string, body: unknown) => {
    const res = await t.call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, JSON.stringify(await res.clone().json())).toBeLessThan(300);
    return (await res.json()) as any;
  };
  const authConfig = (await post('/api/v3.1/auth_configs', { toolkit: { slug: 'plausible' } })).auth_config.id;
  await post('/api/v3.1/connected_accounts', {
    auth_config: { id: authConfig },
    connection: { user_id: 'ana', state: { authScheme: 'BEARER_TOKEN', val: { token: TOKEN } } },
  });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await upstream.close();
  dir.cleanup();
});

const execute = async (slug: string, args: unknown) => {
  const res = await t.call(`/api/v3.1/tools/execute/${slug}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: 'ana', arguments: args }),
  });
  return { status: res.status, body: (await res.json()) as any, sent: upstream.requests.at(-1)! };
};

describe('npm run toolkit:import', () => {
  it('writes a toolkit that loads beside the built-in catalogue and passes lint', () => {
    const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR, toolkits]);
    expect(catalogue.toolkits.map((k) => k.slug)).toContain('plausible');
    expect(lintToolkit(toolkitSchema.parse(written))).toEqual([]);
    expect(written).toMatchObject({ slug: 'plausible', name: 'Plausible', docs_url: 'https://plausible.io/docs/stats-api' });
    expect(written.description).toMatch(/^Privacy-friendly web analytics/);
    expect(written.auth_schemes).toEqual([
      {
        mode: 'BEARER_TOKEN',
        fields: [{ name: 'token', display_name: 'Token', secret: true, required: true }],
        inject: { headers: { Authorization: 'Bearer {{token}}' } },
      },
    ]);
    const bySlug = Object.fromEntries(written.tools.map((tool: any) => [tool.slug, tool]));
    expect(Object.keys(bySlug)).toEqual([
      'PLAUSIBLE_GET_AGGREGATE_STATS',
      'PLAUSIBLE_GET_SITE',
      'PLAUSIBLE_DELETE_SITE',
      'PLAUSIBLE_CREATE_SITE',
      'PLAUSIBLE_FIND_OR_CREATE_GOAL',
    ]);
    expect(bySlug.PLAUSIBLE_GET_SITE.tags).toEqual(['readOnlyHint', 'idempotentHint', 'openWorldHint']);
    expect(bySlug.PLAUSIBLE_DELETE_SITE.tags).toEqual(['destructiveHint', 'openWorldHint']);
    expect(bySlug.PLAUSIBLE_CREATE_SITE.tags).toEqual(['createHint', 'openWorldHint']);
    expect(bySlug.PLAUSIBLE_FIND_OR_CREATE_GOAL.tags).toEqual(['updateHint', 'openWorldHint']);
    expect(bySlug.PLAUSIBLE_CREATE_SITE.source).toEqual({ spec: 'plausible', operation: 'createSite' });
    // $refs resolved: the shared enum, the body schema and its nested time zone; readOnly `id` left out
    const stats = bySlug.PLAUSIBLE_GET_AGGREGATE_STATS;
    expect(stats.input_parameters.properties.period).toMatchObject({ enum: ['day', '7d', '30d', 'month', '6mo', '12mo'] });
    expect(stats.request).toEqual({ method: 'GET', path: '/stats/aggregate', query: ['site_id', 'period', 'metrics', 'filters'] });
    const create = bySlug.PLAUSIBLE_CREATE_SITE;
    expect(Object.keys(create.input_parameters.properties)).toEqual(['domain', 'timezone']);
    expect(create.input_parameters.required).toEqual(['domain']);
    expect(create.input_parameters.properties.timezone).toMatchObject({ type: 'string', examples: ['Europe/Tallinn'] });
    expect(create.request).toEqual({ method: 'POST', path: '/sites', body: 'json', body_params: ['domain', 'timezone'] });
    expect(bySlug.PLAUSIBLE_FIND_OR_CREATE_GOAL.input_parameters.properties.event_name.type).toEqual(['string', 'null']);
  });

  it('takes the base URL from the servers when none is given, and the bearer scheme from the security schemes', async () => {
    const out = `${dir.path}/own-base/plausible.json`;
    const run = await runImport(SPEC, '--operations', 'all-get', '--out', out);
    expect(run.code).toBe(0);
    const toolkit = JSON.parse(readFileSync(out, 'utf8'));
    expect(toolkit.base_url).toBe('https://plausible.io/api/v1');
    expect(toolkit.tools.map((tool: any) => tool.slug)).toEqual(['PLAUSIBLE_GET_AGGREGATE_STATS', 'PLAUSIBLE_GET_SITE']);
  }, 60_000);

  it("runs the imported tools through REST execute: method, path, query, body and the user's token", async () => {
    const stats = await execute('PLAUSIBLE_GET_AGGREGATE_STATS', { site_id: 'example.com', period: '7d', metrics: 'visitors,pageviews' });
    expect(stats.body).toMatchObject({ successful: true });
    expect(stats.sent.method).toBe('GET');
    const url = new URL(stats.sent.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/stats/aggregate');
    expect(Object.fromEntries(url.searchParams)).toEqual({ site_id: 'example.com', period: '7d', metrics: 'visitors,pageviews' });
    expect(stats.sent.headers.authorization).toBe(`Bearer ${TOKEN}`);

    const site = await execute('PLAUSIBLE_GET_SITE', { site_id: 'blog.example.com' });
    expect(site.body.successful).toBe(true);
    expect(site.sent).toMatchObject({ method: 'GET', url: '/api/v1/sites/blog.example.com', body: '' });

    const created = await execute('PLAUSIBLE_CREATE_SITE', { domain: 'new.example.com', timezone: 'Europe/Tallinn' });
    expect(created.body.successful).toBe(true);
    expect(created.sent).toMatchObject({ method: 'POST', url: '/api/v1/sites' });
    expect(created.sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(created.sent.body)).toEqual({ domain: 'new.example.com', timezone: 'Europe/Tallinn' });

    const goal = await execute('PLAUSIBLE_FIND_OR_CREATE_GOAL', { site_id: 'example.com', goal_type: 'event', event_name: 'Signup' });
    expect(goal.sent.method).toBe('PUT');
    expect(JSON.parse(goal.sent.body)).toEqual({ site_id: 'example.com', goal_type: 'event', event_name: 'Signup' });

    const deleted = await execute('PLAUSIBLE_DELETE_SITE', { site_id: 'old.example.com' });
    expect(deleted.sent).toMatchObject({ method: 'DELETE', url: '/api/v1/sites/old.example.com', body: '' });
    expect(deleted.sent.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("refuses arguments the spec's schema refuses, before anything is sent", async () => {
    const before = upstream.requests.length;
    expect((await execute('PLAUSIBLE_GET_AGGREGATE_STATS', { site_id: 'example.com', period: 'decade' })).status).toBe(400);
    expect((await execute('PLAUSIBLE_CREATE_SITE', { timezone: 'UTC' })).status).toBe(400);
    expect((await execute('PLAUSIBLE_CREATE_SITE', { domain: 'a.example', id: 4 })).status).toBe(400);
    expect(upstream.requests.length).toBe(before);
  });

  it('marks what the spec does not say as a TODO that lint refuses, so the operator must review it', async () => {
    const out = `${dir.path}/todo/plausible.json`;
    const run = await runImport(SPEC, '--operations', 'sharedLink', '--out', out);
    expect(run.code).toBe(0);
    const tool = JSON.parse(readFileSync(out, 'utf8')).tools[0];
    expect(tool.description).toMatch(/^TODO: describe what PUT \/sites\/\{site_id\}\/shared-links does/);
    expect(() => loadCatalogue([`${dir.path}/todo`])).toThrow(/PLAUSIBLE_SHARED_LINK\)\.description: still a TODO/);
  }, 60_000);

  it('stops with one clear line and exit 1 on a bad file, an invalid document, an unknown operation or an unsupported one', async () => {
    const bad = `${dir.path}/bad`;
    mkdirSync(bad);
    writeFileSync(`${bad}/invalid.yaml`, 'openapi: 3.0.3\ninfo:\n  title: Broken\npaths: {}\n');
    writeFileSync(
      `${bad}/upload.yaml`,
      [
        'openapi: 3.0.3',
        'info: {title: Uploads, version: "1"}',
        'servers: [{url: "https://uploads.example.com"}]',
        'paths:',
        '  /files:',
        '    post:',
        '      operationId: uploadFile',
        '      requestBody: {content: {multipart/form-data: {schema: {type: object, properties: {file: {type: string, format: binary}}}}}}',
        '      responses: {"200": {description: ok}}',
        '  /session:',
        '    get:',
        '      operationId: getSession',
        '      parameters: [{name: sid, in: cookie, schema: {type: string}}]',
        '      responses: {"200": {description: ok}}',
      ].join('\n'),
    );
    const cases: Array<[string[], RegExp]> = [
      [[`${bad}/missing.yaml`, '--operations', 'all'], /^toolkit:import: cannot read .*missing\.yaml: .*ENOENT/],
      [[`${bad}/invalid.yaml`, '--operations', 'all'], /^toolkit:import: .*invalid\.yaml is not a valid OpenAPI document: .*version/],
      [
        [SPEC, '--operations', 'getSite,listEverything'],
        /^toolkit:import: unknown operation listEverything; the document has getAggregateStats, /,
      ],
      [
        [`${bad}/upload.yaml`, '--operations', 'all'],
        /^toolkit:import: unsupported: uploadFile \(a multipart\/form-data request body\); getSession \(cookie parameter sid\)/,
      ],
      [[SPEC], /^toolkit:import: usage: /],
    ];
    // a child process each (several seconds on a busy machine), run side by side
    const runs = await Promise.all(cases.map(([args]) => runImport(...args, '--out', `${bad}/out.json`)));
    for (const [i, [args, message]] of cases.entries()) {
      const run = runs[i]!;
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr.trim()).toMatch(message);
    }
    expect(existsSync(`${bad}/out.json`)).toBe(false);
  }, 120_000);
});
