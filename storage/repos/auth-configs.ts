import { sql, type Kysely } from 'kysely';
import type { AuthConfig } from '../domain.ts';
import { epoch, flag, json, mapper, plain } from '../mapping.ts';
import { prepared } from '../prepared.ts';
import type { AuthConfigsTable, Database } from '../schema.ts';

export const authConfigRows = mapper<AuthConfig, AuthConfigsTable>({
  id: plain('id'),
  toolkitSlug: plain('toolkit_slug'),
  name: plain('name'),
  type: plain('type'),
  authScheme: plain('auth_scheme'),
  isComposioManaged: flag('is_composio_managed'),
  status: plain('status'),
  settings: json('settings'),
  credentialsSealed: plain('credentials_sealed'),
  createdAt: epoch('created_at'),
  updatedAt: epoch('updated_at'),
});

export interface AuthConfigFilter {
  toolkitSlugs?: string[];
  isComposioManaged?: boolean;
  search?: string;
  showDisabled?: boolean;
  offset: number;
  limit: number;
}

export function authConfigsRepo(db: Kysely<Database>) {
  return {
    async insert(config: AuthConfig): Promise<void> {
      await db.insertInto('auth_configs').values(authConfigRows.toRow(config)).execute();
    },

    /** every tool call: prepared once per process */
    async findById(id: string): Promise<AuthConfig | undefined> {
      const query = prepared(db, 'auth_configs.byId', (configId: string) =>
        db.selectFrom('auth_configs').selectAll().where('id', '=', configId),
      );
      const row = (await query(id))[0];
      return row && authConfigRows.fromRow(row);
    },

    /** The oldest enabled config for a toolkit: what a session or tool call uses when none is named. */
    async findDefaultForToolkit(toolkitSlug: string): Promise<AuthConfig | undefined> {
      const row = await db
        .selectFrom('auth_configs')
        .selectAll()
        .where('toolkit_slug', '=', toolkitSlug)
        .where('status', '=', 'ENABLED')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      return row && authConfigRows.fromRow(row);
    },

    async list(filter: AuthConfigFilter): Promise<{ configs: AuthConfig[]; total: number }> {
      let query = db.selectFrom('auth_configs');
      if (filter.toolkitSlugs) query = query.where('toolkit_slug', 'in', filter.toolkitSlugs);
      if (filter.isComposioManaged !== undefined) query = query.where('is_composio_managed', '=', filter.isComposioManaged ? 1 : 0);
      if (!filter.showDisabled) query = query.where('status', '=', 'ENABLED');
      // SQLite's LIKE has no escape character unless ESCAPE names one: without it `\%` is a backslash then a wildcard.
      // Both sides lowered: SQLite's LIKE ignores ASCII case, PostgreSQL's does not (and lower() is ASCII-only in SQLite).
      if (filter.search)
        query = query.where(sql<boolean>`lower(name) like lower(${`%${filter.search.replace(/[%_\\]/g, (m) => `\\${m}`)}%`}) escape '\\'`);
      const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
      return { configs: rows.map(authConfigRows.fromRow), total: Number(total.n) };
    },

    async update(id: string, changes: Partial<AuthConfig>): Promise<boolean> {
      const result = await db.updateTable('auth_configs').set(authConfigRows.toChanges(changes)).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('auth_configs').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async countConnections(ids: string[]): Promise<Map<string, number>> {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom('connected_accounts')
        .select(['auth_config_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('auth_config_id', 'in', ids)
        .groupBy('auth_config_id')
        .execute();
      return new Map(rows.map((r) => [r.auth_config_id, Number(r.n)]));
    },
  };
}

export type AuthConfigsRepo = ReturnType<typeof authConfigsRepo>;
