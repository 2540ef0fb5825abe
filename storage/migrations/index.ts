import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './2026-11-22-initial.ts';
import * as mcpClients from './2026-11-23-mcp-clients.ts';
import * as refresh from './2026-11-24-refresh.ts';
import * as webhooks from './2026-11-25-webhooks.ts';
import * as accountLookupIndex from './2026-11-26-account-lookup-index.ts';
import * as accountLookupOrder from './2026-11-27-account-lookup-order.ts';
import * as approvals from './2026-11-30-approvals.ts';
import * as mcpOAuth from './2026-12-01-mcp-oauth.ts';
import * as verifications from './2026-12-01-verifications.ts';
import * as activityLog from './2026-12-02-activity-log.ts';
import * as consoleSessions from './2026-12-02-console-sessions.ts';
import * as mcpServers from './2026-12-03-mcp-servers.ts';

/** A static list instead of a folder scan: it bundles, and the order is the names' ISO-date order. */
const migrations: Record<string, Migration> = {
  '2026-11-22-initial': initial,
  '2026-11-23-mcp-clients': mcpClients,
  '2026-11-24-refresh': refresh,
  '2026-11-25-webhooks': webhooks,
  '2026-11-26-account-lookup-index': accountLookupIndex,
  '2026-11-27-account-lookup-order': accountLookupOrder,
  '2026-11-30-approvals': approvals,
  '2026-12-01-mcp-oauth': mcpOAuth,
  '2026-12-01-verifications': verifications,
  '2026-12-02-activity-log': activityLog,
  '2026-12-02-console-sessions': consoleSessions,
  '2026-12-03-mcp-servers': mcpServers,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
