import type { Kysely } from 'kysely';
import { leaseTime } from '../dialect.ts';
import type { ConnectedAccount } from '../domain.ts';
import type { Database } from '../schema.ts';
import { accountRows } from './connected-accounts.ts';

/** The SQL of the token lifecycle: leases across processes, and the scheduler's page of due accounts. */
export function refreshRepo(db: Kysely<Database>) {
  return {
    /**
     * Takes the refresh lease of an account unless another holder's lease is still live. One statement,
     * so under any number of processes exactly one holds it. `holder` names this one acquisition (a
     * fresh id each time): it is the fencing token `finish` and `releaseLease` compare. "Live" is judged
     * by the database's clock on PostgreSQL (dialect.ts: leaseTime), so machines' skew cannot make two holders.
     */
    async acquireLease(accountId: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
      const expiresAt = leaseTime(db, now, ttlMs);
      const result = await db
        .insertInto('refresh_leases')
        .values({ account_id: accountId, holder, expires_at: expiresAt })
        .onConflict((oc) =>
          oc
            .column('account_id')
            .doUpdateSet({ holder, expires_at: expiresAt })
            .where('refresh_leases.expires_at', '<=', leaseTime(db, now)),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    /** Gives the lease back if `holder` still holds it; whether it did. */
    async releaseLease(accountId: string, holder: string, trx: Kysely<Database> = db): Promise<boolean> {
      const result = await trx
        .deleteFrom('refresh_leases')
        .where('account_id', '=', accountId)
        .where('holder', '=', holder)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /**
     * Stores the outcome of a refresh and gives the lease back, in one transaction, fenced: only while
     * `holder` still holds the lease. A holder whose lease lapsed and was taken over finds another
     * holder's row and writes nothing (false), so it cannot overwrite the newer tokens of the one that
     * took over. The delete comes first: on PostgreSQL it locks the lease row (a concurrent takeover waits
     * for the commit, then re-reads the account) or, if a takeover committed first, matches nothing.
     */
    async finish(accountId: string, holder: string, changes: Partial<ConnectedAccount>): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        if (!(await refreshRepo(trx).releaseLease(accountId, holder))) return false;
        await trx.updateTable('connected_accounts').set(accountRows.toChanges(changes)).where('id', '=', accountId).execute();
        return true;
      });
    },

    /**
     * A page of ACTIVE accounts of the renewable modes that need a refresh: expiring within the margin, or idle so long
     * the provider might drop the refresh token; never one in its cooldown.
     */
    async listDue(
      modes: readonly string[],
      now: number,
      expiringBefore: number,
      idleBefore: number,
      afterId: string,
      limit: number,
    ): Promise<string[]> {
      const rows = await db
        .selectFrom('connected_accounts')
        .select('id')
        .where('status', '=', 'ACTIVE')
        .where('auth_scheme', 'in', modes)
        .where('is_disabled', '=', 0)
        .where((eb) => eb.or([eb('next_refresh_at', 'is', null), eb('next_refresh_at', '<=', now)]))
        .where((eb) =>
          eb.or([
            eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<=', expiringBefore)]),
            eb(eb.fn.coalesce('last_refreshed_at', 'updated_at'), '<=', idleBefore),
          ]),
        )
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
