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

/** Splits text into raw lower-case words: letters and digits; anything else separates. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/**
 * One word to its search term, or null when it carries no meaning here. Applied to indexed text and to
 * queries alike (MiniSearch's processTerm). Single letters and bare numbers are dropped: ids and
 * counts in a request ("issue 77", "40 contacts") match nothing useful.
 */
export function searchTerm(word: string): string | null {
  const w = word.toLowerCase();
  if (w.length < 2 || FILLER.has(w) || /^\d+$/.test(w)) return null;
  let folded = w;
  if (folded.length > 5) for (const [from, to] of SPELLINGS) folded = folded.replace(from, to);
  return stemmer(folded);
}

/** The terms of a text, in order, duplicates kept (a helper for building the index and for tests). */
export function searchTerms(text: string): string[] {
  return tokenize(text).flatMap((w) => searchTerm(w) ?? []);
}
