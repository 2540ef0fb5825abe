import type { Kysely } from 'kysely';
import { writeTransaction } from '../db.ts';
import type { Verification, VerificationKind } from '../domain.ts';
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
    /**
     * Stores a new verification, the only one of its subject: an earlier row for the same subject goes
     * (a Continue pressed again replaces its reference rather than adding one), and so do rows expired
     * a day ago (nothing reads them any more). A write transaction: on PostgreSQL two plain transactions
     * storing for one subject at once would each delete nothing the other wrote and both insert.
     */
    async insert(verification: Verification): Promise<void> {
      await writeTransaction(db, async (trx) => {
        await trx
          .deleteFrom('verifications')
          .where((eb) => eb.or([eb('subject_id', '=', verification.subjectId), eb('expires_at', '<', verification.createdAt - 86_400_000)]))
          .execute();
        await trx.insertInto('verifications').values(verifications.toRow(verification)).execute();
      });
    },

    /**
     * Atomically spends the verification a reference names, if it is unused and in time: under any
     * race exactly one caller gets the row; an unknown, expired or used reference gets nothing. The
     * row goes with it, so what it held (a provider's tokens) is in the caller's hands only, whether
     * the flow then completes or is refused. Only a row of one of `kinds` is spent: a reference is
     * redeemed only where it was meant to be.
     */
    async consume(refHash: string, now: number, kinds: readonly VerificationKind[]): Promise<Verification | undefined> {
      return verifications.maybe(
        await db
          .deleteFrom('verifications')
          .where('ref_hash', '=', refHash)
          .where('kind', 'in', kinds)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returningAll()
          .executeTakeFirst(),
      );
    },
  };
}
