import { describe, expect, it } from 'vitest';
import { lintToolkit } from '../../src/catalogue/lint.ts';
import { parseConfig } from '../../src/config.ts';
import { readFileSync } from 'node:fs';
import {
  addressPolicy,
  addressRefusal,
  hostRefusal,
  isLoopbackHost,
  STRICT_POLICY,
  urlRefusal,
} from '../../src/execution/address-policy.ts';
import { validateConnectionData } from '../../src/services/connected-accounts.ts';
import { toolkitSchema, type ToolkitFile } from '../../src/catalogue/schema.ts';
import { tokenResponseData } from '../../src/oauth/token-fields.ts';
import { buildToolRequest } from '../../src/execution/build-request.ts';
import { executeProxy, MAX_ARGUMENT_DEPTH, ToolInputError } from '../../src/execution/execute.ts';
import { nestsDeeperThan } from '../../src/json-depth.ts';
import { bindConnection, NO_AUTH_CONNECTION } from '../../src/schemes/registry.ts';
import { fetchExchange } from '../../src/execution/exchange.ts';
import { maskList, scrub } from '../../src/execution/masking.ts';
import { fillBaseUrl, TemplateError } from '../../src/execution/templates.ts';
import type { PreparedRequest } from '../../src/execution/prepared-request.ts';
import { injectTemplates } from '../../src/schemes/inject.ts';
import { oneToolKit } from '../helpers/one-tool-kit.ts';

const toolkit = (path: string, extra: Partial<ToolkitFile> = {}) =>
  oneToolKit(
    { request: { method: 'GET', path } },
    { connection_fields: [{ name: 'space', display_name: 'Space', type: 'string', secret: false, required: true }], ...extra },
  );

describe('path segments', () => {
  const build = (path: string, args: Record<string, unknown>, space = 'main') => {
    const kit = toolkit(path);
    return buildToolRequest(kit, kit.tools[0]!, args, bindConnection({ mode: 'NO_AUTH', credentials: {}, connectionData: { space } }), {
      allowHttpLoopback: false,
    });
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
    const echoed = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      basic,
    ].join(' | ');
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
    const run = executeProxy(toolkit('/x'), { endpoint: '/x', method: 'POST', body }, NO_AUTH_CONNECTION, {
      exchange: fetchExchange(() => Promise.reject(new Error('nothing may be sent'))),
      timeoutMs: 1000,
      maxResponseBytes: 1024,
      allowHttpLoopback: false,
    });
    await expect(run).rejects.toBeInstanceOf(ToolInputError);
  });
});

describe('placeholders in toolkit URLs', () => {
  const file = (extra: Record<string, unknown>, scheme: Record<string, unknown> = { mode: 'NO_AUTH' }) =>
    toolkitSchema.parse({
      slug: 'kit',
      name: 'Kit',
      description: 'kit',
      base_url: 'https://api.example.com',
      connection_fields: [{ name: 'host', display_name: 'Host' }],
      auth_schemes: [scheme],
      tools: [
        {
          slug: 'KIT_X',
          name: 'x',
          description: 'a tool of the lint tests, long enough',
          tags: ['readOnlyHint'],
          input_parameters: { type: 'object', properties: {} },
          request: { method: 'GET', path: '/x' },
          source: { docs: 'https://docs.example.com/api' },
        },
      ],
      ...extra,
    });
  const oauth2 = (urls: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    mode: 'OAUTH2',
    authorization_url: 'https://login.example.com/authorize',
    token_url: 'https://login.example.com/token',
    inject: { headers: { Authorization: 'Bearer {{access_token}}' } },
    ...urls,
    ...extra,
  });
  const messages = (kit: ToolkitFile) => lintToolkit(kit).map((p) => `${p.path}: ${p.message}`);

  it('refuses a whole host, a label without a fixed domain, a partial label, the query, and a user-chosen origin', () => {
    for (const base_url of [
      'http://{{host}}/api',
      'https://{{host}}',
      'https://{{host}}.com/api',
      'https://x{{host}}.example.com',
      'https://api.example.com/v1?h={{host}}',
      '{{host}}/api',
      'https://api.example.com:{{host}}/',
    ]) {
      expect(
        messages(file({ base_url })).filter((m) => m.startsWith('base_url:')),
        base_url,
      ).not.toEqual([]);
    }
  });

  it('refuses the same in OAuth URLs, so no user input chooses where a token request goes', () => {
    const cases: Array<Record<string, string>> = [
      { token_url: 'https://{{host}}/oauth/token' },
      { authorization_url: '{{host}}/authorize' },
      { revocation_url: 'http://{{host}}/revoke' },
    ];
    for (const urls of cases) {
      const problems = messages(file({}, oauth2(urls)));
      expect(
        problems.some((m) => m.startsWith(`auth_schemes[0].${Object.keys(urls)[0]}`)),
        JSON.stringify(urls),
      ).toBe(true);
    }
    const oauth1 = {
      mode: 'OAUTH1',
      request_token_url: 'https://{{host}}/rt',
      authorization_url: 'https://api.example.com/a',
      access_token_url: 'https://api.example.com/at',
    };
    expect(messages(file({}, oauth1)).some((m) => m.startsWith('auth_schemes[0].request_token_url'))).toBe(true);
  });

  it('accepts a tenant label of a fixed domain, a path segment, and an origin the token response sets', () => {
    expect(
      messages(
        file({ base_url: 'https://{{host}}.zendesk.com/api/v2' }, oauth2({ token_url: 'https://{{host}}.zendesk.com/oauth/tokens' })),
      ),
    ).toEqual([]);
    expect(messages(file({ base_url: 'https://api.example.com/{{host}}/v1' }))).toEqual([]);
    expect(
      messages(
        file({ base_url: '{{instance_url}}/services', connection_fields: [] }, oauth2({}, { token_response_fields: ['instance_url'] })),
      ),
    ).toEqual([]);
  });

  it('refuses token_response_fields that name a connection field', () => {
    expect(messages(file({}, oauth2({}, { token_response_fields: ['host'] })))).toEqual([
      expect.stringMatching(/^auth_schemes\[0\]\.token_response_fields: host is a connection field/),
    ]);
  });

  it('fills a label with one label only, and a segment with one segment only', () => {
    for (const host of ['acme.evil.com', 'evil.com#', 'a_b'])
      expect(() => fillBaseUrl('https://{{host}}.zendesk.com', { host }, false), host).toThrow(TemplateError);
    for (const host of ['..', '.', 'a/b/..']) {
      const url = (() => {
        try {
          return fillBaseUrl('https://api.example.com/{{host}}/v1', { host }, false).pathname;
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateError);
          return 'refused';
        }
      })();
      expect(['refused', `/${encodeURIComponent(host)}/v1`]).toContain(url);
    }
    expect(() => fillBaseUrl('http://{{host}}/api', { host: 'evil.com' }, false)).toThrow(/no connection value may go/);
    expect(() => fillBaseUrl('{{instance_url}}/x', { instance_url: 'not a url' }, false)).toThrow(TemplateError);
  });
});

describe('token response fields', () => {
  it('keeps declared, short, single-line strings, never a protected name', () => {
    const kept = tokenResponseData(['member_id', 'team', 'long', 'nl', 'num', 'absent'], new Set(['team']), {
      member_id: 'm-1',
      team: 'evil',
      long: 'x'.repeat(600),
      nl: 'a\nb',
      num: 7,
      other: 'x',
    });
    expect(kept).toEqual({ member_id: 'm-1' });
  });
});

describe('address policy', () => {
  it('refuses non-public addresses by default, loopback alone with allowLoopback, all with allowPrivate', () => {
    const inward = [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '::',
      'fe80::1',
      'fd12::1',
      '224.0.0.1',
      '255.255.255.255',
    ];
    for (const address of inward) expect(addressRefusal(address, STRICT_POLICY), address).not.toBeNull();
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '172.32.0.1'])
      expect(addressRefusal(address, STRICT_POLICY), address).toBeNull();
    const loopback = { allowPrivate: false, allowLoopback: true };
    expect(addressRefusal('127.0.0.1', loopback)).toBeNull();
    expect(addressRefusal('10.0.0.1', loopback)).not.toBeNull();
    for (const address of inward) expect(addressRefusal(address, { allowPrivate: true, allowLoopback: true }), address).toBeNull();
    // verdicts are remembered per policy: one policy's answer never leaks into another's, and a full memory starts over
    for (let i = 0; i < 1100; i++) expect(addressRefusal(`8.8.${i >> 8}.${i & 255}`, loopback)).toBeNull();
    for (const address of inward) expect(addressRefusal(address, STRICT_POLICY), address).not.toBeNull();
    expect(addressRefusal('127.0.0.1', loopback)).toBeNull();
  });

  it('judges an IPv6 address that a gateway turns into IPv4 (NAT64, 6to4, IPv4-compatible) by the IPv4 address, and refuses Teredo', () => {
    for (const address of [
      '64:ff9b::a9fe:a9fe', // NAT64 to 169.254.169.254
      '64:ff9b::7f00:1', // NAT64 to 127.0.0.1
      '64:ff9b::10.0.0.1',
      '2002:a9fe:a9fe::1', // 6to4 from 169.254.169.254
      '2002:c0a8:1::', // 6to4 from 192.168.0.1
      '::a9fe:a9fe', // IPv4-compatible
      '::10.1.2.3',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    ])
      expect(addressRefusal(address, STRICT_POLICY), address).not.toBeNull();
    for (const address of ['64:ff9b::808:808', '2002:808:808::1', '::8.8.8.8'])
      expect(addressRefusal(address, STRICT_POLICY), address).toBeNull();
    expect(addressRefusal('64:ff9b::7f00:1', { allowPrivate: false, allowLoopback: true })).toBeNull();
    expect(addressRefusal('2001:0:4136:e378:8000:63bf:3fff:fdd2', { allowPrivate: true, allowLoopback: true })).toBeNull();
    expect(urlRefusal('https://[64:ff9b::a9fe:a9fe]/', STRICT_POLICY)).toMatch(/LATCHKEY_ALLOW_PRIVATE_NETWORK/);
  });

  it('reads URL hosts as the URL parser does, and names the setting', () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'https://[::ffff:a9fe:a9fe]/',
      'http://LOCALHOST./',
      'https://a.b.localhost/',
    ]) {
      expect(urlRefusal(url, STRICT_POLICY), url).toMatch(/LATCHKEY_ALLOW_PRIVATE_NETWORK/);
    }
    expect(urlRefusal('https://hooks.example.com/in', STRICT_POLICY)).toBeNull();
    expect(hostRefusal('example.com', STRICT_POLICY)).toBeNull();
  });

  it('is read from the configuration: loopback follows either setting', () => {
    expect(addressPolicy(parseConfig({}))).toEqual(STRICT_POLICY);
    expect(addressPolicy(parseConfig({ LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true' }))).toEqual({ allowPrivate: false, allowLoopback: true });
    expect(addressPolicy(parseConfig({ LATCHKEY_ALLOW_PRIVATE_NETWORK: 'true' }))).toEqual({ allowPrivate: true, allowLoopback: true });
  });

  it('names the setting that allows http on loopback', () => {
    expect(() => fillBaseUrl('http://127.0.0.1:9/x', {}, false)).toThrow(/LATCHKEY_ALLOW_INSECURE_LOOPBACK=true/);
    expect(() => fillBaseUrl('http://api.example.com/x', {}, true)).not.toThrow(/LATCHKEY_ALLOW_INSECURE_LOOPBACK/);
  });
});

describe('connection values that fill a host label', () => {
  it('are refused at connect time unless they are one DNS label, as the engine will demand on every call', () => {
    const zendesk = toolkitSchema.parse(JSON.parse(readFileSync(new URL('../../tools/zendesk.json', import.meta.url), 'utf8')));
    expect(validateConnectionData(zendesk, { subdomain: 'acme' }, STRICT_POLICY)).toEqual({ subdomain: 'acme' });
    for (const bad of ['acme.eu', 'evil.com', 'a..b', '-x'])
      expect(() => validateConnectionData(zendesk, { subdomain: bad }, STRICT_POLICY), bad).toThrow(/not valid/);
    // and what is accepted, the engine fills
    expect(fillBaseUrl(zendesk.base_url, { subdomain: 'acme' }, false).href).toBe('https://acme.zendesk.com/api/v2');
  });

  it('recognises loopback hosts as written, in every form, with one test', () => {
    for (const host of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.9.9.9', '[::1]', '[::ffff:7f00:1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '[::2]', 'localhost.example.com', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});

describe('credential injection', () => {
  const rule = {
    headers: { 'X-Token': 'Token {{token}}', 'X-Space': '{{space}}' },
    query: { key: '{{token}}' },
    basic: { username: '{{user}}', password: '{{token}}' },
  };
  const connection = (token: string) =>
    bindConnection({ mode: 'API_KEY', credentials: { token, user: 'someone' }, connectionData: { space: 'acme' } });
  const request = (): PreparedRequest => ({
    method: 'GET',
    url: new URL('https://api.example.com/x?a=1'),
    headers: { Accept: 'application/json' },
  });

  it('puts the same filled values on every request of a connection, each request its own, and lists every form to mask', () => {
    const account = connection('tok-one-123');
    const [first, second] = [request(), request()];
    injectTemplates(rule, account, first);
    injectTemplates(rule, account, second);
    for (const sent of [first, second]) {
      expect(sent.headers).toEqual({
        Accept: 'application/json',
        'X-Token': 'Token tok-one-123',
        'X-Space': 'acme',
        Authorization: `Basic ${Buffer.from('someone:tok-one-123').toString('base64')}`,
      });
      expect(sent.url.search).toBe('?a=1&key=tok-one-123');
      expect(sent.injected).toEqual([
        'tok-one-123',
        'tok-one-123',
        'someone',
        'tok-one-123',
        'someone:tok-one-123',
        Buffer.from('someone:tok-one-123').toString('base64'),
      ]);
    }
    expect(first.injected).not.toBe(second.injected);
    // a refreshed credential is a new connection: its own values, never the old ones
    const refreshed = request();
    injectTemplates(rule, connection('tok-two-456'), refreshed);
    expect(refreshed.headers['X-Token']).toBe('Token tok-two-456');
    expect(refreshed.url.searchParams.get('key')).toBe('tok-two-456');
  });

  it('refuses on every call a connection that lacks a value the rule needs', () => {
    const lacking = bindConnection({ mode: 'API_KEY', credentials: { token: 'tok-one-123' }, connectionData: {} });
    for (let i = 0; i < 2; i++) expect(() => injectTemplates(rule, lacking, request())).toThrow(TemplateError);
  });
});
