/**
 * Decoded JSON documents of recently read rows, one per row id, used while the stored text is the same:
 * a hot read (a session's config, an account's sealed credentials, on every tool call) then costs a
 * lookup and a string comparison instead of a parse (or a decryption, whose cipher set-up costs more
 * than the rest of the read). The value is deep-frozen, since every reader shares it. Bounded: the
 * entry read longest ago goes first. One instance belongs to one app (`deps.caches`), never to the module.
 */
export class ParsedJsonCache {
  readonly #entries = new Map<string, { text: string; value: unknown }>();

  constructor(readonly keep: number) {}

  /** `decode` turns the stored text into JSON text (a sealed column's: the vault's open, bound to the row). */
  parse(rowId: string, text: string, decode?: (stored: string) => string): unknown {
    const kept = this.#entries.get(rowId);
    if (kept && kept.text === text) return kept.value;
    const value = deepFreeze(JSON.parse(decode ? decode(text) : text));
    this.#entries.delete(rowId);
    this.#entries.set(rowId, { text, value });
    // Maps iterate in insertion order: the first key is the one parsed longest ago
    if (this.#entries.size > this.keep) this.#entries.delete(this.#entries.keys().next().value!);
    return value;
  }
}

/** Freezes an object and everything it holds (a value many readers share). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
