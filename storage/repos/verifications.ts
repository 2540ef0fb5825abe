import type { Kysely } from 'kysely';
import type { Verification } from '../domain.ts';
import { epoch, epochOrNull, mapper, plain } from '../mapping.ts';
import type { Database, VerificationsTable } from '../schema.ts';

const verifications = mapper<Verification, VerificationsTable>({
  id: plain('id'),
  kind: plain('kind'),
  subjectId: plain('subject_id'),
  userId: plain('user_id'),
  refHash: plain('ref_hash'),
  payloadSealed: plain('payload_sealed'),
  createdAt: epoch('created_at'),
  expiresAt: epoch('expires_at'),
  usedAt: epochOrNull('used_at'),
});

export function verificationsRepo(db: Kysely<Database>) {
  return {
    /** Stores a new verification; rows expired a day ago go with it (nothing reads them any more). */
    async insert(verification: Verification): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('verifications')
          .where('expires_at', '<', verification.createdAt - 86_400_000)
          .execute();
        await trx.insertInto('verifications').values(verifications.toRow(verification)).execute();
      });
    },

    /**
     * Atomically spends the verification a reference names, if it is unused and in time: under any
     * race exactly one caller gets the row; an unknown, expired or used reference gets nothing. The
     * row goes with it, so what it held (a provider's tokens) is in the caller's hands only, whether
     * the flow then completes or is refused.
     */
    async consume(refHash: string, now: number): Promise<Verification | undefined> {
      return verifications.maybe(
        await db
          .deleteFrom('verifications')
          .where('ref_hash', '=', refHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returningAll()
          .executeTakeFirst(),
      );
    },
  };
}
