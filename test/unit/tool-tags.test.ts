import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TOOLKITS_DIR } from '../../src/bootstrap.ts';
import { CatalogueError, loadCatalogue } from '../../src/catalogue/load.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** Composio's action tags (docs.composio.dev/docs/tool-tags): what a tool does, one per tool. */
const ACTIONS = ['readOnlyHint', 'createHint', 'updateHint', 'destructiveHint'];

describe('the built-in catalogue’s action tags', () => {
  const catalogue = loadCatalogue([BUILT_IN_TOOLKITS_DIR]);
  const tools = catalogue.toolkits.flatMap((t) => t.tools);

  it('gives every tool exactly one action tag, and one its request agrees with', () => {
    const counts = Object.fromEntries(ACTIONS.map((a) => [a, 0]));
    for (const tool of tools) {
      const actions = tool.tags.filter((t) => ACTIONS.includes(t));
      expect(actions, tool.slug).toHaveLength(1);
      const action = actions[0]!;
      counts[action]! += 1;
      const { method } = tool.request;
      const graphql = (tool.input_parameters.properties.query as { const?: string } | undefined)?.const;
      // a DELETE deletes; every built-in GET only reads (GET is safe, RFC 9110 9.2.1)
      if (method === 'DELETE') expect(action, tool.slug).toBe('destructiveHint');
      if (method === 'GET') expect(action, tool.slug).toBe('readOnlyHint');
      if (method === 'PUT' || method === 'PATCH') expect(action, tool.slug).not.toBe('readOnlyHint');
      // a GraphQL mutation writes; a query reads (GraphQL spec 2.3)
      if (graphql) expect(action === 'readOnlyHint', tool.slug).toBe(graphql.startsWith('query'));
      // a POST that reads is a search, query or list endpoint taking its criteria in a body, or an RPC
      // endpoint named as a read (Dropbox's `/2/files/get_metadata`)
      if (method === 'POST' && action === 'readOnlyHint' && !graphql)
        expect(`${tool.slug} ${tool.request.path}`, tool.slug).toMatch(
          /_(SEARCH|QUERY|LIST)(_|\s)|\/(get|list|search|query)(_[a-z0-9_]*)?$/,
        );
    }
    for (const action of ACTIONS) expect(counts[action], action).toBeGreaterThan(0);
  });

  it('tags updates updateHint, not destructiveHint, and what can delete destructiveHint', () => {
    const tagOf = (slug: string) => catalogue.tool(slug)!.tool.tags.find((t) => ACTIONS.includes(t));
    expect(tagOf('GITHUB_UPDATE_AN_ISSUE')).toBe('updateHint');
    expect(tagOf('SLACK_UPDATES_A_SLACK_MESSAGE')).toBe('updateHint');
    expect(tagOf('GMAIL_SEND_EMAIL')).toBe('createHint');
    expect(tagOf('SLACK_DELETES_A_MESSAGE_FROM_A_CHAT')).toBe('destructiveHint'); // a POST that deletes
    expect(tagOf('HUBSPOT_SEARCH_CONTACTS_BY_CRITERIA')).toBe('readOnlyHint'); // a POST that reads
    // a tool that adds a new thing on each call is not idempotent (a star or a channel join may be)
    for (const tool of tools.filter((t) => t.tags.includes('createHint') && /_(CREATE|SEND|ADD|POST)_/.test(t.slug)))
      expect(tool.tags, tool.slug).not.toContain('idempotentHint');
  });
});

describe('an operator’s toolkit file with a wrong action tag', () => {
  const dir = makeTempDir();
  afterAll(() => dir.cleanup());
  let n = 0;

  /** A toolkit with one right tool and the one under test, in a folder of its own as LATCHKEY_TOOLKITS_DIR names one. */
  function load(tool: { slug?: string; tags?: string[]; method?: string; path?: string; graphql?: string }) {
    const folder = `${dir.path}/kit${++n}`;
    mkdirSync(folder);
    const file = `${folder}/kit.json`;
    const properties = tool.graphql ? { query: { type: 'string', const: tool.graphql, default: tool.graphql } } : {};
    writeFileSync(
      file,
      JSON.stringify({
        slug: 'kit',
        name: 'Kit',
        description: 'An operator toolkit for the tag tests',
        base_url: 'https://api.example.com',
        auth_schemes: [{ mode: 'NO_AUTH' }],
        tools: [
          {
            slug: 'KIT_GET_THING',
            name: 'Get thing',
            description: 'Gets the thing, a tool that is right.',
            tags: ['readOnlyHint'],
            input_parameters: { type: 'object', properties: {} },
            request: { method: 'GET', path: '/thing' },
            source: { docs: 'https://docs.example.com/api' },
          },
          {
            slug: tool.slug ?? 'KIT_DO_THING',
            name: 'Do thing',
            description: 'Does something to the thing, for the tag tests.',
            ...(tool.tags ? { tags: tool.tags } : {}),
            input_parameters: { type: 'object', properties },
            request: { method: tool.method ?? 'POST', path: tool.path ?? '/thing' },
            source: { docs: 'https://docs.example.com/api' },
          },
        ],
      }),
    );
    return () => loadCatalogue([folder]);
  }

  const refused = (tool: Parameters<typeof load>[0], reason: RegExp) => {
    const run = load(tool);
    let error: unknown;
    try {
      run();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(CatalogueError);
    const { message } = error as CatalogueError;
    expect(message).toContain(`/kit${n}/kit.json: invalid toolkit`);
    expect(message).toMatch(new RegExp(`tools\\[1\\] \\(${tool.slug ?? 'KIT_DO_THING'}\\)\\.tags`));
    expect(message).toMatch(reason);
  };

  it('refuses a tool with no action tag, or two', () => {
    refused({}, /needs exactly one action tag of readOnlyHint, createHint, updateHint, destructiveHint; has none/);
    refused({ tags: ['openWorldHint'] }, /has none/);
    refused({ tags: ['createHint', 'updateHint'] }, /has createHint, updateHint/);
  });

  it('refuses a tag it does not know, naming the tag’s place and the known ones', () => {
    refused(
      { tags: ['createHint', 'sideEffectHint'] },
      /tags\[1\]: unknown tag "sideEffectHint": a tool's tags are readOnlyHint, createHint, updateHint, destructiveHint, idempotentHint, openWorldHint/,
    );
  });

  it('refuses a DELETE that is not destructiveHint, and a read that may write', () => {
    refused({ method: 'DELETE', tags: ['updateHint'] }, /a DELETE request deletes: tag it destructiveHint, not updateHint/);
    refused({ method: 'PATCH', tags: ['readOnlyHint'] }, /readOnlyHint, but a PATCH request changes what it names/);
    refused(
      { slug: 'KIT_SEND_THING', method: 'POST', tags: ['readOnlyHint'] },
      /readOnlyHint, but a POST reads only at a search, query or list endpoint/,
    );
    refused({ slug: 'KIT_LIST_THINGS', tags: ['readOnlyHint'], path: '/graphql' }, /whose document the caller writes may be a mutation/);
    refused(
      { slug: 'KIT_LIST_THINGS', tags: ['readOnlyHint'], path: '/graphql', graphql: 'mutation Drop { dropThings { ok } }' },
      /readOnlyHint, but a GraphQL mutation writes/,
    );
    // an endpoint not named graphql (monday.com's /v2) is judged by its fixed document too
    refused(
      { slug: 'KIT_LIST_THINGS', tags: ['readOnlyHint'], path: '/v2', graphql: 'mutation Drop { dropThings { ok } }' },
      /readOnlyHint, but a GraphQL mutation writes/,
    );
  });

  it('takes a POST that searches, queries or lists, or sends a GraphQL query, as a read', () => {
    expect(load({ slug: 'KIT_SEARCH_THINGS', tags: ['readOnlyHint', 'idempotentHint'] })()).toBeTruthy();
    expect(
      load({ slug: 'KIT_GET_VIEWER', tags: ['readOnlyHint'], path: '/graphql', graphql: 'query Viewer { viewer { id } }' })(),
    ).toBeTruthy();
    expect(load({ slug: 'KIT_GET_BOARDS', tags: ['readOnlyHint'], path: '/v2', graphql: 'query Boards { boards { id } }' })()).toBeTruthy();
    expect(load({ slug: 'KIT_REMOVE_THING', method: 'DELETE', tags: ['destructiveHint'] })()).toBeTruthy();
  });

  it('takes a POST to an RPC endpoint named as a read (Dropbox `/2/files/get_metadata`) as a read, and no other', () => {
    expect(load({ slug: 'KIT_GET_METADATA', tags: ['readOnlyHint'], path: '/2/files/get_metadata' })()).toBeTruthy();
    expect(load({ slug: 'KIT_SPACE', tags: ['readOnlyHint'], path: '/2/users/get_space_usage' })()).toBeTruthy();
    refused({ slug: 'KIT_GET_THING_DONE', tags: ['readOnlyHint'], path: '/2/files/delete_v2' }, /readOnlyHint, but a POST reads only/);
    refused({ slug: 'KIT_TARGET', tags: ['readOnlyHint'], path: '/2/files/getaway' }, /readOnlyHint, but a POST reads only/);
  });
});
