import type { Kysely } from 'kysely';
import { sealedColumns, sealedAad, type Database } from '../../storage/schema.ts';
import { sealedValuesRepo } from '../../storage/repos/sealed-values.ts';
import type { Vault } from './vault.ts';

export interface RotationReport {
  rewritten: number;
  /** rows a live server rewrote between our read and our write: already under the new key */
  raced: number;
  columns: Record<string, number>;
}

/**
 * Re-encrypts every sealed value that is not under the vault's current key, in small batches with
 * compare-and-swap writes, so it runs beside live servers: every value opens under the ring at every
 * moment, before, during and after. Run it after every server has the new key first in its ring.
 */
export async function rotateSealedValues(
  db: Kysely<Database>,
  vault: Vault,
  options: { batchSize?: number; afterBatch?: () => Promise<void> | void } = {},
): Promise<RotationReport> {
  const repo = sealedValuesRepo(db);
  const batchSize = options.batchSize ?? 500;
  const report: RotationReport = { rewritten: 0, raced: 0, columns: {} };
  for (const column of sealedColumns()) {
    const name = `${column.table}.${column.column}`;
    report.columns[name] = 0;
    let afterId = '';
    for (;;) {
      const rows = await repo.listStale(column, vault.currentPrefix, afterId, batchSize);
      if (rows.length === 0) break;
      for (const row of rows) {
        const aad = sealedAad(column, row.id);
        let plaintext: string;
        try {
          plaintext = vault.open(row.value, aad);
        } catch (error) {
          throw new Error(`${name} of row ${row.id} cannot be opened with the key ring: ${(error as Error).message}`);
        }
        if (await repo.replaceIfUnchanged(column, row.id, row.value, vault.seal(plaintext, aad))) {
          report.rewritten += 1;
          report.columns[name] += 1;
        } else {
          report.raced += 1;
        }
      }
      afterId = rows[rows.length - 1]!.id;
      await options.afterBatch?.();
    }
  }
  return report;
}
