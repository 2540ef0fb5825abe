import { stemmer } from 'stemmer';

/**
 * How text becomes search terms, the same for the catalogue and for a query: lower case, words of
 * letters and digits, no filler words, British spellings folded to American, Porter-stemmed (so
 * "notes" finds "note" and "scheduled" finds "schedule"). One function for both sides, or a word would
 * be indexed one way and looked up another.
 */

/**
 * Words that carry no intent in a request to an assistant. Deliberately not a general English list:
 * "show", "new", "open", "who" and "all" tell tools apart ("Show HN", "new stories", "who am I").
 */
const FILLER = new Set(
  (
    'a an the to of for in on at and or with from by as into onto about via per ' +
    'i me my mine myself we us our you your it its this that these those there here them they their he she him her his ' +
    'is are was were be been being am do does did can could would should will shall may might must ' +
    'please pls thanks just also really quickly quick some any ' +
    'what whats which when how why whether if then than so but not dont yet ' +
    'have has had got let lets go going want wanna need needs like'
  ).split(' '),
);

/** Spellings folded before stemming, so both forms share a stem ("organisation" / "organization"). */
const SPELLINGS: Array<[RegExp, string]> = [
  [/isation/g, 'ization'],
  [/ise(s|d)?$/, 'ize$1'],
  [/ising$/, 'izing'],
  [/our(s)?$/, 'or$1'],
];

/** A whole whitespace-separated token that is an email address (anchored: linear on any input). */
const EMAIL_ADDRESS = /^[^@]+@[^@]+\.[^@]+$/;
const CHANNEL = /^#[a-z]/i;
const HANDLE = /^@[a-z]/i;
/** An issue key as Jira and Linear write them: "ABC-77", "ENG-431" (upper case, so "e-mail" is not one). */
const ISSUE_KEY = /\b[A-Z][A-Z0-9]{1,9}-\d+\b/g;

/** A query is read up to this many characters; a request to an assistant is far shorter. */
export const MAX_QUERY_CHARS = 2_000;
/** No word of a language is longer; a longer "word" is an id, a hash or an attack, and is not searched. */
const MAX_WORD_CHARS = 30;

interface Piece {
  text: string;
  /** put in for a reference ("#eng" → channel), not written by the person */
  reference: boolean;
}

/**
 * Replaces what names a particular thing by what kind of thing it is: "#eng" is a channel, "@kenji" a
 * user, "PROJ-1423" an issue (not a project); an email address names a person, not an app
 * ("priya@github.com" is not about GitHub). Token by token, so the work is linear in the text.
 */
function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  for (const token of text.split(/\s+/)) {
    if (!token) continue;
    if (token.includes('@') && EMAIL_ADDRESS.test(token)) continue;
    if (CHANNEL.test(token)) out.push({ text: 'channel', reference: true });
    else if (HANDLE.test(token)) out.push({ text: 'user', reference: true });
    else {
      const keys = token.match(ISSUE_KEY);
      if (keys) for (const _ of keys) out.push({ text: 'issue', reference: true });
      out.push({ text: keys ? token.replace(ISSUE_KEY, ' ') : token, reference: false });
    }
  }
  return out;
}

/** Example requests are indexed as `pieces` reads queries, so a channel named in an example does not match one named in a query. */
export function genericReferences(text: string): string {
  return pieces(text)
    .map((p) => p.text)
    .join(' ');
}

/**
 * A request that only reads: a question ("what's on my calendar", "which boards am I on", "is PR 203
 * mergeable", "do I need an umbrella") or one starting with a reading verb ("show me", "list", "find").
 * Question words are filler as search terms; here they count as this signal only.
 */
const READ_REQUEST =
  /^\s*(what|what's|whats|which|who|who's|whom|whose|how|when|where|is|are|was|were|do|does|did|am|any|has|have|show|list|find|get|fetch|look|pull up|read|check|see|view|display|search|give me|tell me)\b|\?\s*$/i;

export function asksToRead(query: string): boolean {
  return READ_REQUEST.test(query);
}

/** How much a word put in for a reference counts: a hint of what the request is about, not its subject. */
const REFERENCE_WEIGHT = 0.3;

/**
 * A query's meaningful words, each with its search term and weight: at most `limit` distinct terms, in
 * the order written, from the first MAX_QUERY_CHARS characters.
 */
export function queryWords(query: string, limit = 32): Array<{ word: string; term: string; weight: number }> {
  const words: Array<{ word: string; term: string; weight: number }> = [];
  const seen = new Set<string>();
  for (const piece of pieces(query.slice(0, MAX_QUERY_CHARS))) {
    for (const word of tokenize(piece.text)) {
      const term = searchTerm(word);
      if (!term || seen.has(term)) continue;
      seen.add(term);
      words.push({ word, term, weight: piece.reference ? REFERENCE_WEIGHT : 1 });
      if (words.length === limit) return words;
    }
  }
  return words;
}

/** Splits text into raw lower-case words: letters and digits; anything else separates. */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Record ids ("recX81Kd", "0068d00000AbC", "18c2f", the "N2kd8" of "cus_N2kd8") are no words: letters
 * and at least two digits, mixed, in five characters or more. "oauth2", "q3" and "5xx" stay words.
 */
function isIdentifier(word: string): boolean {
  return word.length >= 5 && /[a-z]/.test(word) && (word.match(/\d/g)?.length ?? 0) >= 2;
}

/**
 * One word to its search term, or null when it carries no meaning here. Applied to indexed text and to
 * queries alike (MiniSearch's processTerm). Single letters and bare numbers are dropped: ids and
 * counts in a request ("issue 77", "40 contacts") match nothing useful.
 */
export function searchTerm(word: string): string | null {
  const w = word.toLowerCase();
  if (w.length < 2 || w.length > MAX_WORD_CHARS || FILLER.has(w) || /^\d+$/.test(w) || isIdentifier(w)) return null;
  let folded = w;
  if (folded.length > 5) for (const [from, to] of SPELLINGS) folded = folded.replace(from, to);
  return stemmer(folded);
}

/** The terms of a text, in order, duplicates kept (a helper for building the index and for tests). */
export function searchTerms(text: string): string[] {
  return tokenize(text).flatMap((w) => searchTerm(w) ?? []);
}
