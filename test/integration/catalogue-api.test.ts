import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { LATCHKEY_OAUTH_GITHUB_CLIENT_ID: 'gh-id', LATCHKEY_OAUTH_GITHUB_CLIENT_SECRET: 'gh-operator-secret' } });
});
afterAll(() => t.close());

const json = async (path: string) => {
  const res = await t.call(path);
  return { status: res.status, body: (await res.json()) as any };
};

describe('toolkits and tools over REST', () => {
  it('lists toolkits in pages with Composio’s page fields', async () => {
    const first = await json('/api/v3.1/toolkits?limit=5');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ current_page: 1, total_items: t.deps.catalogue.toolkits.length });
    expect(first.body.items).toHaveLength(5);
    const seen = new Set(first.body.items.map((i: any) => i.slug));
    let cursor = first.body.next_cursor;
    while (cursor) {
      const page = await json(`/api/v3.1/toolkits?limit=5&cursor=${encodeURIComponent(cursor)}`);
      for (const item of page.body.items) seen.add(item.slug);
      cursor = page.body.next_cursor;
    }
    expect(seen.size).toBe(t.deps.catalogue.toolkits.length);
    const bad = await t.call('/api/v3.1/toolkits?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
  });

  it('describes a toolkit with the fields each scheme asks for, and what the operator manages', async () => {
    const github = await json('/api/v3.1/toolkits/GITHUB');
    expect(github.status).toBe(200);
    expect(github.body.composio_managed_auth_schemes).toEqual(['OAUTH2', 'BEARER_TOKEN']);
    const oauth = github.body.auth_config_details.find((d: any) => d.mode === 'OAUTH2');
    expect(oauth.fields.auth_config_creation.required.map((f: any) => f.name)).toEqual(['client_id', 'client_secret']);
    const bearer = github.body.auth_config_details.find((d: any) => d.mode === 'BEARER_TOKEN');
    expect(bearer.fields.connected_account_initiation.required[0]).toMatchObject({ name: 'token', is_secret: true });
    expect(JSON.stringify(github.body)).not.toContain('gh-operator-secret');

    const zendesk = await json('/api/v3/toolkits/zendesk');
    expect(zendesk.body.composio_managed_auth_schemes).toEqual([]);
    expect(zendesk.body.auth_config_details[0].fields.connected_account_initiation.required.map((f: any) => f.name)).toContain('subdomain');
    expect((await t.call('/api/v3/toolkits/nope')).status).toBe(404);
  });

  it('lists tools filtered by toolkit, tags and search, and pages them', async () => {
    const gmail = await json('/api/v3.1/tools?toolkit_slug=gmail&limit=100');
    expect(gmail.body.items.length).toBe(t.deps.catalogue.toolkit('gmail')!.tools.length);
    expect(gmail.body.items.every((i: any) => i.toolkit.slug === 'gmail')).toBe(true);
    const two = await json('/api/v3.1/tools?toolkit_slug=gmail,slack&limit=1000');
    expect(new Set(two.body.items.map((i: any) => i.toolkit.slug))).toEqual(new Set(['gmail', 'slack']));
    const destructive = await json('/api/v3.1/tools?tags=destructiveHint&limit=1000');
    expect(destructive.body.items.length).toBeGreaterThan(0);
    expect(destructive.body.items.every((i: any) => i.tags.includes('destructiveHint'))).toBe(true);
    const search = await json('/api/v3.1/tools?search=send%20an%20email');
    expect(search.body.items[0].slug).toMatch(/^GMAIL_|^SENDGRID_/);
    const paged = await json('/api/v3.1/tools?limit=7');
    expect(paged.body.items).toHaveLength(7);
    expect(paged.body.total_items).toBe(t.deps.catalogue.toolCount);
    expect(paged.body.next_cursor).toBeTruthy();
  });

  it('returns one tool in the shape the SDK reads before executing', async () => {
    const tool = await json('/api/v3.1/tools/GITHUB_GET_THE_AUTHENTICATED_USER?version=20261122_00');
    expect(tool.status).toBe(200);
    expect(tool.body).toMatchObject({
      slug: 'GITHUB_GET_THE_AUTHENTICATED_USER',
      toolkit: { slug: 'github', name: 'GitHub' },
      no_auth: false,
      is_deprecated: false,
      input_parameters: { type: 'object' },
    });
    expect(typeof tool.body.version).toBe('string');
    expect((await json('/api/v3.1/tools/HACKERNEWS_GET_ITEM')).body.no_auth).toBe(true);
    expect((await t.call('/api/v3.1/tools/NOPE')).status).toBe(404);
  });
});
