import type { Generated } from 'kysely';

/**
 * Row types of every table: the one declaration queries are typed against. Times are integer
 * milliseconds since the epoch (UTC); JSON columns hold text; `*_sealed` columns hold vault ciphertext.
 */

export interface InstallationTable {
  id: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  /** the last 4 characters, to tell keys apart in listings without showing them */
  key_hint: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuthConfigsTable {
  id: string;
  toolkit_slug: string;
  name: string;
  type: 'default' | 'custom';
  auth_scheme: string;
  is_composio_managed: number;
  status: 'ENABLED' | 'DISABLED';
  /** non-secret settings: client_id, scopes, redirect URI override, tool access config (JSON) */
  settings: string;
  /** secret settings (client_secret and friends), sealed with AAD `auth_configs.credentials_sealed:<id>` */
  credentials_sealed: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConnectedAccountsTable {
  id: string;
  user_id: string;
  toolkit_slug: string;
  auth_config_id: string;
  auth_scheme: string;
  status: string;
  status_reason: string | null;
  alias: string | null;
  is_disabled: number;
  /** non-secret connection fields (subdomain, instance_url, identity...) as JSON */
  connection_data: string;
  /** tokens and keys, sealed with AAD `connected_accounts.credentials_sealed:<id>` */
  credentials_sealed: string | null;
  /** when the access token expires (null: unknown or never) */
  expires_at: number | null;
  created_at: number;
  updated_at: number;
  /** consecutive failed refreshes, since when, and when the next try is allowed (cooldown) */
  refresh_failures: number;
  refresh_failing_since: number | null;
  next_refresh_at: number | null;
  last_refreshed_at: number | null;
}

export interface RefreshLeasesTable {
  account_id: string;
  holder: string;
  expires_at: number;
}

export interface ConnectLinksTable {
  id: string;
  token_hash: string;
  /** the link token itself, so the API can show the link again while the account is INITIATED */
  token_sealed: string;
  connected_account_id: string;
  user_id: string;
  auth_config_id: string;
  callback_url: string | null;
  /** OAuth state and PKCE verifier, sealed; state is also looked up by hash */
  state_hash: string | null;
  flow_sealed: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  config: string;
  config_version: number;
  mcp_token_hash: string;
  mcp_token_sealed: string;
  created_at: number;
  updated_at: number;
}

export interface McpClientsTable {
  id: string;
  session_id: string;
  url_elicitation: number;
  client_name: string | null;
  created_at: number;
}

export interface ApprovalsTable {
  id: string;
  session_id: string;
  /** the approval page's token, by hash */
  token_hash: string;
  /** the same token, sealed with AAD `approvals.token_sealed:<id>`: a pending approval shows the same page again */
  token_sealed: string;
  toolkit_slug: string;
  tool_slug: string;
  account_id: string | null;
  /** what call this approves: a hash of the tool, its arguments and the account */
  call_hash: string;
  /** the call's arguments (shown on the approval page), sealed with AAD `approvals.arguments_sealed:<id>` */
  arguments_sealed: string;
  /** 'call': this one call; 'session': this tool and account for the rest of the session */
  scope: 'call' | 'session';
  status: 'PENDING' | 'APPROVED' | 'REFUSED';
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  used_at: number | null;
}

export interface VerificationsTable {
  id: string;
  /** what waits for the app's verifier: 'connection' (a connected account's new credentials) or 'mcp_authorization' (an MCP client's authorization request); 'mcp_authorization_return' waits for the consent page's browser once the app named the right user */
  kind: 'connection' | 'mcp_authorization' | 'mcp_authorization_return';
  /** the row that waits: a connected account id for 'connection', the hash of the authorization request id for the MCP kinds */
  subject_id: string;
  /** the user the app must name in complete_auth */
  user_id: string;
  /** the single-use reference sent to the verifier as `session_uri`, by hash */
  ref_hash: string;
  /** what completing needs (a connection's exchanged credentials), sealed with AAD `verifications.payload_sealed:<id>` */
  payload_sealed: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A signed-in operator console browser (src/console/). */
export interface ConsoleSessionsTable {
  /** sha256 of the cookie's random id */
  id_hash: string;
  api_key_id: string;
  created_at: number;
  /** idle expiry counts from here */
  last_seen_at: number;
}

/** Composio's MCP server configs (services/mcp-servers.ts). */
export interface McpServersTable {
  id: string;
  name: string;
  /** JSON array of tool slugs; empty: every tool of the server's toolkits */
  allowed_tools: string;
  /** 1: Connect Links in chat (Composio's managed_auth_via_composio) */
  managed_auth: number;
  created_at: number;
  updated_at: number;
}

export interface McpServerToolkitsTable {
  server_id: string;
  toolkit: string;
  /** the auth config its users connect through (null: the toolkit's default) */
  auth_config_id: string | null;
  /** the order the toolkits were given in */
  position: number;
}

/** A user's instance of an MCP server: the session its generated URL opens. */
export interface McpServerInstancesTable {
  session_id: string;
  server_id: string;
  user_id: string;
  created_at: number;
  updated_at: number;
}

export interface RequestStateUsesTable {
  state_id: string;
  expires_at: number;
}

/** A client registered by RFC 7591 dynamic registration (Client ID Metadata Document clients are fetched, not stored). */
export interface OAuthClientsTable {
  id: string;
  /** SHA-256 of the client secret, when one was issued */
  secret_hash: string | null;
  /** the registered metadata (redirect_uris, client_name, token_endpoint_auth_method, ...) as JSON */
  metadata: string;
  created_at: number;
  /** when a person first authorized this client (null: never; such clients are dropped after a day) */
  first_granted_at: number | null;
}

/** An authorization request waiting for the person on the consent page; looked up by the hash of its id. */
export interface OAuthRequestsTable {
  id_hash: string;
  client_id: string;
  session_id: string;
  redirect_uri: string;
  code_challenge: string;
  state: string | null;
  scope: string | null;
  resource: string;
  created_at: number;
  expires_at: number;
}

/** One client's access to one session's MCP endpoint (its resource); deleting it ends every token under it. */
export interface OAuthGrantsTable {
  id: string;
  session_id: string;
  client_id: string;
  resource: string;
  scope: string | null;
  created_at: number;
}

/** Authorization codes, access and refresh tokens, by SHA-256. */
export interface OAuthTokensTable {
  token_hash: string;
  grant_id: string;
  kind: 'code' | 'access' | 'refresh';
  /** codes only: what the token request must repeat and prove (RFC 6749 §4.1.3, RFC 7636 §4.6) */
  redirect_uri: string | null;
  code_challenge: string | null;
  created_at: number;
  expires_at: number;
  /** a code exchanged or a refresh token rotated: presenting it again is reuse */
  used_at: number | null;
}

export interface WebhookSubscriptionsTable {
  id: string;
  webhook_url: string;
  /** the signing secret, sealed with AAD `webhook_subscriptions.secret_sealed:<id>` */
  secret_sealed: string;
  enabled_events: string;
  version: string;
  created_at: number;
  updated_at: number;
}

export interface WebhookOutboxTable {
  seq: Generated<number>;
  event_id: string;
  subscription_id: string;
  event_type: string;
  account_id: string;
  payload: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  delivered_at: number | null;
  last_status: number | null;
  created_at: number;
}

export interface ToolExecutionsTable {
  id: string;
  created_at: number;
  session_id: string | null;
  user_id: string | null;
  toolkit_slug: string;
  tool_slug: string;
  connected_account_id: string | null;
  auth_config_id: string | null;
  /** success, error, blocked, refused, approval_required, not_connected, choose_account */
  outcome: string;
  upstream_status: number | null;
  duration_ms: number;
  error_message: string | null;
  request_id: string | null;
  /** arguments (and the result) as LATCHKEY_LOG_PAYLOADS chooses, masked, sealed with AAD `tool_executions.payload_sealed:<id>` */
  payload_sealed: string | null;
}

export interface AuditEventsTable {
  id: string;
  created_at: number;
  /** 'connection' (a connected account's life) or 'admin' (an operator's change) */
  kind: string;
  /** what happened: `connected_account.active`, `auth_config.created`, … */
  action: string;
  subject_type: string;
  subject_id: string;
  user_id: string | null;
  toolkit_slug: string | null;
  /** who did it: 'api_key', 'console_user', 'cli', 'system' (the process itself: a refresh, an expiry) */
  actor_type: string;
  actor_id: string | null;
  /** JSON: a reason, the fields changed; never a secret */
  detail: string | null;
}

export interface Database {
  installation: InstallationTable;
  api_keys: ApiKeysTable;
  auth_configs: AuthConfigsTable;
  connected_accounts: ConnectedAccountsTable;
  connect_links: ConnectLinksTable;
  sessions: SessionsTable;
  mcp_clients: McpClientsTable;
  approvals: ApprovalsTable;
  request_state_uses: RequestStateUsesTable;
  verifications: VerificationsTable;
  console_sessions: ConsoleSessionsTable;
  mcp_servers: McpServersTable;
  mcp_server_toolkits: McpServerToolkitsTable;
  mcp_server_instances: McpServerInstancesTable;
  oauth_clients: OAuthClientsTable;
  oauth_requests: OAuthRequestsTable;
  oauth_grants: OAuthGrantsTable;
  oauth_tokens: OAuthTokensTable;
  refresh_leases: RefreshLeasesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_outbox: WebhookOutboxTable;
  tool_executions: ToolExecutionsTable;
  audit_events: AuditEventsTable;
  kysely_migration: { name: string; timestamp: string };
}

/**
 * Every column that holds vault ciphertext, by table. Key rotation and the start-up ring check walk
 * exactly these (`sealedColumns()`); a new sealed column is declared here (a test compares this with the
 * migrated schema). Code names the column it seals (`sealed('connected_accounts', 'credentials_sealed')`),
 * never its place in a list, and the associated data is built from those names, so neither the order of
 * this declaration nor an addition to it can bind a ciphertext to another column.
 */
export const SEALED = {
  auth_configs: ['credentials_sealed'],
  connected_accounts: ['credentials_sealed'],
  connect_links: ['token_sealed', 'flow_sealed'],
  sessions: ['mcp_token_sealed'],
  approvals: ['token_sealed', 'arguments_sealed'],
  verifications: ['payload_sealed'],
  webhook_subscriptions: ['secret_sealed'],
  tool_executions: ['payload_sealed'],
} as const satisfies { [T in keyof Database]?: ReadonlyArray<keyof Database[T] & `${string}_sealed`> };

type SealedTable = keyof typeof SEALED;

export type SealedColumn = { [T in SealedTable]: { readonly table: T; readonly column: (typeof SEALED)[T][number] } }[SealedTable];

/** One declared sealed column, by name; anything not declared in SEALED does not compile. */
export function sealed<T extends SealedTable>(table: T, column: (typeof SEALED)[T][number]): SealedColumn {
  return { table, column } as SealedColumn;
}

/** Every declared sealed column (for rotation and the start-up check). */
export function sealedColumns(): SealedColumn[] {
  return (Object.keys(SEALED) as SealedTable[]).flatMap((table) => SEALED[table].map((column) => sealed(table, column)));
}

/** The associated data a sealed value is bound to: its table, column and row id. */
export function sealedAad(column: SealedColumn, rowId: string): string {
  return `${column.table}.${column.column}:${rowId}`;
}
