import type { ExpressionBuilder, Kysely } from 'kysely';
import type { OAuthClient, OAuthClientMetadata, OAuthGrant, OAuthRequest, OAuthToken, OAuthTokenKind } from '../domain.ts';
import { writeTransaction } from '../db.ts';
import { epoch, epochOrNull, json, mapper, plain } from '../mapping.ts';
import type { Database, OAuthClientsTable, OAuthGrantsTable, OAuthRequestsTable, OAuthTokensTable } from '../schema.ts';

const clients = mapper<OAuthClient, OAuthClientsTable>({
  id: plain('id'),
  secretHash: plain('secret_hash'),
  metadata: json<'metadata', OAuthClientMetadata>('metadata'),
  createdAt: epoch('created_at'),
  firstGrantedAt: epochOrNull('first_granted_at'),
});

const requests = mapper<OAuthRequest, OAuthRequestsTable>({
  idHash: plain('id_hash'),
  clientId: plain('client_id'),
  sessionId: plain('session_id'),
  redirectUri: plain('redirect_uri'),
  codeChallenge: plain('code_challenge'),
  state: plain('state'),
  scope: plain('scope'),
  resource: plain('resource'),
  createdAt: epoch('created_at'),
  expiresAt: epoch('expires_at'),
});

const grants = mapper<OAuthGrant, OAuthGrantsTable>({
  id: plain('id'),
  sessionId: plain('session_id'),
  clientId: plain('client_id'),
  resource: plain('resource'),
  scope: plain('scope'),
  createdAt: epoch('created_at'),
});

const tokens = mapper<OAuthToken, OAuthTokensTable>({
  tokenHash: plain('token_hash'),
  grantId: plain('grant_id'),
  kind: plain('kind'),
  redirectUri: plain('redirect_uri'),
  codeChallenge: plain('code_challenge'),
  createdAt: epoch('created_at'),
  expiresAt: epoch('expires_at'),
  usedAt: epochOrNull('used_at'),
});

/** A client no live authorization request names: one being authorized now is never evicted. */
const unclaimed =
  (now: number) =>
  ({ not, exists, selectFrom }: ExpressionBuilder<Database, 'oauth_clients'>) =>
    not(
      exists(
        selectFrom('oauth_requests')
          .select('id_hash')
          .whereRef('oauth_requests.client_id', '=', 'oauth_clients.id')
          .where('oauth_requests.expires_at', '>', now),
      ),
    );

/** Registered OAuth clients (RFC 7591). */
export function oauthClientsRepo(db: Kysely<Database>) {
  return {
    /**
     * Stores a client. Of the clients nobody ever authorized and no live authorization request names
     * (one being authorized right now is kept whatever else registers), those registered before
     * `unusedSince` go on the way, and only the newest `maxUnused` stay, this one included
     * (registration is open to anyone, so what is never used must not pile up). A write transaction,
     * so concurrent registrations count each other (on PostgreSQL a plain one would not).
     */
    async insert(client: OAuthClient, limits: { now: number; unusedSince: number; maxUnused: number }): Promise<void> {
      await writeTransaction(db, async (trx) => {
        const evictable = () => trx.deleteFrom('oauth_clients').where('first_granted_at', 'is', null).where(unclaimed(limits.now));
        await evictable().where('created_at', '<', limits.unusedSince).execute();
        // the newest evictable client that must go to leave room for this one (the maxUnused-th newest);
        // it and every older one go. Found first, so no dialect's LIMIT/OFFSET quirks are needed.
        const cutoff = await trx
          .selectFrom('oauth_clients')
          .select(['created_at', 'id'])
          .where('first_granted_at', 'is', null)
          .where(unclaimed(limits.now))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .offset(Math.max(0, limits.maxUnused - 1))
          .executeTakeFirst();
        if (cutoff)
          await evictable()
            .where((eb) =>
              eb.or([
                eb('created_at', '<', cutoff.created_at),
                eb.and([eb('created_at', '=', cutoff.created_at), eb('id', '<=', cutoff.id)]),
              ]),
            )
            .execute();
        await trx.insertInto('oauth_clients').values(clients.toRow(client)).execute();
      });
    },
    async markGranted(id: string, now: number): Promise<void> {
      await db
        .updateTable('oauth_clients')
        .set({ first_granted_at: now })
        .where('id', '=', id)
        .where('first_granted_at', 'is', null)
        .execute();
    },
    async findById(id: string): Promise<OAuthClient | undefined> {
      return clients.maybe(await db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst());
    },
  };
}

/** Authorization requests waiting for the consent page. */
export function oauthRequestsRepo(db: Kysely<Database>) {
  return {
    /** Stores a request; expired ones go on the way. */
    async insert(request: OAuthRequest): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oauth_requests').where('expires_at', '<', request.createdAt).execute();
        await trx.insertInto('oauth_requests').values(requests.toRow(request)).execute();
      });
    },
    async find(idHash: string, now: number): Promise<OAuthRequest | undefined> {
      return requests.maybe(
        await db.selectFrom('oauth_requests').selectAll().where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst(),
      );
    },
    /** Takes a live request out, once (exactly one caller gets it); given a session, only a request for that session. */
    async take(idHash: string, now: number, sessionId?: string): Promise<OAuthRequest | undefined> {
      let query = db.deleteFrom('oauth_requests').where('id_hash', '=', idHash).where('expires_at', '>', now);
      if (sessionId !== undefined) query = query.where('session_id', '=', sessionId);
      return requests.maybe(await query.returningAll().executeTakeFirst());
    },
  };
}

/** Grants and the codes and tokens issued under them. */
export function oauthGrantsRepo(db: Kysely<Database>) {
  return {
    /** A new grant with its first token (the authorization code); expired tokens, and grants left with none, go on the way. */
    async insertWithToken(grant: OAuthGrant, token: OAuthToken): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('oauth_tokens').where('expires_at', '<', grant.createdAt).execute();
        // a grant whose every token has expired can never be used again
        await trx
          .deleteFrom('oauth_grants')
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('oauth_tokens').select('token_hash').whereRef('oauth_tokens.grant_id', '=', 'oauth_grants.id'))),
          )
          .execute();
        await trx.insertInto('oauth_grants').values(grants.toRow(grant)).execute();
        await trx.insertInto('oauth_tokens').values(tokens.toRow(token)).execute();
      });
    },
    /** A code or token of one kind, with its grant (none once the grant is gone). */
    async findToken(tokenHash: string, kind: OAuthTokenKind): Promise<{ token: OAuthToken; grant: OAuthGrant } | undefined> {
      const token = tokens.maybe(
        await db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', tokenHash).where('kind', '=', kind).executeTakeFirst(),
      );
      if (!token) return undefined;
      const grant = grants.maybe(await db.selectFrom('oauth_grants').selectAll().where('id', '=', token.grantId).executeTakeFirst());
      return grant && { token, grant };
    },
    /**
     * Spends a code or refresh token and stores what replaces it, in one transaction: false (and
     * nothing stored) when another request spent it first.
     */
    async spend(tokenHash: string, now: number, issued: OAuthToken[]): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('oauth_tokens')
          .set({ used_at: now })
          .where('token_hash', '=', tokenHash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        if (issued.length > 0) await trx.insertInto('oauth_tokens').values(issued.map(tokens.toRow)).execute();
        return true;
      });
    },
    /** Ends a grant: its codes and tokens go with it (foreign key cascade). */
    async delete(grantId: string): Promise<void> {
      await db.deleteFrom('oauth_grants').where('id', '=', grantId).execute();
    },
  };
}
