import { describe, expect, it } from 'vitest';
import { oauth1Header } from '../../src/execution/oauth1.ts';
import { fillBaseUrl, TemplateError } from '../../src/execution/templates.ts';
import { buildToolRequest } from '../../src/execution/build-request.ts';
import { maskListOf, scrub } from '../../src/execution/masking.ts';
import { bindConnection } from '../../src/schemes/registry.ts';
import type { ToolDefinition, ToolkitFile } from '../../src/catalogue/schema.ts';

describe('OAuth 1.0a signing', () => {
  it("matches the published HMAC-SHA1 example (Twitter's 'Creating a signature')", () => {
    const header = oauth1Header(
      {
        method: 'POST',
        url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
        form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
      },
      {
        consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
        consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      },
      { nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: 1318622958 },
    );
    expect(header).toContain(`oauth_signature="${encodeURIComponent('hCtSmYh+iHYCEqBWrE7C7hYmtUk=')}"`);
  });
});

describe('base URL placeholders', () => {
  it('fills a host label and a whole origin', () => {
    expect(fillBaseUrl('https://{{subdomain}}.zendesk.com/api/v2', { subdomain: 'acme' }, false).href).toBe(
      'https://acme.zendesk.com/api/v2',
    );
    expect(fillBaseUrl('{{instance_url}}/services/data/v62.0', { instance_url: 'https://na1.my.salesforce.com' }, false).href).toBe(
      'https://na1.my.salesforce.com/services/data/v62.0',
    );
  });

  it('refuses values that would move the request to another host', () => {
    for (const subdomain of ['evil.com/x#', 'a@evil.com', 'evil.com:8080', '../x', 'a b', '']) {
      expect(() => fillBaseUrl('https://{{subdomain}}.zendesk.com/api/v2', { subdomain }, false), subdomain).toThrow(TemplateError);
    }
    expect(() => fillBaseUrl('{{instance_url}}/x', { instance_url: 'https://user:pw@evil.com' }, false)).toThrow(TemplateError);
    expect(() => fillBaseUrl('{{instance_url}}/x', { instance_url: 'https://evil.com/path?q' }, false)).toThrow(TemplateError);
  });

  it('sends credentials over https only, or plain http on loopback when allowed', () => {
    expect(() => fillBaseUrl('http://api.example.com', {}, true)).toThrow(/only https/);
    expect(() => fillBaseUrl('http://127.0.0.1:9/x', {}, false)).toThrow(/only https/);
    expect(fillBaseUrl('http://127.0.0.1:9/x', {}, true).host).toBe('127.0.0.1:9');
    expect(fillBaseUrl('http://localhost:9/x', {}, true).host).toBe('localhost:9');
  });
});

describe('what is derived once per connection', () => {
  const toolkit = {
    slug: 'tenantapi',
    name: 'Tenant API',
    description: 'an API with one path segment per tenant',
    base_url: 'https://api.example.com/{{tenant}}',
    auth_schemes: [{ mode: 'BEARER_TOKEN', inject: { headers: { Authorization: 'Bearer {{token}}' } } }],
    tools: [],
  } as unknown as ToolkitFile;
  const tool = {
    slug: 'TENANTAPI_GET_ITEM',
    input_parameters: { type: 'object', properties: { id: { type: 'string' } } },
    request: { method: 'GET', path: '/items/{id}' },
  } as unknown as ToolDefinition;
  const connection = (tenant: string, token: string) =>
    bindConnection({ mode: 'BEARER_TOKEN', credentials: { token }, connectionData: { tenant } });

  it('builds each connection its own base URL, however often the same tool is called', () => {
    const alpha = connection('alpha', 'token-alpha');
    const bravo = connection('bravo', 'token-bravo');
    const url = (c: ReturnType<typeof connection>, id: string) =>
      buildToolRequest(toolkit, tool, { id }, c, { allowHttpLoopback: false }).url.href;
    expect(url(alpha, '1')).toBe('https://api.example.com/alpha/items/1');
    expect(url(alpha, '2')).toBe('https://api.example.com/alpha/items/2');
    expect(url(bravo, '1')).toBe('https://api.example.com/bravo/items/1');
    expect(buildToolRequest(toolkit, tool, { id: '1' }, bravo, { allowHttpLoopback: false }).headers.Authorization).toBe(
      'Bearer token-bravo',
    );
    // a value the template refuses is refused on every call, not once
    const bad = connection('..', 'token-bad');
    for (let i = 0; i < 2; i++) expect(() => url(bad, '1')).toThrow(TemplateError);
  });

  it('makes an owner a new mask list when the values to mask change', () => {
    const owner = {};
    const first = maskListOf(owner, ['secret-one']);
    expect(maskListOf(owner, ['secret-one'])).toBe(first);
    const second = maskListOf(owner, ['secret-two']);
    expect(second).toContain('secret-two');
    expect(second).not.toContain('secret-one');
    expect(scrub('echo secret-two', second)).not.toContain('secret-two');
  });
});
