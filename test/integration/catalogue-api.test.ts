import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_PAGE_SIZE, pageQuery } from '../../src/api/pagination.ts';
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

  it('lists every toolkit and tool of the catalogue, page after page: at least 50 toolkits and 600 tools (issue 20)', async () => {
    const all = async (path: string) => {
      const slugs = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await json(`${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.status).toBe(200);
        for (const item of page.body.items) slugs.add(item.slug);
        cursor = page.body.next_cursor ?? undefined;
      } while (cursor);
      return slugs;
    };
    const toolkits = await all('/api/v3.1/toolkits');
    const tools = await all('/api/v3.1/tools');
    expect(toolkits.size).toBe(t.deps.catalogue.toolkits.length);
    expect(tools.size).toBe(t.deps.catalogue.toolCount);
    expect(toolkits.size).toBeGreaterThanOrEqual(50);
    expect(tools.size).toBeGreaterThanOrEqual(600);
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
    // Composio's action tags as they are: an update is updateHint, not destructiveHint
    const updates = await json('/api/v3.1/tools?tags=updateHint&limit=1000');
    expect(updates.body.items.map((i: any) => i.slug)).toContain('GITHUB_UPDATE_AN_ISSUE');
    expect(updates.body.items.some((i: any) => i.tags.includes('destructiveHint') || i.tags.includes('createHint'))).toBe(false);
    expect((await json('/api/v3.1/tools/GITHUB_CREATE_AN_ISSUE')).body.tags).toEqual(['createHint', 'openWorldHint']);
    const search = await json('/api/v3.1/tools?search=send%20an%20email');
    expect(search.body.items[0].slug).toMatch(/^GMAIL_|^SENDGRID_|^OUTLOOK_/);
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

  it("serves /toolkits/categories, POST /toolkits/multi and /tools/enum in Composio's shapes, on both API generations", async () => {
    for (const prefix of ['/api/v3', '/api/v3.1']) {
      const categories = await json(`${prefix}/toolkits/categories`);
      expect(categories.status, prefix).toBe(200);
      expect(categories.body).toMatchObject({ current_page: 1, total_pages: 1, next_cursor: null });
      expect(categories.body.items).toContainEqual({ id: 'developer-tools', name: 'developer tools' });
      const names = new Set(t.deps.catalogue.toolkits.flatMap((k) => k.categories ?? []));
      expect(categories.body.total_items).toBe(names.size);
      const byCategory = await json(`${prefix}/toolkits?category=developer-tools`);
      expect(byCategory.body.items.map((i: any) => i.slug)).toContain('github');

      const multi = await t.call(`${prefix}/toolkits/multi`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ toolkits: ['slack', 'GITHUB'], limit: 1 }),
      });
      const multiPage = (await multi.json()) as any;
      expect(multiPage).toMatchObject({ total_items: 2, total_pages: 2 });
      expect(multiPage.items.map((i: any) => i.slug)).toEqual(['github']);
      expect(
        (
          await t.call(`${prefix}/toolkits/multi`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"toolkits":[]}',
          })
        ).status,
      ).toBe(400);

      const slugs = await json(`${prefix}/tools/enum`);
      expect(slugs.status, prefix).toBe(200);
      expect(slugs.body).toHaveLength(t.deps.catalogue.toolCount);
      expect(slugs.body).toContain('GITHUB_GET_THE_AUTHENTICATED_USER');
    }
  });

  it('answers limit=9999 (what the SDK sends for tools.get with tools) with a page, on every list route', async () => {
    for (const path of [
      '/tools?tool_slugs=GITHUB_GET_THE_AUTHENTICATED_USER',
      '/tools',
      '/toolkits',
      '/toolkits/categories',
      '/auth_configs',
      '/connected_accounts',
    ]) {
      const page = await json(`/api/v3.1${path}${path.includes('?') ? '&' : '?'}limit=9999`);
      expect(page.status, path).toBe(200);
      expect(page.body.total_pages, path).toBe(1);
    }
    expect(z.object(pageQuery).parse({ limit: '9999' }).limit).toBe(MAX_PAGE_SIZE);
    expect((await json('/api/v3.1/tools?limit=0')).status).toBe(400);
  });

  it('answers toolkits with every field the clients of both API generations declare required', async () => {
    // @composio/client 2.0.0-rc.6 (GetApiV31Toolkits…Responses) and 0.1.0-alpha.68 (ToolkitListResponse,
    // ToolkitRetrieveResponse): the list names categories {id, name}, the single toolkit {slug, name}
    const date = z.iso.datetime();
    const meta = {
      created_at: date,
      updated_at: date,
      description: z.string(),
      logo: z.string(),
      app_url: z.string().nullable().optional(),
      triggers_count: z.number(),
      tools_count: z.number(),
      version: z.string(),
    };
    const field = z.object({
      name: z.string(),
      displayName: z.string(),
      default: z.string().nullable().optional(),
      type: z.string(),
      description: z.string(),
      required: z.boolean(),
      is_secret: z.boolean().optional(),
    });
    const fieldGroup = z.object({ required: z.array(field), optional: z.array(field) });
    const listItem = z.object({
      slug: z.string(),
      name: z.string(),
      type: z.enum(['native', 'custom']),
      auth_schemes: z.array(z.string()).optional(),
      composio_managed_auth_schemes: z.array(z.string()).optional(),
      is_local_toolkit: z.boolean(),
      no_auth: z.boolean().optional(),
      deprecated: z.object({ toolkitId: z.string() }),
      meta: z.object({ ...meta, categories: z.array(z.object({ id: z.string(), name: z.string() })) }),
    });
    const page = z.object({
      items: z.array(listItem),
      next_cursor: z.string().nullable().optional(),
      total_pages: z.number(),
      current_page: z.number(),
      total_items: z.number(),
    });
    const single = z.object({
      slug: z.string(),
      name: z.string(),
      type: z.enum(['native', 'custom']),
      enabled: z.boolean(),
      composio_managed_auth_schemes: z.array(z.string()).optional(),
      composio_managed_auth: z.array(z.object({ mode: z.string(), scopes: z.object({ available: z.array(z.string()) }) })),
      is_local_toolkit: z.boolean(),
      auth_config_details: z
        .array(
          z.object({
            mode: z.string(),
            name: z.string(),
            fields: z.object({ auth_config_creation: fieldGroup, connected_account_initiation: fieldGroup }),
            proxy: z.object({ base_url: z.string() }).optional(),
          }),
        )
        .optional(),
      base_url: z.string().optional(),
      meta: z.object({
        ...meta,
        categories: z.array(z.object({ slug: z.string(), name: z.string() })),
        available_versions: z.array(z.string()),
      }),
      deprecated: z.object({ toolkitId: z.string(), rawProxyInfoByAuthSchemes: z.array(z.record(z.string(), z.unknown())) }),
    });
    for (const prefix of ['/api/v3', '/api/v3.1']) {
      const list = await json(`${prefix}/toolkits?limit=1000`);
      expect(page.safeParse(list.body).error, prefix).toBeUndefined();
      for (const { slug } of t.deps.catalogue.toolkits) {
        const one = await json(`${prefix}/toolkits/${slug}`);
        expect(single.safeParse(one.body).error, `${prefix} ${slug}`).toBeUndefined();
        expect(one.body.meta.updated_at).toBe(list.body.items.find((i: any) => i.slug === slug).meta.updated_at);
      }
    }
    const github = await json('/api/v3.1/toolkits/github');
    expect(github.body.composio_managed_auth).toContainEqual({
      mode: 'OAUTH2',
      scopes: { available: ['repo', 'read:user', 'user:email'] },
    });
  });
});
