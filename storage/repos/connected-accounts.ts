import { sql, type Kysely } from 'kysely';
import type { AuthConfig, ConnectedAccount } from '../domain.ts';
import { epoch, epochOrNull, flag, integer, json, mapper, plain } from '../mapping.ts';
import { mapRemembered, prepared } from '../prepared.ts';
import type { AuthConfigsTable, ConnectedAccountsTable, Database } from '../schema.ts';
import { authConfigRows } from './auth-configs.ts';

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

/** An account with the auth config it belongs to, read together. */
export interface UsableAccount {
  account: ConnectedAccount;
  authConfig: AuthConfig | undefined;
}

type UsableFilter = { ids?: string[]; authConfigId?: string };

// the auth config's columns beside the account's, renamed: both tables have id, status, created_at ...
const AUTH_CONFIG_COLUMNS = [
  'id',
  'toolkit_slug',
  'name',
  'type',
  'auth_scheme',
  'is_composio_managed',
  'status',
  'settings',
  'credentials_sealed',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof AuthConfigsTable>;
const JOINED = 'auth_config__';
// (column, alias) pairs, made once: every tool call maps one joined row
const ALIASED = AUTH_CONFIG_COLUMNS.map((column) => [column, `${JOINED}${column}`] as const);

type JoinedRow = ConnectedAccountsTable & Record<string, unknown>;

const usableAccount = (row: JoinedRow): UsableAccount => ({ account: accountRows.fromRow(row), authConfig: joinedAuthConfig(row) });

function joinedAuthConfig(row: JoinedRow): AuthConfig | undefined {
  if (row[`${JOINED}id`] == null) return undefined;
  const columns: Record<string, unknown> = {};
  for (const [column, alias] of ALIASED) columns[column] = row[alias];
  return authConfigRows.fromRow(columns as unknown as AuthConfigsTable);
}

/**
 * A user's ACTIVE, enabled accounts of a toolkit, newest first: the index (user, toolkit, status,
 * updated_at, id) gives this order without a sort. The common case (every tool call of a session
 * without pinned accounts) is prepared once per process.
 */
async function usableRows(
  db: Kysely<Database>,
  userId: string,
  toolkitSlug: string,
  options: UsableFilter,
  withAuthConfig: boolean,
): Promise<JoinedRow[]> {
  const build = (user: string, toolkit: string) => {
    let query = db
      .selectFrom('connected_accounts')
      .selectAll('connected_accounts')
      .where('connected_accounts.user_id', '=', user)
      .where('connected_accounts.toolkit_slug', '=', toolkit)
      .where('connected_accounts.status', '=', 'ACTIVE')
      .where('connected_accounts.is_disabled', '=', 0);
    if (options.ids) query = query.where('connected_accounts.id', 'in', options.ids);
    if (options.authConfigId) query = query.where('connected_accounts.auth_config_id', '=', options.authConfigId);
    const ordered = query.orderBy('connected_accounts.updated_at', 'desc').orderBy('connected_accounts.id', 'desc').limit(50);
    if (!withAuthConfig) return ordered;
    return ordered
      .leftJoin('auth_configs', 'auth_configs.id', 'connected_accounts.auth_config_id')
      .select(ALIASED.map(([column, alias]) => sql.ref(`auth_configs.${column}`).as(alias)));
  };
  if (options.ids || options.authConfigId) return (await build(userId, toolkitSlug).execute()) as JoinedRow[];
  const name = withAuthConfig ? 'connected_accounts.usableWithAuthConfig' : 'connected_accounts.usable';
  const query = prepared(db, name, (user: string, toolkit: string) => build(user, toolkit));
  return (await query(userId, toolkitSlug)) as JoinedRow[];
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

    /** A user's ACTIVE, enabled accounts of a toolkit, newest first (no count). */
    async listUsable(userId: string, toolkitSlug: string, options: UsableFilter = {}): Promise<ConnectedAccount[]> {
      const rows = await usableRows(db, userId, toolkitSlug, options, false);
      return rows.map(accountRows.fromRow);
    },

    /**
     * The same accounts, each with its auth config (undefined when that is gone), read in the same
     * statement: the hot path of every tool call, which needs the config's status and app client, pays
     * one statement instead of two.
     */
    async listUsableWithAuthConfig(userId: string, toolkitSlug: string, options: UsableFilter = {}): Promise<UsableAccount[]> {
      return mapRemembered(await usableRows(db, userId, toolkitSlug, options, true), usableAccount);
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

    /** Accounts per status as reads show them (an abandoned INITIATED one counts as EXPIRED). */
    async countByStatus(abandonedBefore: number): Promise<Record<string, number>> {
      // grouped by the stored status, the abandoned ones counted apart: PostgreSQL will not group by an
      // expression holding a bound parameter (the select's and the group's are two parameters to it)
      const [rows, abandoned] = await Promise.all([
        db
          .selectFrom('connected_accounts')
          .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
          .groupBy('status')
          .execute(),
        db
          .selectFrom('connected_accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '=', 'INITIATED')
          .where('updated_at', '<', abandonedBefore)
          .executeTakeFirstOrThrow(),
      ]);
      const counts: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
      const moved = Number(abandoned.n);
      if (moved > 0) {
        counts.INITIATED = (counts.INITIATED ?? 0) - moved;
        counts.EXPIRED = (counts.EXPIRED ?? 0) + moved;
      }
      return counts;
    },

    /** ACTIVE, enabled accounts whose refresh is failing (a failure counted, not yet expired). */
    async countRefreshFailing(): Promise<number> {
      const row = await db
        .selectFrom('connected_accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'ACTIVE')
        .where('refresh_failures', '>', 0)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** ACTIVE accounts whose token expires before `before` (the refresh loop should take them soon). */
    async countExpiringBefore(before: number): Promise<number> {
      const row = await db
        .selectFrom('connected_accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'ACTIVE')
        .where('is_disabled', '=', 0)
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', before)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Distinct user ids starting with `prefix`, in order (the console's user search). */
    async userIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
      // substr rather than LIKE: the same exact, case-sensitive match on both backends, no wildcards to escape
      // (both count characters, so the prefix's length is its code points)
      const rows = await db
        .selectFrom('connected_accounts')
        .select('user_id')
        .distinct()
        .where(sql<string>`substr(user_id, 1, ${[...prefix].length})`, '=', prefix)
        .orderBy('user_id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.user_id);
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
