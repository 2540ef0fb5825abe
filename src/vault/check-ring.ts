import type { Kysely } from 'kysely';
import { sealedColumns, sealedAad, type Database } from '../../storage/schema.ts';
import { sealedValuesRepo } from '../../storage/repos/sealed-values.ts';
import { DERIVED_KEY_ID } from './key-ring.ts';
import type { Vault } from './vault.ts';

/** How a key of the ring is written back: bare when its id is derived from its bytes, else `id:key`. */
const entryFor = (id: string, what: string) => (DERIVED_KEY_ID.test(id) ? `<${what}>` : `${id}:<${what}>`);

/**
 * Whether the ring opens what the database holds, checked at start-up so a changed key stops the
 * process with the fix rather than failing every secret later with a 500. Opens the oldest and newest
 * value of every sealed column (constant time at any size). Returns the problem as one line, or null.
 * `source` names where the ring came from (LATCHKEY_ENCRYPTION_KEY or the key file).
 */
export async function keyRingProblem(db: Kysely<Database>, vault: Vault, source: string): Promise<string | null> {
  const repo = sealedValuesRepo(db);
  const ring = new Set(vault.keyIds);
  const missing = new Set<string>();
  const wrong = new Set<string>();
  for (const column of sealedColumns()) {
    for (const row of await repo.samples(column)) {
      let id: string;
      try {
        id = vault.keyIdOf(row.value);
      } catch {
        continue; // not a sealed value at all: not a key problem
      }
      if (!ring.has(id)) missing.add(id);
      else {
        try {
          vault.open(row.value, sealedAad(column, row.id));
        } catch {
          wrong.add(id);
        }
      }
    }
  }
  if (missing.size > 0) {
    const ids = [...missing];
    const example = [entryFor(vault.currentKeyId, 'new key'), ...ids.map((id) => entryFor(id, `old key ${id}`))].join(',');
    return (
      `the database holds secrets sealed under key id ${ids.join(', ')}, which ${source} (key id ${vault.keyIds.join(', ')}) does not have. ` +
      `If the key was changed, keep the old one in the ring after the new one: LATCHKEY_ENCRYPTION_KEY=${example} ` +
      `(then \`npm run keys:rotate\` moves every secret to the new key)`
    );
  }
  if (wrong.size > 0) {
    const ids = [...wrong];
    return (
      `key id ${ids.join(', ')} in ${source} does not open the secrets stored under that id: it is a different key with the same id. ` +
      `Give the original key back its id and the new key another one: LATCHKEY_ENCRYPTION_KEY=new:<new key>,${ids.map((id) => `${id}:<original key>`).join(',')}`
    );
  }
  return null;
}
