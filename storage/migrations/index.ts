import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-22-initial.ts';
import * as mcpClients from './2026-11-23-mcp-clients.ts';

/** A static list instead of a folder scan: it bundles, and the order is the names' ISO-date order. */
const migrations: Record<string, Migration> = {
  '2026-11-22-initial': initial,
  '2026-11-23-mcp-clients': mcpClients,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
