import MiniSearch from 'minisearch';
import type { ToolDefinition, ToolkitFile } from './schema.ts';
import { searchTerm, searchTerms, tokenize } from './search-text.ts';
import { WORD_GROUPS } from './search-vocabulary.ts';

export interface ToolHit {
  toolkit: ToolkitFile;
  tool: ToolDefinition;
  score: number;
}

type Candidate = { toolkit: ToolkitFile; tool: ToolDefinition };

export interface RankOptions {
  /** Only these tools may be returned (a session's tools, a REST filter); default: the whole catalogue. */
  within?: readonly Candidate[];
  /** Toolkits to prefer when scores are close: the ones the user has connected. A tie-break, not a filter. */
  prefer?: ReadonlySet<string>;
}

/**
 * The verbs and modifiers most tool names are made of. They say what kind of call a tool is, not what it
 * is about, so they are indexed in a field of their own with less weight than the rest of the name, and
 * count less in a query: "get" must not make every "Get …" tool a match for "get the weather", nor
 * "show" put "Show HN" first for "show my calendar".
 */
const GENERIC_WORDS = new Set(
  searchTerms(
    'get list create update delete fetch retrieve add find search send read query patch remove post set make run execute ' +
      'show new all detail details info information existing multiple id one many',
  ),
);

/**
 * How much each field counts (BM25 per field, then weighted). The name says what a tool is; synonyms
 * and example requests are how people ask for it; the toolkit's own words only place a tool in its app.
 */
const FIELD_BOOST = { name: 4, synonyms: 3, examples: 1.5, action: 1.5, related: 1.2, description: 0.7, toolkit: 0.5 };
const FIELDS = Object.keys(FIELD_BOOST);

/** A query naming a toolkit ("in slack", "gcal", "on HN") multiplies that toolkit's tools by this. */
const NAMED_TOOLKIT_BOOST = 3;
/** A connected toolkit's tools count this much more: enough to break a near tie, not to overturn a ranking. */
const PREFERRED_TOOLKIT_BOOST = 1.1;

const EMAIL_ADDRESS = /[^\s@]+@[^\s@]+\.[^\s@]+/g;

/** For each search term, the raw words related to it by WORD_GROUPS (indexed as words, like any text). */
function relatedWords(): Map<string, Set<string>> {
  const related = new Map<string, Set<string>>();
  for (const group of WORD_GROUPS) {
    for (const word of group) {
      const term = searchTerm(word);
      if (!term) continue;
      const set = related.get(term) ?? new Set<string>();
      for (const other of group) if (other !== word) set.add(other);
      related.set(term, set);
    }
  }
  return related;
}

/** The words of a toolkit slug inside its tools' slugs (`GITHUB_` of `GITHUB_GET_A_REPOSITORY`). */
function slugWords(toolkit: ToolkitFile, tool: ToolDefinition): string {
  const prefix = new Set(tokenize(`${toolkit.slug} ${toolkit.name}`));
  return tokenize(tool.slug.replaceAll('_', ' '))
    .filter((w) => !prefix.has(w))
    .join(' ');
}

/**
 * Ranks the tools of one catalogue for a request in plain words, on BM25 (MiniSearch) over the tool's
 * name, its synonyms and example requests, words related to its name, its description and its toolkit,
 * with prefix and typo-tolerant matching. Built once per catalogue; a query takes well under a
 * millisecond-to-few range over hundreds of tools (`npm run bench` reports it).
 */
export class ToolSearch {
  private readonly index: MiniSearch;
  private readonly bySlug = new Map<string, Candidate>();
  private readonly order = new Map<string, number>();
  /** Each toolkit's names as term sequences: slug, name, aliases. */
  private readonly toolkitNames: Array<{ slug: string; terms: string[][] }>;

  constructor(toolkits: readonly ToolkitFile[]) {
    const related = relatedWords();
    this.index = new MiniSearch({ fields: FIELDS, tokenize, processTerm: searchTerm });
    this.toolkitNames = toolkits.map((t) => ({
      slug: t.slug,
      terms: [t.slug, t.name, ...(t.aliases ?? [])].map(searchTerms).filter((terms) => terms.length > 0),
    }));
    const docs = [];
    for (const toolkit of toolkits) {
      const toolkitText = [toolkit.name, ...(toolkit.aliases ?? []), ...(toolkit.categories ?? []), toolkit.description].join(' ');
      for (const tool of toolkit.tools) {
        this.order.set(tool.slug, this.order.size);
        this.bySlug.set(tool.slug, { toolkit, tool });
        const nameWords = tokenize(`${tool.name} ${slugWords(toolkit, tool)}`).filter((w) => searchTerm(w) !== null);
        const isGeneric = (w: string) => GENERIC_WORDS.has(searchTerm(w)!);
        const own = new Set([...nameWords, ...(tool.synonyms ?? []).flatMap(tokenize)].flatMap((w) => searchTerm(w) ?? []));
        const extra = new Set([...own].flatMap((t) => [...(related.get(t) ?? [])]).filter((w) => !own.has(searchTerm(w) ?? '')));
        docs.push({
          id: tool.slug,
          name: nameWords.filter((w) => !isGeneric(w)).join(' '),
          action: nameWords.filter(isGeneric).join(' '),
          synonyms: (tool.synonyms ?? []).join(' '),
          examples: (tool.examples ?? []).join(' '),
          related: [...extra].join(' '),
          description: tool.description,
          toolkit: toolkitText,
        });
      }
    }
    this.index.addAll(docs);
  }

  /**
   * Tools for a request, best first. Returns nothing when the request has no meaningful word or nothing
   * matches: an honest empty answer beats filler. A request that only names a toolkit returns that
   * toolkit's tools in catalogue order.
   */
  rank(query: string, options: RankOptions = {}): ToolHit[] {
    const allowed = options.within ? new Set(options.within.map((c) => c.tool.slug)) : null;
    // an address names a person, not an app or an action: "priya@github.com" is not about GitHub
    const terms = searchTerms(query.replace(EMAIL_ADDRESS, ' '));
    const { named, rest } = this.namedToolkits(terms);
    if (rest.length === 0) {
      if (named.size === 0) return [];
      return [...this.bySlug.values()]
        .filter((c) => named.has(c.toolkit.slug) && (!allowed || allowed.has(c.tool.slug)))
        .map((c) => ({ ...c, score: 1 }));
    }
    const results = this.index.search(rest.join(' '), {
      boost: FIELD_BOOST,
      prefix: (term) => term.length >= 4,
      fuzzy: (term) => (term.length >= 5 ? 0.25 : false),
      maxFuzzy: 2,
      weights: { prefix: 0.4, fuzzy: 0.3 },
      boostTerm: (term) => (GENERIC_WORDS.has(term) ? 0.5 : 1),
      filter: allowed ? (r) => allowed.has(r.id as string) : undefined,
      boostDocument: (id) => {
        const slug = this.bySlug.get(id as string)!.toolkit.slug;
        return (named.has(slug) ? NAMED_TOOLKIT_BOOST : 1) * (options.prefer?.has(slug) ? PREFERRED_TOOLKIT_BOOST : 1);
      },
      // the query is already processed into terms
      processTerm: (t) => t,
    });
    return results
      .sort((a, b) => b.score - a.score || this.order.get(a.id)! - this.order.get(b.id)!)
      .map((r) => ({ ...this.bySlug.get(r.id as string)!, score: r.score }));
  }

  /** Splits a query's terms into the toolkits it names (by slug, name or alias) and the remaining terms. */
  private namedToolkits(terms: string[]): { named: Set<string>; rest: string[] } {
    const named = new Set<string>();
    const used = new Set<number>();
    for (const { slug, terms: names } of this.toolkitNames) {
      for (const name of names) {
        for (let i = 0; i + name.length <= terms.length; i++) {
          if (name.every((t, k) => terms[i + k] === t)) {
            named.add(slug);
            for (let k = 0; k < name.length; k++) used.add(i + k);
          }
        }
      }
    }
    return { named, rest: terms.filter((_, i) => !used.has(i)) };
  }
}
