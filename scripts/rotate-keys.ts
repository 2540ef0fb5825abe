// Re-encrypts every stored secret under the first key of LATCHKEY_ENCRYPTION_KEY, while servers keep running.
// Steps: 1) put the new key first (`new:<key>,old:<key>`) and restart every server; 2) run this;
// 3) when it reports 0 left, remove the old key and restart again.
import { sealedColumns } from '../storage/schema.ts';
import { sealedValuesRepo } from '../storage/repos/sealed-values.ts';
import { rotateSealedValues } from '../src/vault/rotate.ts';
import { configOrExit, openMigrated, vaultFor } from './_context.ts';

const config = configOrExit();
const storage = await openMigrated(config, { create: false });
const vault = await vaultFor(config, storage);
try {
  const report = await rotateSealedValues(storage.db, vault, { batchSize: 500 });
  const repo = sealedValuesRepo(storage.db);
  let left = 0;
  for (const column of sealedColumns()) left += await repo.countStale(column, vault.currentPrefix);
  console.log(
    JSON.stringify({ current_key_id: vault.currentKeyId, rewritten: report.rewritten, raced: report.raced, columns: report.columns, left }),
  );
  if (left > 0) process.exitCode = 1;
} finally {
  await storage.close();
}
