import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateSearch, type SearchQuery } from '../../scripts/bench/search-quality.ts';
import { loadCatalogue } from '../../src/catalogue/load.ts';
import type { ToolkitFile } from '../../src/catalogue/schema.ts';
import { searchTerms } from '../../src/catalogue/search-text.ts';

function readSet(file: string): SearchQuery[] {
  return JSON.parse(readFileSync(new URL(`../../scripts/bench/${file}`, import.meta.url), 'utf8')) as SearchQuery[];
}
const key = (q: SearchQuery): string => q.query.trim().toLowerCase();

const queries = readSet('search-queries.json');
// Held out from tuning: the search is tuned on the set above and only measured on this one.
const heldOut = readSet('search-queries-held-out.json');
// the built-in toolkits only, as scripts/bench.ts measures them
const catalogue = loadCatalogue([fileURLToPath(new URL('../../tools', import.meta.url))]);

describe.each([
  { name: 'the search benchmark query set', set: queries, size: 150, perToolkit: 3 },
  { name: 'the held-out search query set', set: heldOut, size: 120, perToolkit: 6 },
])('$name', ({ set, size, perToolkit }) => {
  it('is large enough and has no duplicate queries', () => {
    expect(set.length).toBeGreaterThanOrEqual(size);
    const seen = new Set<string>();
    for (const q of set) {
      expect(seen.has(key(q)), `duplicate query: ${q.query}`).toBe(false);
      seen.add(key(q));
      expect(q.tools.length, `no expected tool for: ${q.query}`).toBeGreaterThan(0);
    }
  });

  it('expects only tools of the built-in catalogue', () => {
    const unknown = set.flatMap((q) =>
      q.tools.filter((slug) => catalogue.tool(slug)?.tool.slug !== slug).map((slug) => `${q.query}: ${slug}`),
    );
    expect(unknown).toEqual([]);
  });

  it(`covers every toolkit with at least ${perToolkit} queries`, () => {
    const counts = new Map(catalogue.toolkits.map((t) => [t.slug, 0]));
    for (const q of set) {
      const kit = catalogue.tool(q.tools[0]!)?.toolkit.slug;
      if (kit) counts.set(kit, (counts.get(kit) ?? 0) + 1);
    }
    const thin = [...counts].filter(([, n]) => n < perToolkit);
    expect(thin).toEqual([]);
  });
});

describe('the held-out search query set', () => {
  it('shares no request with the tuning set', () => {
    const tuning = new Set(queries.map(key));
    expect(heldOut.filter((q) => tuning.has(key(q))).map((q) => q.query)).toEqual([]);
  });
});

// The evaluator reads only these fields; a full ToolkitFile (auth schemes, requests) would be noise here.
function kit(slug: string, tools: Array<[string, string]>): ToolkitFile {
  return {
    slug,
    name: slug,
    tools: tools.map(([toolSlug, name]) => ({ slug: toolSlug, name, description: name, tags: [] })),
  } as unknown as ToolkitFile;
}

describe('the catalogue against the query sets', () => {
  // An example request in the catalogue that restates a bench query measures memory, not search: the
  // figures would rise without the search getting better. Share of search terms both have (Jaccard).
  const terms = (text: string) => new Set(searchTerms(text));
  const overlap = (a: Set<string>, b: Set<string>) => {
    const both = [...a].filter((t) => b.has(t)).length;
    return both / (a.size + b.size - both || 1);
  };

  it('holds no example request that restates a bench query (half of its terms or more in common)', () => {
    const benched = [...queries, ...heldOut].map((q) => ({ query: q.query, terms: terms(q.query) }));
    const restated = catalogue.toolkits.flatMap((toolkit) =>
      toolkit.tools.flatMap((tool) =>
        (tool.examples ?? []).flatMap((example) => {
          const mine = terms(example);
          return benched.filter((q) => overlap(mine, q.terms) >= 0.5).map((q) => `${tool.slug}: "${example}" ~ "${q.query}"`);
        }),
      ),
    );
    expect(restated).toEqual([]);
  });
});

describe('evaluateSearch', () => {
  it('computes recall@1, recall@5, MRR and empty answers overall and per toolkit', () => {
    const tiny = {
      toolkits: [
        kit('alpha', [
          ['ALPHA_SEND_NOTE', 'Send note'],
          ['ALPHA_LIST_NOTE', 'List note'],
        ]),
        kit('beta', [['BETA_GET_WEATHER', 'Get weather']]),
      ],
    };
    const result = evaluateSearch(tiny, [
      { query: 'send note', tools: ['ALPHA_SEND_NOTE'] }, // rank 1
      { query: 'list note', tools: ['ALPHA_SEND_NOTE'] }, // rank 2: ALPHA_LIST_NOTE matches both words
      { query: 'weather', tools: ['BETA_GET_WEATHER', 'ALPHA_SEND_NOTE'] }, // rank 1, counted for beta
      { query: 'zebra', tools: ['BETA_GET_WEATHER'] }, // nothing matches
    ]);
    expect(result.overall).toMatchObject({ queries: 4, recallAt1: 0.5, recallAt5: 0.75, mrr: 0.625, noResult: 1 });
    expect(result.overall.msPerQuery).toBeGreaterThanOrEqual(0);
    expect(result.byToolkit.get('alpha')).toEqual({ queries: 2, recallAt1: 0.5, recallAt5: 1, mrr: 0.75, noResult: 0 });
    expect(result.byToolkit.get('beta')).toEqual({ queries: 2, recallAt1: 0.5, recallAt5: 0.5, mrr: 0.5, noResult: 1 });
  });

  it('counts a hit below rank 5 in MRR but not in recall@5', () => {
    // each tool's name holds one word of the query fewer than the one before, so KIT_F comes 6th
    const words = ['thing', 'one', 'two', 'three', 'four', 'five'];
    const ranked = kit(
      'kit',
      ['A', 'B', 'C', 'D', 'E', 'F'].map((x, i): [string, string] => [`KIT_${x}`, words.slice(0, 6 - i).join(' ')]),
    );
    const result = evaluateSearch({ toolkits: [ranked] }, [{ query: 'thing one two three four five', tools: ['KIT_F'] }]);
    expect(result.overall).toMatchObject({ recallAt1: 0, recallAt5: 0, mrr: 1 / 6, noResult: 0 });
  });
});
