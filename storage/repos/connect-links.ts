import type { Kysely } from 'kysely';
import type { ConnectLink } from '../domain.ts';
import { epoch, epochOrNull, mapper, plain } from '../mapping.ts';
import type { ConnectLinksTable, Database } from '../schema.ts';

const links = mapper<ConnectLink, ConnectLinksTable>({
  id: plain('id'),
  tokenHash: plain('token_hash'),
  tokenSealed: plain('token_sealed'),
  connectedAccountId: plain('connected_account_id'),
  userId: plain('user_id'),
  authConfigId: plain('auth_config_id'),
  callbackUrl: plain('callback_url'),
  stateHash: plain('state_hash'),
  flowSealed: plain('flow_sealed'),
  expiresAt: epoch('expires_at'),
  usedAt: epochOrNull('used_at'),
  createdAt: epoch('created_at'),
});

export function connectLinksRepo(db: Kysely<Database>) {
  return {
    async insert(link: ConnectLink): Promise<void> {
      await db.insertInto('connect_links').values(links.toRow(link)).execute();
    },

    async findByTokenHash(tokenHash: string): Promise<ConnectLink | undefined> {
      return links.maybe(await db.selectFrom('connect_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst());
    },

    /** The newest link of an account that can still be opened, to show the same link again rather than mint another. */
    async findOpenForAccount(accountId: string, now: number): Promise<ConnectLink | undefined> {
      return links.maybe(
        await db
          .selectFrom('connect_links')
          .selectAll()
          .where('connected_account_id', '=', accountId)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now + 60_000)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      );
    },

    async findLatestForAccount(accountId: string): Promise<ConnectLink | undefined> {
      return links.maybe(
        await db
          .selectFrom('connect_links')
          .selectAll()
          .where('connected_account_id', '=', accountId)
          .orderBy('created_at', 'desc')
          .limit(1)
          .executeTakeFirst(),
      );
    },

    async update(id: string, changes: Partial<ConnectLink>): Promise<void> {
      await db.updateTable('connect_links').set(links.toChanges(changes)).where('id', '=', id).execute();
    },

    /**
     * Atomically takes the link that owns an OAuth state: under any race exactly one callback gets the
     * row; a replayed state gets nothing (and `findByStateHash` then tells it was used).
     */
    async consumeByStateHash(stateHash: string, now: number): Promise<ConnectLink | undefined> {
      return links.maybe(
        await db
          .updateTable('connect_links')
          .set({ used_at: now })
          .where('state_hash', '=', stateHash)
          .where('used_at', 'is', null)
          .returningAll()
          .executeTakeFirst(),
      );
    },

    async findByStateHash(stateHash: string): Promise<ConnectLink | undefined> {
      return links.maybe(await db.selectFrom('connect_links').selectAll().where('state_hash', '=', stateHash).executeTakeFirst());
    },

    /** Marks a link used if it was not; false when another request got there first. */
    async consume(id: string, now: number): Promise<boolean> {
      const result = await db
        .updateTable('connect_links')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type ConnectLinksRepo = ReturnType<typeof connectLinksRepo>;
