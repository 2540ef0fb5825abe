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

const EMAIL_ADDRESS = /[^\s@]+@[^\s@]+\.[^\s@]+/g;
const CHANNEL = /(^|\s)#[a-z][\w.-]*/gi;
const HANDLE = /(^|\s)@[a-z][\w.-]*/gi;
/** An issue key as Jira and Linear write them: "ABC-77", "ENG-431" (upper case, so "e-mail" is not one). */
const ISSUE_KEY = /\b[A-Z][A-Z0-9]{1,9}-\d+\b/g;
/** Marks a word put in for a reference; `queryWords` gives it less weight than the words a person wrote. */
const REFERENCE = 'xref';

/**
 * Replaces what names a particular thing by what kind of thing it is: "#eng" is a channel, "@kenji" a
 * user, "PROJ-1423" an issue (not a project); an email address names a person, not an app ("priya@github.com" is not about GitHub). Applied to
 * queries and example requests alike, so a channel named in an example does not match a channel of
 * the same name in a query.
 */
export function genericReferences(text: string, mark = ''): string {
  return text
    .replace(EMAIL_ADDRESS, ' ')
    .replace(ISSUE_KEY, ` ${mark}issue `)
    .replace(CHANNEL, `$1 ${mark}channel `)
    .replace(HANDLE, `$1 ${mark}user `);
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

/** A query's meaningful words, each with its search term and weight. */
export function queryWords(query: string): Array<{ word: string; term: string; weight: number }> {
  return tokenize(genericReferences(query, REFERENCE)).flatMap((raw) => {
    const reference = raw.startsWith(REFERENCE);
    const word = reference ? raw.slice(REFERENCE.length) : raw;
    const term = searchTerm(word);
    return term ? [{ word, term, weight: reference ? REFERENCE_WEIGHT : 1 }] : [];
  });
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
  if (w.length < 2 || FILLER.has(w) || /^\d+$/.test(w) || isIdentifier(w)) return null;
  let folded = w;
  if (folded.length > 5) for (const [from, to] of SPELLINGS) folded = folded.replace(from, to);
  return stemmer(folded);
}

/** The terms of a text, in order, duplicates kept (a helper for building the index and for tests). */
export function searchTerms(text: string): string[] {
  return tokenize(text).flatMap((w) => searchTerm(w) ?? []);
}
