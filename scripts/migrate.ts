// Brings the database to the latest schema (the server also does this on start).
import { configOrExit, openMigrated } from './_context.ts';

const storage = await openMigrated(configOrExit(), { create: true });
await storage.close();
console.log('database is at the latest migration');
