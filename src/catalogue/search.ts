import MiniSearch from 'minisearch';
import type { ToolDefinition, ToolkitFile } from './schema.ts';
import { genericReferences, asksToRead, queryWords, searchTerm, searchTerms, tokenize } from './search-text.ts';
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
const FIELD_BOOST = { name: 4, exact: 1, synonyms: 3, examples: 1.5, action: 1.5, related: 1.2, description: 0.7, toolkit: 0.5 };
const FIELDS = Object.keys(FIELD_BOOST);

/** A query naming a toolkit ("in slack", "gcal", "on HN") multiplies that toolkit's tools by this. */
const NAMED_TOOLKIT_BOOST = 3;
/** A request that asks to read favours tools that only read (readOnlyHint) by this much: an intent, not a filter. */
const READ_BOOST = 1.3;
/** A connected toolkit's tools count this much more: enough to break a near tie, not to overturn a ranking. */
const PREFERRED_TOOLKIT_BOOST = 1.1;

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

/**
 * The words of a tool's name and slug, without the toolkit's own names (`GITHUB_` of
 * `GITHUB_GET_A_REPOSITORY`, "Slack" of "Update a Slack message"): naming the app is handled once, for
 * all its tools alike, so one tool that repeats the app's name in its own must not outrank its siblings.
 */
function nameWords(toolkit: ToolkitFile, tool: ToolDefinition): string[] {
  const own = new Set(tokenize([toolkit.slug, toolkit.name, ...(toolkit.aliases ?? [])].join(' ')));
  return [...new Set(tokenize(`${tool.name} ${tool.slug}`))].filter((w) => !own.has(w) && searchTerm(w) !== null);
}

/** Marks a word indexed as written (not stemmed), so "bases" can tell "List bases" from "Get base schema". */
const EXACT = '=';

/** Whether two words are at most one edit apart (insertion, deletion, substitution or swap of neighbours). */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const rest = (x: string, from: number) => x.slice(from);
  return (
    rest(a, i + 1) === rest(b, i + 1) || // substitution
    rest(a, i) === rest(b, i + 1) || // b has one more
    rest(a, i + 1) === rest(b, i) || // a has one more
    (a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, i + 2) === rest(b, i + 2)) // swap
  );
}

/**
 * Ranks the tools of one catalogue for a request in plain words, on BM25 (MiniSearch) over the tool's
 * name, its synonyms and example requests, words related to its name, its description and its toolkit,
 * with prefix and typo-tolerant matching. Built once per catalogue; a query takes a few milliseconds
 * over hundreds of tools (`npm run bench` reports it), and is read only up to 32 distinct terms of its
 * first 2,000 characters, with typo matching for words of ordinary length, so no input costs more.
 */
export class ToolSearch {
  private readonly index: MiniSearch;
  private readonly bySlug = new Map<string, Candidate>();
  private readonly order = new Map<string, number>();
  /** Every term of the index: a query word among them is a word, not a misspelt toolkit name. */
  private readonly vocabulary = new Set<string>();
  /** Each toolkit's names as term sequences: slug, name, aliases. */
  private readonly toolkitNames: Array<{ slug: string; terms: string[][] }>;

  constructor(toolkits: readonly ToolkitFile[]) {
    const related = relatedWords();
    this.index = new MiniSearch({
      fields: FIELDS,
      tokenize,
      // every term indexed is also noted in the vocabulary (a query word in it is a word, not a typo)
      processTerm: (word, field) => {
        if (field === 'exact') return EXACT + word;
        const term = searchTerm(word);
        if (term) this.vocabulary.add(term);
        return term;
      },
    });
    this.toolkitNames = toolkits.map((t) => ({
      slug: t.slug,
      // a name with a word that is no search term ("g mail") would be matched by its other words alone
      terms: [t.slug, t.name, ...(t.aliases ?? [])].filter((name) => searchTerms(name).length === tokenize(name).length).map(searchTerms),
    }));
    const docs = [];
    for (const toolkit of toolkits) {
      const toolkitText = [toolkit.name, ...(toolkit.aliases ?? []), ...(toolkit.categories ?? []), toolkit.description].join(' ');
      for (const tool of toolkit.tools) {
        this.order.set(tool.slug, this.order.size);
        this.bySlug.set(tool.slug, { toolkit, tool });
        const words = nameWords(toolkit, tool);
        const isGeneric = (w: string) => GENERIC_WORDS.has(searchTerm(w)!);
        const own = new Set([...words, ...(tool.synonyms ?? []).flatMap(tokenize)].flatMap((w) => searchTerm(w) ?? []));
        const extra = new Set([...own].flatMap((t) => [...(related.get(t) ?? [])]).filter((w) => !own.has(searchTerm(w) ?? '')));
        docs.push({
          id: tool.slug,
          name: words.filter((w) => !isGeneric(w)).join(' '),
          action: words.filter(isGeneric).join(' '),
          exact: words.filter((w) => !isGeneric(w)).join(' '),
          synonyms: (tool.synonyms ?? []).join(' '),
          examples: (tool.examples ?? []).map((e) => genericReferences(e)).join(' '),
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
    const words = queryWords(query);
    const reading = asksToRead(query);
    const { named, used } = this.namedToolkits(words.map((w) => w.term));
    // each word is looked up stemmed and as written (the `exact` field), with the same weight
    const rest = words.flatMap((w, i) => (used.has(i) ? [] : [w.term, EXACT + w.word]));
    const weights = words.flatMap((w, i) => (used.has(i) ? [] : [w.weight, w.weight]));
    if (rest.length === 0) {
      if (named.size === 0) return [];
      return [...this.bySlug.values()]
        .filter((c) => named.has(c.toolkit.slug) && (!allowed || allowed.has(c.tool.slug)))
        .map((c) => ({ ...c, score: 1 }));
    }
    const results = this.index.search(rest.join(' '), {
      boost: FIELD_BOOST,
      // typo and prefix matching cost grows with a word's length: only for words of ordinary length
      prefix: (term) => !term.startsWith(EXACT) && term.length >= 4 && term.length <= 20,
      fuzzy: (term) => (!term.startsWith(EXACT) && term.length >= 5 && term.length <= 20 ? 0.25 : false),
      maxFuzzy: 2,
      weights: { prefix: 0.4, fuzzy: 0.3 },
      boostTerm: (term, i) => weights[i]! * (GENERIC_WORDS.has(term) ? 0.5 : 1),
      filter: allowed ? (r) => allowed.has(r.id as string) : undefined,
      boostDocument: (id) => {
        const { toolkit, tool } = this.bySlug.get(id as string)!;
        return (
          (named.has(toolkit.slug) ? NAMED_TOOLKIT_BOOST : 1) *
          (options.prefer?.has(toolkit.slug) ? PREFERRED_TOOLKIT_BOOST : 1) *
          (reading && tool.tags.includes('readOnlyHint') ? READ_BOOST : 1)
        );
      },
      // the query is already processed into terms
      tokenize: (text) => text.split(' '),
      processTerm: (t) => t,
    });
    return results
      .sort((a, b) => b.score - a.score || this.order.get(a.id)! - this.order.get(b.id)!)
      .map((r) => ({ ...this.bySlug.get(r.id as string)!, score: r.score }));
  }

  /** The toolkits a request names ("connect my GitHub" names github), by slug, name or alias. */
  toolkitsNamedIn(query: string): string[] {
    return [...this.namedToolkits(queryWords(query).map((w) => w.term)).named];
  }

  /**
   * The toolkits a query names (by slug, name or alias; a one-word name also with one typo, "slak",
   * "airtabel", when the word is no term of the index: "email" is a word, not a misspelt "gmail"), and
   * the positions of the terms that named them.
   */
  private namedToolkits(terms: string[]): { named: Set<string>; used: Set<number> } {
    const named = new Set<string>();
    const used = new Set<number>();
    for (const { slug, terms: names } of this.toolkitNames) {
      for (const name of names) {
        for (let i = 0; i + name.length <= terms.length; i++) {
          const typo = name.length === 1 && name[0]!.length >= 5 && terms[i]!.length >= 4 && !this.vocabulary.has(terms[i]!);
          const same = (t: string, k: number) => terms[i + k] === t || (typo && withinOneEdit(terms[i + k]!, t));
          if (name.every(same)) {
            named.add(slug);
            for (let k = 0; k < name.length; k++) used.add(i + k);
          }
        }
      }
    }
    return { named, used };
  }
}
