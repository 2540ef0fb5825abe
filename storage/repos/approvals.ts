import type { Kysely } from 'kysely';
import type { Approval, ApprovalStatus } from '../domain.ts';
import { epoch, epochOrNull, mapper, plain } from '../mapping.ts';
import type { ApprovalsTable, Database } from '../schema.ts';

const approvals = mapper<Approval, ApprovalsTable>({
  id: plain('id'),
  sessionId: plain('session_id'),
  tokenHash: plain('token_hash'),
  tokenSealed: plain('token_sealed'),
  toolkitSlug: plain('toolkit_slug'),
  toolSlug: plain('tool_slug'),
  accountId: plain('account_id'),
  callHash: plain('call_hash'),
  argumentsSealed: plain('arguments_sealed'),
  scope: plain('scope'),
  status: plain('status'),
  createdAt: epoch('created_at'),
  expiresAt: epoch('expires_at'),
  decidedAt: epochOrNull('decided_at'),
  usedAt: epochOrNull('used_at'),
});

export function approvalsRepo(db: Kysely<Database>) {
  return {
    /**
     * Stores a new approval; the session's approvals that expired unanswered or unused go with it (a
     * yes for the rest of the session stays).
     */
    async insert(approval: Approval): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('approvals')
          .where('session_id', '=', approval.sessionId)
          .where('expires_at', '<', approval.createdAt)
          .where((eb) => eb.not(eb.and([eb('scope', '=', 'session'), eb('status', '=', 'APPROVED')])))
          .execute();
        await trx.insertInto('approvals').values(approvals.toRow(approval)).execute();
      });
    },
    async findByTokenHash(tokenHash: string): Promise<Approval | undefined> {
      return approvals.maybe(await db.selectFrom('approvals').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst());
    },
    /** The unused, unexpired approvals of one call of a session, newest first. */
    async openForCall(sessionId: string, callHash: string, now: number): Promise<Approval[]> {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('call_hash', '=', callHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .limit(20)
        .execute();
      return rows.map(approvals.fromRow);
    },
    /** Whether the user said yes, after `since`, to this tool of this toolkit and account for the rest of the session. */
    async hasSessionGrant(
      sessionId: string,
      call: { toolkit: string; tool: string; accountId: string | null },
      since: number,
    ): Promise<boolean> {
      let query = db
        .selectFrom('approvals')
        .select('id')
        .where('session_id', '=', sessionId)
        .where('scope', '=', 'session')
        .where('status', '=', 'APPROVED')
        .where('toolkit_slug', '=', call.toolkit)
        .where('tool_slug', '=', call.tool)
        .where('decided_at', '>=', since);
      query = call.accountId === null ? query.where('account_id', 'is', null) : query.where('account_id', '=', call.accountId);
      return (await query.executeTakeFirst()) !== undefined;
    },
    /** A session's approvals waiting for an answer, newest first. */
    async pendingForSession(sessionId: string, now: number): Promise<Approval[]> {
      const rows = await db
        .selectFrom('approvals')
        .selectAll()
        .where('session_id', '=', sessionId)
        .where('status', '=', 'PENDING')
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .limit(100)
        .execute();
      return rows.map(approvals.fromRow);
    },
    /** Records the answer to a pending approval, once: false when it was already answered or has expired. */
    async decide(id: string, status: Exclude<ApprovalStatus, 'PENDING'>, now: number): Promise<boolean> {
      const result = await db
        .updateTable('approvals')
        .set({ status, decided_at: now })
        .where('id', '=', id)
        .where('status', '=', 'PENDING')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /** Spends a decided call approval, once: false when another request spent it first. */
    async use(id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('approvals')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

/** The `requestState`s already echoed back once (spec 2026-07-28 basic/patterns/mrtr): a second echo is a replay. */
export function requestStateUsesRepo(db: Kysely<Database>) {
  return {
    /** Records a state as used; false when it already was. Expired records go on the way. */
    async markUsed(stateId: string, expiresAt: number, now: number): Promise<boolean> {
      await db.deleteFrom('request_state_uses').where('expires_at', '<', now).execute();
      const result = await db
        .insertInto('request_state_uses')
        .values({ state_id: stateId, expires_at: expiresAt })
        .onConflict((oc) => oc.column('state_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },
  };
}
