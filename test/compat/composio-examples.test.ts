// @ts-nocheck -- drives both published SDKs; the 0.8 one is installed under an alias without types
import { Composio, experimental_createTool, experimental_createToolkit } from '@composio/core';
import { Composio as ComposioV08 } from 'composio-core-v08';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startCompatStack, type CompatStack } from './stack.ts';

/**
 * What Composio's own example programs call, beyond the flows of composio-core.test.ts: each of these
 * failed against latchkey until it answered as Composio does (issue 13). Both API generations: 0.21
 * speaks /api/v3.1, 0.8 speaks /api/v3.
 */
let stack: CompatStack;
let sdks: Array<{ name: string; composio: Composio }>;
let user = 0;

beforeAll(async () => {
  stack = await startCompatStack();
  const options = { apiKey: stack.app.apiKey, baseURL: stack.app.url, allowTracking: false, disableVersionCheck: true };
  sdks = [
    { name: '0.21 (v3.1)', composio: new Composio(options) },
    { name: '0.8 (v3)', composio: new ComposioV08(options) },
  ];
});
afterAll(() => stack.close());

/** A user with an ACTIVE testkey account. */
async function connectedUser(composio: Composio): Promise<string> {
  const userId = `example-user-${++user}`;
  const config = await composio.authConfigs.create('testkey', { type: 'use_composio_managed_auth' });
  const account = await composio.connectedAccounts.initiate(userId, config.id, {
    config: { authScheme: 'API_KEY', val: { api_key: 'key-alpha-123456', region: 'eu' } },
  });
  expect(account.status).toBe('ACTIVE');
  return userId;
}

describe("Composio's example programs against latchkey", () => {
  it('tools.get(user, {tools}) sends limit=9999 and gets its tools (latchkey pages at most 1,000, as Composio)', async () => {
    for (const { name, composio } of sdks) {
      const tools = await composio.tools.get('any-user', { tools: ['TESTKEY_WHOAMI', 'GITHUB_GET_THE_AUTHENTICATED_USER'] });
      expect(tools.map((t) => t.function.name).sort(), name).toEqual(['GITHUB_GET_THE_AUTHENTICATED_USER', 'TESTKEY_WHOAMI']);
    }
  });

  it('tools.execute with connectedAccountId "" (what a provider sends when none is chosen) runs as the user', async () => {
    for (const { name, composio } of sdks) {
      const userId = await connectedUser(composio);
      const result = await composio.tools.execute('TESTKEY_WHOAMI', {
        userId,
        connectedAccountId: '',
        arguments: {},
        dangerouslySkipVersionCheck: true,
      });
      expect(result, name).toMatchObject({ successful: true, data: { account: { region: 'eu' } } });
    }
  });

  it("connectedAccounts.get and list decode an INITIATED OAuth account's state, which carries its Connect Link", async () => {
    for (const { name, composio } of sdks) {
      const userId = `example-pending-${++user}`;
      const config = await composio.authConfigs.create('testoauth', { type: 'use_composio_managed_auth' });
      const request = await composio.connectedAccounts.initiate(userId, config.id, { callbackUrl: 'https://app.example.com/back' });
      expect(request.redirectUrl, name).toMatch(/\/link\/ln_/);
      const account = await composio.connectedAccounts.get(request.id);
      expect(account.status, name).toBe('INITIATED');
      expect(account.state, name).toEqual({
        authScheme: 'OAUTH2',
        val: expect.objectContaining({ status: 'INITIATED', redirectUrl: request.redirectUrl }),
      });
      const listed = await composio.connectedAccounts.list({ userIds: [userId] });
      expect(
        listed.items.map((i) => i.state?.val.redirectUrl),
        name,
      ).toEqual([request.redirectUrl]);
    }
  });

  it("toolkits.get decodes a toolkit's and the list's meta: categories as {slug, name}, createdAt, updatedAt", async () => {
    for (const { name, composio } of sdks) {
      const one = await composio.toolkits.get('github');
      expect(one.meta.categories, name).toEqual([
        { slug: 'developer-tools', name: 'developer tools' },
        { slug: 'version-control', name: 'version control' },
      ]);
      expect(Date.parse(one.meta.createdAt), name).toBeGreaterThan(0);
      expect(Date.parse(one.meta.updatedAt), name).toBeGreaterThan(0);
      const listed = (await composio.toolkits.get({})).find((t) => t.slug === 'github');
      expect(listed.meta.categories, name).toEqual(one.meta.categories);
      expect(listed.meta.createdAt, name).toBe(one.meta.createdAt);
      // stable: the catalogue's date, not the time of the request
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await composio.toolkits.get('github')).meta.updatedAt, name).toBe(one.meta.updatedAt);
    }
  });

  it('toolkits.getMany (0.21 only)', async () => {
    const many = await sdks[0]!.composio.toolkits.getMany(['github', 'GMAIL'], { sortBy: 'alphabetically' });
    expect(many.map((t) => t.slug)).toEqual(['github', 'gmail']);
    expect(many[0].meta.categories).toContainEqual({ slug: 'developer-tools', name: 'developer tools' });
  });

  it('toolkits.listCategories and tools.getToolsEnum', async () => {
    for (const { name, composio } of sdks) {
      const categories = await composio.toolkits.listCategories();
      expect(categories.items, name).toContainEqual({ id: 'developer-tools', name: 'developer tools' });
      expect(new Set(categories.items.map((c) => c.id)).size, name).toBe(categories.items.length);
      const github = await composio.toolkits.get({ category: 'developer-tools' });
      expect(
        github.map((t) => t.slug),
        name,
      ).toContain('github');
      const slugs = await composio.tools.getToolsEnum();
      expect(slugs, name).toEqual(expect.arrayContaining(['TESTKEY_WHOAMI', 'GITHUB_GET_THE_AUTHENTICATED_USER']));
    }
  });

  it('custom tools (0.21): the create answer names each LOCAL_ slug, so session.execute runs the local function', async () => {
    const composio = sdks[0]!.composio;
    const lookup = experimental_createTool('LOOKUP_THING', {
      name: 'Lookup',
      description: 'Looks a thing up in the app',
      inputParams: z.object({ q: z.string() }),
      execute: async (input: { q: string }) => ({ found: input.q }),
    });
    const whoami = experimental_createTool('WHOAMI_TWICE', {
      name: 'Who am I, twice',
      description: 'Extends the testkey toolkit',
      extendsToolkit: 'testkey',
      inputParams: z.object({}),
      execute: async () => ({ twice: true }),
    });
    const crm = experimental_createToolkit('CRM', {
      name: 'CRM',
      description: 'The app’s own CRM',
      tools: [
        experimental_createTool('FIND_CUSTOMER', {
          name: 'Find customer',
          description: 'Finds a customer',
          inputParams: z.object({ name: z.string() }),
          execute: async (input: { name: string }) => ({ id: `cust-${input.name}` }),
        }),
      ],
    });
    const session = await composio.create('custom-carl', {
      toolkits: ['testkey'],
      experimental: { customTools: [lookup, whoami], customToolkits: [crm] },
    });
    expect(
      session
        .customTools()
        .map((t) => t.slug)
        .sort(),
    ).toEqual(['LOCAL_CRM_FIND_CUSTOMER', 'LOCAL_LOOKUP_THING', 'LOCAL_TESTKEY_WHOAMI_TWICE']);
    expect((await session.execute('LOCAL_LOOKUP_THING', { q: 'x' })).data).toEqual({ found: 'x' });
    expect((await session.execute('LOCAL_CRM_FIND_CUSTOMER', { name: 'ada' })).data).toEqual({ id: 'cust-ada' });

    const unknownToolkit = experimental_createTool('NOPE', {
      name: 'Nope',
      description: 'Extends nothing real',
      extendsToolkit: 'nosuchkit',
      inputParams: z.object({}),
      execute: async () => ({}),
    });
    const refused = await composio.create('custom-carl', { experimental: { customTools: [unknownToolkit] } }).catch((e: Error) => e);
    expect(String((refused as Error).cause ?? refused)).toMatch(/400.*unknown toolkit nosuchkit/);
  });
});
