import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The stable id of this installation, created on first start; it fills Composio's project/org id fields. */
export async function ensureInstallationId(db: Kysely<Database>, newId: string, now: number): Promise<string> {
  await db
    .insertInto('installation')
    .values({ id: newId, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db.selectFrom('installation').select('id').orderBy('created_at').limit(1).executeTakeFirstOrThrow();
  return row.id;
}
