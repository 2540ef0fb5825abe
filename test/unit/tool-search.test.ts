import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import type { ToolDefinition, ToolkitFile } from '../../src/catalogue/schema.ts';
import { ToolSearch } from '../../src/catalogue/search.ts';
import { queryWords } from '../../src/catalogue/search-text.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

// The search reads only these fields; a full ToolkitFile (auth schemes, requests) would be noise here.
type ToolSpec = Partial<ToolDefinition> & { slug: string; name: string };
function kit(slug: string, name: string, tools: ToolSpec[], extra: Partial<ToolkitFile> = {}): ToolkitFile {
  return {
    slug,
    name,
    description: `${name} toolkit`,
    ...extra,
    tools: tools.map((t) => ({ description: `${t.name}.`, tags: [], ...t })),
  } as unknown as ToolkitFile;
}

const mail = kit('mailbox', 'Mailbox', [
  { slug: 'MAILBOX_SEND_EMAIL', name: 'Send email', tags: [] },
  { slug: 'MAILBOX_DELETE_EMAIL', name: 'Delete email', tags: ['destructiveHint'] },
  { slug: 'MAILBOX_GET_PROFILE', name: 'Get profile', tags: ['readOnlyHint'] },
]);
const code = kit(
  'codehost',
  'CodeHost',
  [
    { slug: 'CODEHOST_CREATE_PULL_REQUEST', name: 'Create a pull request', synonyms: ['PR', 'merge request'] },
    { slug: 'CODEHOST_LIST_BRANCHES', name: 'List branches', tags: ['readOnlyHint'] },
    {
      slug: 'CODEHOST_GET_AUTHENTICATED_USER',
      name: 'Get the authenticated user',
      tags: ['readOnlyHint'],
      examples: ['what is my username on codehost'],
    },
  ],
  { aliases: ['ch'] },
);
const weather = kit('skies', 'Skies', [
  { slug: 'SKIES_GET_WEATHER', name: 'Get current weather', tags: ['readOnlyHint'] },
  { slug: 'SKIES_GET_USER', name: 'Get user', tags: ['readOnlyHint'] },
]);
const calendar = kit('planner', 'Planner', [{ slug: 'PLANNER_CREATE_EVENT', name: 'Create calendar event' }]);
const tables = kit('grid', 'Grid', [
  { slug: 'GRID_LIST_BASES', name: 'List the bases of a workspace', tags: ['readOnlyHint'] },
  { slug: 'GRID_GET_BASE', name: 'Get base', tags: ['readOnlyHint'] },
]);
const news = kit('news', 'News', [
  { slug: 'NEWS_GET_SHOW_STORIES', name: 'Show stories', tags: ['readOnlyHint'] },
  { slug: 'NEWS_UPCOMING_EVENTS', name: 'Upcoming events', tags: ['readOnlyHint'] },
]);
const search = new ToolSearch([mail, code, weather, calendar, tables, news]);
const slugs = (query: string, options?: Parameters<ToolSearch['rank']>[1]) => search.rank(query, options).map((h) => h.tool.slug);

describe('ToolSearch', () => {
  it('answers a request of filler words or of unknown words with nothing, not with the first tools of the catalogue', () => {
    expect(slugs('the and of to')).toEqual([]);
    expect(slugs('could you please')).toEqual([]);
    expect(slugs('zebra giraffe')).toEqual([]);
    expect(slugs('')).toEqual([]);
  });

  it('answers hostile input without running away: a 100 KB word, 50 KB without a space, hundreds of words', () => {
    // a word this long once made typo matching allocate a matrix of its length squared (a RangeError)
    expect(slugs('a'.repeat(100_000))).toEqual([]);
    expect(slugs(`${'x'.repeat(50_000)}@`)).toEqual([]);
    expect(slugs(`a@${'b.'.repeat(25_000)}`)).toEqual([]);
    const many = Array.from({ length: 300 }, (_, i) => `w${i.toString(36)}q`).join(' ');
    expect(queryWords(`${many} email`).length).toBe(32);
    expect(slugs(`email ${many}`)[0]).toBe('MAILBOX_SEND_EMAIL');
  });

  it('returns the tools of a toolkit a request only names, in catalogue order', () => {
    expect(slugs('codehost')).toEqual(['CODEHOST_CREATE_PULL_REQUEST', 'CODEHOST_LIST_BRANCHES', 'CODEHOST_GET_AUTHENTICATED_USER']);
    expect(slugs('ch')).toEqual(slugs('codehost')); // by alias
  });

  it('puts the named toolkit first, whatever words its tools share with others', () => {
    expect(slugs('get user on codehost')[0]).toBe('CODEHOST_GET_AUTHENTICATED_USER');
    expect(slugs('get user')[0]).toBe('SKIES_GET_USER');
  });

  it('does not take the domain of an email address for a toolkit', () => {
    // "codehost" inside the address must not pull CodeHost's tools ahead of sending mail
    expect(search.toolkitsNamedIn('send a note to priya@codehost.com')).toEqual([]);
    expect(slugs('send a note to priya@codehost.com')[0]).toBe('MAILBOX_SEND_EMAIL');
  });

  it('finds tools by synonyms, example requests and related words', () => {
    expect(slugs('open a PR')[0]).toBe('CODEHOST_CREATE_PULL_REQUEST'); // synonym
    expect(slugs('what is my username')[0]).toBe('CODEHOST_GET_AUTHENTICATED_USER'); // example
    expect(slugs('remove that email')[0]).toBe('MAILBOX_DELETE_EMAIL'); // related: remove ~ delete
    expect(slugs('trash the message')[0]).toBe('MAILBOX_DELETE_EMAIL');
  });

  it('tolerates typos in words and in toolkit names', () => {
    expect(slugs('new calender event')[0]).toBe('PLANNER_CREATE_EVENT');
    expect(slugs('wheather now')[0]).toBe('SKIES_GET_WEATHER');
    expect(slugs('codehots branches')[0]).toBe('CODEHOST_LIST_BRANCHES');
  });

  it('does not let a generic verb decide: "get the weather" is about weather, not any "Get" tool', () => {
    expect(slugs('get the weather')[0]).toBe('SKIES_GET_WEATHER');
  });

  it('tells singular from plural where the names do', () => {
    expect(slugs('which bases are there')[0]).toBe('GRID_LIST_BASES');
    expect(slugs('that base')[0]).toBe('GRID_GET_BASE');
  });

  it('favours tools that only read when the request asks to read', () => {
    const rows = kit('sheet', 'Sheet', [
      { slug: 'SHEET_ROWS_IMPORT', name: 'Rows import' },
      { slug: 'SHEET_ROWS_REPORT', name: 'Rows report', tags: ['readOnlyHint'] },
    ]);
    const sheet = new ToolSearch([rows]);
    const first = (q: string) => sheet.rank(q)[0]?.tool.slug;
    expect(first('rows')).toBe('SHEET_ROWS_IMPORT'); // a tie: catalogue order
    expect(first('show me the rows')).toBe('SHEET_ROWS_REPORT');
    expect(first('which rows are there?')).toBe('SHEET_ROWS_REPORT');
  });

  it('returns only tools within the given candidates', () => {
    const within = [{ toolkit: mail, tool: mail.tools[1]! }];
    expect(slugs('email', { within })).toEqual(['MAILBOX_DELETE_EMAIL']);
    expect(slugs('weather', { within })).toEqual([]);
    expect(slugs('mailbox', { within })).toEqual(['MAILBOX_DELETE_EMAIL']);
  });

  it('breaks a tie in favour of a preferred (connected) toolkit, and only a tie', () => {
    const a = kit('alpha', 'Alpha', [{ slug: 'ALPHA_SEND_MESSAGE', name: 'Send message' }]);
    const b = kit('beta', 'Beta', [{ slug: 'BETA_SEND_MESSAGE', name: 'Send message' }]);
    const twins = new ToolSearch([a, b]);
    const order = (prefer?: Set<string>) => twins.rank('send a message', { prefer }).map((h) => h.tool.slug);
    expect(order()).toEqual(['ALPHA_SEND_MESSAGE', 'BETA_SEND_MESSAGE']);
    expect(order(new Set(['beta']))).toEqual(['BETA_SEND_MESSAGE', 'ALPHA_SEND_MESSAGE']);
    // a clearly better match is not overturned by a preference
    expect(slugs('send email', { prefer: new Set(['skies']) })[0]).toBe('MAILBOX_SEND_EMAIL');
  });

  it('names the toolkits a request names', () => {
    expect(search.toolkitsNamedIn('connect my CodeHost account')).toEqual(['codehost']);
    expect(search.toolkitsNamedIn('link ch and mailbox')).toEqual(['mailbox', 'codehost']);
    expect(search.toolkitsNamedIn('connect my account')).toEqual([]);
  });
});

describe('the built-in catalogue', () => {
  const catalogue = loadCatalogue([fileURLToPath(new URL('../../tools', import.meta.url))]);

  it('is indexed once per catalogue (the bench measures how fast it answers)', () => {
    expect(catalogue.search).toBe(catalogue.search);
  });

  it('reads "show" as a verb, not as Hacker News\' "Show HN"', () => {
    const top = catalogue.search
      .rank('show my open tickets')
      .slice(0, 5)
      .map((h) => h.toolkit.slug);
    expect(top).not.toContain('hackernews');
  });

  it('finds the obvious tool for plain requests across toolkits', () => {
    const first = (q: string) => catalogue.search.rank(q)[0]?.tool.slug;
    expect(first('send an email with gmail')).toBe('GMAIL_SEND_EMAIL');
    expect(first('star a repo on github')).toBe('GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER');
    expect(first('current weather in Lisbon')).toBe('OPENWEATHERMAP_GET_CURRENT_WEATHER');
  });
});

describe('the search vocabulary of a toolkit file', () => {
  const builtIn = fileURLToPath(new URL('../../tools', import.meta.url));
  const githubFile = JSON.parse(readFileSync(`${builtIn}/github.json`, 'utf8'));

  it('refuses an alias with a word search ignores, and a synonym or example listed twice', () => {
    const dir = makeTempDir();
    try {
      const tool = { ...githubFile.tools[0], synonyms: ['whoami', 'WhoAmI'] };
      writeFileSync(`${dir.path}/github.json`, JSON.stringify({ ...githubFile, aliases: ['g hub'], tools: [tool] }));
      expect(() => loadCatalogue([dir.path])).toThrow(
        /aliases\[0\]: "g hub" has a word search ignores[\s\S]*tools\[0\] \(GITHUB_GET_THE_AUTHENTICATED_USER\)\.synonyms: "whoami" is listed twice/,
      );
    } finally {
      dir.cleanup();
    }
  });

  it("refuses an alias that is another toolkit's slug, name or alias, so a name in a request names one toolkit", () => {
    const dir = makeTempDir();
    try {
      writeFileSync(
        `${dir.path}/codehub.json`,
        JSON.stringify({
          ...githubFile,
          slug: 'codehub',
          name: 'CodeHub',
          aliases: ['gh'],
          tools: githubFile.tools.map((t: { slug: string }) => ({ ...t, slug: t.slug.replace('GITHUB_', 'CODEHUB_') })),
        }),
      );
      expect(() => loadCatalogue([builtIn, dir.path])).toThrow(/the name or alias "gh" already names toolkit github/);
    } finally {
      dir.cleanup();
    }
  });
});
