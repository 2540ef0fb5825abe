import { sql, type Kysely } from 'kysely';
import type { ConnectedAccount } from '../domain.ts';
import { epoch, epochOrNull, flag, integer, json, mapper, plain } from '../mapping.ts';
import { prepared } from '../prepared.ts';
import type { ConnectedAccountsTable, Database } from '../schema.ts';

export const accountRows = mapper<ConnectedAccount, ConnectedAccountsTable>({
  id: plain('id'),
  userId: plain('user_id'),
  toolkitSlug: plain('toolkit_slug'),
  authConfigId: plain('auth_config_id'),
  authScheme: plain('auth_scheme'),
  status: plain('status'),
  statusReason: plain('status_reason'),
  alias: plain('alias'),
  isDisabled: flag('is_disabled'),
  connectionData: json('connection_data'),
  credentialsSealed: plain('credentials_sealed'),
  expiresAt: epochOrNull('expires_at'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
  refreshFailures: integer('refresh_failures'),
  refreshFailingSince: epochOrNull('refresh_failing_since'),
  nextRefreshAt: epochOrNull('next_refresh_at'),
  lastRefreshedAt: epochOrNull('last_refreshed_at'),
});

/** The refresh bookkeeping of an account that has never failed a refresh (new, or just refreshed). */
export function cleanRefreshState(lastRefreshedAt: number | null) {
  return { refreshFailures: 0, refreshFailingSince: null, nextRefreshAt: null, lastRefreshedAt };
}

const ORDER_COLUMNS = { createdAt: 'created_at', updatedAt: 'updated_at' } as const;

export interface ConnectedAccountFilter {
  userIds?: string[];
  authConfigIds?: string[];
  statuses?: string[];
  toolkitSlugs?: string[];
  ids?: string[];
  orderBy: 'createdAt' | 'updatedAt';
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** statuses match as reads show them: INITIATED and last changed before this counts as EXPIRED */
  abandonedBefore?: number;
}

export function connectedAccountsRepo(db: Kysely<Database>) {
  return {
    async insert(account: ConnectedAccount): Promise<void> {
      await db.insertInto('connected_accounts').values(accountRows.toRow(account)).execute();
    },

    /** Many rows in one transaction, in chunks (seeding benchmarks, imports). */
    async insertMany(list: ConnectedAccount[]): Promise<void> {
      const rows = list.map(accountRows.toRow);
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += 500)
          await trx
            .insertInto('connected_accounts')
            .values(rows.slice(i, i + 500))
            .execute();
      });
    },

    async findById(id: string): Promise<ConnectedAccount | undefined> {
      return accountRows.maybe(await db.selectFrom('connected_accounts').selectAll().where('id', '=', id).executeTakeFirst());
    },

    /** A user's ACTIVE, enabled accounts of a toolkit, newest first (the hot path of every session call: no count). */
    async listUsable(
      userId: string,
      toolkitSlug: string,
      options: { ids?: string[]; authConfigId?: string } = {},
    ): Promise<ConnectedAccount[]> {
      // newest first; the index (user, toolkit, status, updated_at, id) gives this order without a sort
      const usable = (user: string, toolkit: string) =>
        db
          .selectFrom('connected_accounts')
          .selectAll()
          .where('user_id', '=', user)
          .where('toolkit_slug', '=', toolkit)
          .where('status', '=', 'ACTIVE')
          .where('is_disabled', '=', 0);
      const newestFirst = <Q extends ReturnType<typeof usable>>(query: Q) =>
        query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(50);
      // the common case (every tool call of a session without pinned accounts) is prepared once per process
      if (!options.ids && !options.authConfigId) {
        const query = prepared(db, 'connected_accounts.usable', (user: string, toolkit: string) => newestFirst(usable(user, toolkit)));
        return (await query(userId, toolkitSlug)).map(accountRows.fromRow);
      }
      let query = usable(userId, toolkitSlug);
      if (options.ids) query = query.where('id', 'in', options.ids);
      if (options.authConfigId) query = query.where('auth_config_id', '=', options.authConfigId);
      return (await newestFirst(query).execute()).map(accountRows.fromRow);
    },

    /** The toolkits a user has at least one ACTIVE, enabled account of (search prefers them on a near tie). */
    async activeToolkits(userId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('connected_accounts')
        .select('toolkit_slug')
        .distinct()
        .where('user_id', '=', userId)
        .where('status', '=', 'ACTIVE')
        .where('is_disabled', '=', 0)
        .execute();
      return rows.map((r) => r.toolkit_slug);
    },

    async list(filter: ConnectedAccountFilter): Promise<{ accounts: ConnectedAccount[]; total: number }> {
      let query = db.selectFrom('connected_accounts');
      if (filter.userIds) query = query.where('user_id', 'in', filter.userIds);
      if (filter.authConfigIds) query = query.where('auth_config_id', 'in', filter.authConfigIds);
      if (filter.statuses) {
        const shown =
          filter.abandonedBefore === undefined
            ? sql<string>`status`
            : sql<string>`case when status = 'INITIATED' and updated_at < ${filter.abandonedBefore} then 'EXPIRED' else status end`;
        query = query.where(shown, 'in', filter.statuses);
      }
      if (filter.toolkitSlugs) query = query.where('toolkit_slug', 'in', filter.toolkitSlugs);
      if (filter.ids) query = query.where('id', 'in', filter.ids);
      const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await query
        .selectAll()
        .orderBy(ORDER_COLUMNS[filter.orderBy], filter.direction)
        .orderBy('id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute();
      return { accounts: rows.map(accountRows.fromRow), total: Number(total.n) };
    },

    /**
     * The user's connection of a toolkit that waits to be completed: the newest INITIATED account
     * started since `initiatedSince`, else the newest EXPIRED one (a reconnect). Optionally of one auth
     * config, or among given accounts (a session's pinned ones). Only an account its link can complete:
     * not disabled by the app, under an auth config still ENABLED (openLink's rule), or every later
     * call would hand out a link that can never work.
     */
    async findPending(
      userId: string,
      toolkitSlug: string,
      options: { authConfigId?: string; ids?: string[]; initiatedSince: number },
    ): Promise<ConnectedAccount | undefined> {
      const newest = (status: string) => {
        let query = db
          .selectFrom('connected_accounts')
          .selectAll()
          .where('user_id', '=', userId)
          .where('toolkit_slug', '=', toolkitSlug)
          .where('status', '=', status)
          .where('is_disabled', '=', 0)
          .where('auth_config_id', 'in', db.selectFrom('auth_configs').select('id').where('status', '=', 'ENABLED'));
        if (options.authConfigId) query = query.where('auth_config_id', '=', options.authConfigId);
        if (options.ids) query = query.where('id', 'in', options.ids);
        if (status === 'INITIATED') query = query.where('updated_at', '>=', options.initiatedSince);
        return query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      };
      return accountRows.maybe((await newest('INITIATED')) ?? (await newest('EXPIRED')));
    },

    async update(id: string, changes: Partial<ConnectedAccount>): Promise<boolean> {
      const result = await db.updateTable('connected_accounts').set(accountRows.toChanges(changes)).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Conditional update: only when the row is still in `fromStatus` (a callback racing an expiry, say). */
    async updateIfStatus(id: string, fromStatus: string, changes: Partial<ConnectedAccount>): Promise<boolean> {
      const result = await db
        .updateTable('connected_accounts')
        .set(accountRows.toChanges(changes))
        .where('id', '=', id)
        .where('status', '=', fromStatus)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** ACTIVE → EXPIRED with a reason; false when the account was not ACTIVE any more. */
    async expire(id: string, reason: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('connected_accounts')
        .set({ status: 'EXPIRED', status_reason: reason, next_refresh_at: null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'ACTIVE')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('connected_accounts').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** INITIATED accounts not completed in time become EXPIRED (Composio's documented 10-minute rule). */
    /** updated_at stays: the account expired when its link did, as reads already show it */
    async expireAbandoned(olderThan: number, reason: string): Promise<number> {
      const result = await db
        .updateTable('connected_accounts')
        .set({ status: 'EXPIRED', status_reason: reason })
        .where('status', '=', 'INITIATED')
        .where('updated_at', '<', olderThan)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type ConnectedAccountsRepo = ReturnType<typeof connectedAccountsRepo>;
