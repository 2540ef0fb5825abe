import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '../../storage/db.ts';
import { SEALED, sealed, sealedAad, sealedColumns } from '../../storage/schema.ts';
import { openTempStorage } from '../helpers/temp-storage.ts';

let storage: Storage;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ storage, close } = await openTempStorage());
});

afterAll(() => close());

describe('sealed columns', () => {
  it('the declaration lists exactly the *_sealed columns of the migrated schema, so rotation walks every ciphertext', async () => {
    // Kysely's introspection reads either engine's catalogue (its own migration tables are left out)
    const tables = await storage.db.introspection.getTables();
    const inSchema = tables.flatMap(({ name, columns }) =>
      columns.filter((c) => c.name.endsWith('_sealed')).map((c) => `${name}.${c.name}`),
    );
    expect(
      sealedColumns()
        .map((c) => `${c.table}.${c.column}`)
        .sort(),
    ).toEqual(inSchema.sort());
  });

  it("binds a ciphertext to its column's names, not to its place in the declaration", () => {
    expect(sealedAad(sealed('connect_links', 'flow_sealed'), 'lnk_1')).toBe('connect_links.flow_sealed:lnk_1');
    expect(sealedAad(sealed('connected_accounts', 'credentials_sealed'), 'ca_1')).toBe('connected_accounts.credentials_sealed:ca_1');
    // rotation's walk yields, for every column, the same associated data the writer names
    for (const column of sealedColumns()) expect(sealedAad(column, 'x')).toBe(`${column.table}.${column.column}:x`);
    // the type-level half: no position to pick, and only declared names compile (checked by `npm run typecheck`)
    // @ts-expect-error a sealed column is named, never indexed
    expect(SEALED[3]).toBeUndefined();
    // @ts-expect-error connect_links has no credentials_sealed column
    sealed('connect_links', 'credentials_sealed');
  });
});
