import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../storage/db.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';
import { accountRows, cleanRefreshState, connectedAccountsRepo } from '../../storage/repos/connected-accounts.ts';
import { openTempStorage } from '../helpers/temp-storage.ts';

let storage: Storage;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ storage, close } = await openTempStorage());
  await storage.db
    .insertInto('auth_configs')
    .values({
      id: 'ac_map',
      toolkit_slug: 'github',
      name: 'map',
      type: 'custom',
      auth_scheme: 'OAUTH2',
      is_composio_managed: 0,
      status: 'ENABLED',
      settings: '{}',
      credentials_sealed: null,
      created_at: 1,
      updated_at: 1,
    })
    .execute();
});
afterAll(() => close());

const account: ConnectedAccount = {
  id: 'ca_map',
  userId: 'u1',
  toolkitSlug: 'github',
  authConfigId: 'ac_map',
  authScheme: 'OAUTH2',
  status: 'ACTIVE',
  statusReason: null,
  alias: 'work',
  isDisabled: true,
  connectionData: { identity: 'octocat', subdomain: 'acme' },
  credentialsSealed: 'v1.k.sealed',
  expiresAt: 1_700_000_000_000,
  createdAt: 1_600_000_000_000,
  updatedAt: 1_650_000_000_000,
  ...cleanRefreshState(null),
};

describe('rows and domain objects', () => {
  it('a domain object comes back from SQLite as it went in: booleans, parsed JSON, epoch-ms numbers', async () => {
    const repo = connectedAccountsRepo(storage.db);
    await repo.insert(account);
    const raw = await storage.db.selectFrom('connected_accounts').selectAll().where('id', '=', 'ca_map').executeTakeFirstOrThrow();
    expect(raw).toMatchObject({ is_disabled: 1, connection_data: JSON.stringify(account.connectionData), expires_at: account.expiresAt });
    expect(await repo.findById('ca_map')).toEqual(account);
  });

  it('an update writes only the fields it names', async () => {
    const repo = connectedAccountsRepo(storage.db);
    await repo.update('ca_map', { isDisabled: false, connectionData: { identity: 'hubot' } });
    expect(await repo.findById('ca_map')).toEqual({ ...account, isDisabled: false, connectionData: { identity: 'hubot' } });
  });

  it("absorbs a driver's own types in the mapping: 64-bit integers as strings, real booleans (PostgreSQL)", async () => {
    const raw = await storage.db.selectFrom('connected_accounts').selectAll().where('id', '=', 'ca_map').executeTakeFirstOrThrow();
    const asPg = {
      ...raw,
      is_disabled: false,
      created_at: String(raw.created_at),
      expires_at: String(raw.expires_at),
    } as unknown as typeof raw;
    expect(accountRows.fromRow(asPg)).toEqual(accountRows.fromRow(raw));
  });
});
