import { describe, expect, it } from 'vitest';
import { oauth1Header } from '../../src/execution/oauth1.ts';
import { fillBaseUrl, TemplateError } from '../../src/execution/templates.ts';

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
