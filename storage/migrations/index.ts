import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-22-initial.ts';

/** A static list instead of a folder scan: it bundles, and the order is the names' ISO-date order. */
const migrations: Record<string, Migration> = {
  '2026-11-22-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
