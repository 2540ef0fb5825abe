// Manage project API keys: `create [name]` prints a new key once; `revoke <id>`; `list` (never shows keys).
import { apiKeysRepo } from '../storage/repos/api-keys.ts';
import { createApiKey, revokeApiKey } from '../src/auth/api-keys.ts';
import { CLI_ACTOR } from '../src/services/actor.ts';
import { systemClock } from '../src/deps.ts';
import { configOrExit, openMigrated } from './_context.ts';

const [command, arg] = process.argv.slice(2);
const config = configOrExit();
const storage = await openMigrated(config, { create: false });
const repo = apiKeysRepo(storage.db);
const store = { db: storage.db, clock: systemClock };
try {
  if (command === 'create') {
    const { id, key } = await createApiKey(store, arg ?? 'created by script', CLI_ACTOR);
    console.log(JSON.stringify({ id, key }));
  } else if (command === 'revoke' && arg) {
    if (!(await revokeApiKey(store, arg, CLI_ACTOR))) {
      console.error(`no active key with id ${arg}`);
      process.exitCode = 1;
    } else console.log(JSON.stringify({ id: arg, revoked: true }));
  } else if (command === 'list') {
    for (const k of await repo.list()) {
      console.log(
        JSON.stringify({
          id: k.id,
          name: k.name,
          hint: `••••${k.keyHint}`,
          created_at: new Date(k.createdAt).toISOString(),
          revoked: k.revokedAt !== null,
        }),
      );
    }
  } else {
    console.error('usage: npm run api-keys -- create [name] | revoke <id> | list');
    process.exitCode = 2;
  }
} finally {
  await storage.close();
}
