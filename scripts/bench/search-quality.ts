// How well the catalogue's tool search (`ToolSearch`) finds the tool a person means: recall@1, recall@5 and MRR over a
// hand-written query set (scripts/bench/search-queries.json). It measures the search as it ships, over
// every tool of the catalogue, so a change to src/catalogue/search.ts can be judged by these figures.
import type { ToolkitFile } from '../../src/catalogue/schema.ts';
import { ToolSearch } from '../../src/catalogue/search.ts';

export interface SearchQuery {
  query: string;
  /** Every tool a careful human would accept; the first one decides the query's toolkit. */
  tools: string[];
}

export interface QualityFigures {
  queries: number;
  recallAt1: number;
  recallAt5: number;
  mrr: number;
  /** Queries for which the search returned nothing at all. */
  noResult: number;
}

export interface SearchQuality {
  overall: QualityFigures & { msPerQuery: number };
  byToolkit: Map<string, QualityFigures>;
}

/** Rank (1-based) of the first acceptable tool in the hits, or undefined when none is there. */
function rankOf(hits: string[], expected: string[]): number | undefined {
  const i = hits.findIndex((slug) => expected.includes(slug));
  return i < 0 ? undefined : i + 1;
}

function figures(ranks: Array<number | undefined>, empty: number): QualityFigures {
  const n = ranks.length;
  const share = (ok: (r: number) => boolean) => (n === 0 ? 0 : ranks.filter((r) => r !== undefined && ok(r)).length / n);
  return {
    queries: n,
    recallAt1: share((r) => r === 1),
    recallAt5: share((r) => r <= 5),
    // a missed query adds 0, as is usual for MRR
    mrr: n === 0 ? 0 : ranks.reduce<number>((sum, r) => sum + (r === undefined ? 0 : 1 / r), 0) / n,
    noResult: empty,
  };
}

/**
 * Runs every query against all tools of the catalogue, the way the meta tools search when a session has
 * no toolkit filter. Takes anything with `toolkits` so a test can pass a hand-made catalogue.
 */
export function evaluateSearch(catalogue: { toolkits: ToolkitFile[] }, queries: SearchQuery[]): SearchQuality {
  const toolkitOf = new Map(catalogue.toolkits.flatMap((toolkit) => toolkit.tools.map((tool) => [tool.slug, toolkit.slug] as const)));
  const search = new ToolSearch(catalogue.toolkits);
  const ranks: Array<number | undefined> = [];
  const perKit = new Map<string, { ranks: Array<number | undefined>; empty: number }>();
  let empty = 0;
  let ms = 0;
  for (const q of queries) {
    const t0 = performance.now();
    const hits = search.rank(q.query);
    ms += performance.now() - t0;
    const none = hits.length === 0;
    const rank = none
      ? undefined
      : rankOf(
          hits.map((h) => h.tool.slug),
          q.tools,
        );
    const kit = toolkitOf.get(q.tools[0] ?? '') ?? 'unknown';
    const entry = perKit.get(kit) ?? { ranks: [], empty: 0 };
    entry.ranks.push(rank);
    ranks.push(rank);
    if (none) {
      entry.empty += 1;
      empty += 1;
    }
    perKit.set(kit, entry);
  }
  const byToolkit = new Map(
    [...perKit].sort(([a], [b]) => a.localeCompare(b)).map(([kit, e]) => [kit, figures(e.ranks, e.empty)] as const),
  );
  return { overall: { ...figures(ranks, empty), msPerQuery: queries.length === 0 ? 0 : ms / queries.length }, byToolkit };
}

/** One row per query set (the tuning set, the held-out set, both), as scripts/bench.ts prints first. */
export function summaryTable(sets: Array<[label: string, result: SearchQuality]>): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  return [
    '| query set | queries | recall@1 | recall@5 | MRR | no result | ms per query |',
    '|---|---|---|---|---|---|---|',
    ...sets.map(
      ([label, { overall: f }]) =>
        `| ${label} | ${f.queries} | ${pct(f.recallAt1)} | ${pct(f.recallAt5)} | ${f.mrr.toFixed(2)} | ${f.noResult} | ${f.msPerQuery.toFixed(2)} |`,
    ),
  ];
}

/** The markdown table scripts/bench.ts prints: overall first, then toolkits worst MRR first. */
export function qualityTable(result: SearchQuality): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const row = (label: string, f: QualityFigures) =>
    `| ${label} | ${f.queries} | ${pct(f.recallAt1)} | ${pct(f.recallAt5)} | ${f.mrr.toFixed(2)} | ${f.noResult} |`;
  const kits = [...result.byToolkit].sort(([, a], [, b]) => a.mrr - b.mrr);
  return [
    '| toolkit | queries | recall@1 | recall@5 | MRR | no result |',
    '|---|---|---|---|---|---|',
    row('**all**', result.overall),
    ...kits.map(([kit, f]) => row(kit, f)),
    '',
    `${result.overall.msPerQuery.toFixed(3)} ms per query over the whole catalogue.`,
  ];
}
