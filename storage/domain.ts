/**
 * What the repos return and take back: camelCase fields, booleans, JSON already parsed, times as epoch
 * milliseconds (numbers, UTC). Nothing above `storage/` sees a row; each repo maps its rows in one
 * declaration (`mapping.ts`). `*Sealed` fields hold vault ciphertext, opened by the feature that owns it
 * under the AAD of the column it names (`sealed(...)` in schema.ts).
 */

export interface ApiKey {
  id: string;
  name: string;
  keyHash: string;
  /** the last 4 characters, to tell keys apart in listings without showing them */
  keyHint: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Non-secret settings of an auth config, kept as JSON beside the sealed secrets. */
export interface AuthConfigSettings {
  client_id?: string;
  scopes?: string[];
  oauth_redirect_uri?: string;
  tool_access_config?: { tools_for_connected_account_creation?: string[]; tools_available_for_execution?: string[] };
  is_enabled_for_tool_router?: boolean;
}

export interface AuthConfig {
  id: string;
  toolkitSlug: string;
  name: string;
  type: 'default' | 'custom';
  authScheme: string;
  isComposioManaged: boolean;
  status: 'ENABLED' | 'DISABLED';
  settings: AuthConfigSettings;
  /** secret settings (client_secret and friends) */
  credentialsSealed: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface ConnectedAccount {
  id: string;
  userId: string;
  toolkitSlug: string;
  authConfigId: string;
  authScheme: string;
  status: string;
  statusReason: string | null;
  alias: string | null;
  isDisabled: boolean;
  /** non-secret connection fields (subdomain, instance_url, identity...) */
  connectionData: Record<string, string>;
  /** tokens and keys */
  credentialsSealed: string | null;
  /** when the access token expires (null: unknown or never) */
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** consecutive failed refreshes, since when, and when the next try is allowed (cooldown) */
  refreshFailures: number;
  refreshFailingSince: number | null;
  nextRefreshAt: number | null;
  lastRefreshedAt: number | null;
}

export interface ConnectLink {
  id: string;
  tokenHash: string;
  /** the link token itself, so the API can show the link again while the account is INITIATED */
  tokenSealed: string;
  connectedAccountId: string;
  userId: string;
  authConfigId: string;
  callbackUrl: string | null;
  /** OAuth state (looked up by hash) and PKCE verifier, sealed */
  stateHash: string | null;
  flowSealed: string | null;
  expiresAt: number;
  usedAt: number | null;
  createdAt: number;
}

/**
 * A tool-router session. The config is parsed by the repo (the sessions feature owns its type); a repo
 * given a `ParsedJsonCache` shares one frozen object per stored text, so the per-request read parses
 * nothing while the config is unchanged.
 */
export interface StoredSession<C = unknown> {
  id: string;
  userId: string;
  config: C;
  configVersion: number;
  mcpTokenHash: string;
  mcpTokenSealed: string;
  createdAt: number;
  updatedAt: number;
}

export interface McpClient {
  id: string;
  sessionId: string;
  urlElicitation: boolean;
  clientName: string | null;
  createdAt: number;
}

/**
 * What a verification finishes when the app's verifier confirms the user: a connection, or an MCP
 * client's authorization; 'mcp_authorization_return' is the second step of the latter (the app named
 * the right user, and the browser that saw the consent page must come back to fetch the code).
 */
export type VerificationKind = 'connection' | 'mcp_authorization' | 'mcp_authorization_return';

/** A flow paused until the app names, through complete_auth, the user who finished it. */
export interface Verification {
  id: string;
  kind: VerificationKind;
  subjectId: string;
  userId: string;
  refHash: string;
  payloadSealed: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REFUSED';

/** A person's yes or no to one tool call of a session (or, scope 'session', to a tool for the session). */
export interface Approval {
  id: string;
  sessionId: string;
  tokenHash: string;
  tokenSealed: string;
  toolkitSlug: string;
  toolSlug: string;
  accountId: string | null;
  callHash: string;
  argumentsSealed: string;
  scope: 'call' | 'session';
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  usedAt: number | null;
}

export interface WebhookSubscription {
  id: string;
  webhookUrl: string;
  /** the signing secret */
  secretSealed: string;
  enabledEvents: string[];
  version: string;
  createdAt: number;
  updatedAt: number;
}

export interface OutboxEvent {
  seq: number;
  eventId: string;
  subscriptionId: string;
  eventType: string;
  accountId: string;
  /** the event document as delivery reads it and, for rows older than the account view, sends it: kept as stored */
  payload: string;
  attempts: number;
  nextAttemptAt: number;
  claimedUntil: number | null;
  deliveredAt: number | null;
  lastStatus: number | null;
  createdAt: number;
}

/** What a registered OAuth client declared (RFC 7591 §2), as registered: wire names, checked at registration. */
export interface OAuthClientMetadata {
  redirect_uris: string[];
  token_endpoint_auth_method: 'none' | 'client_secret_post' | 'client_secret_basic';
  grant_types: Array<'authorization_code' | 'refresh_token'>;
  response_types: Array<'code'>;
  client_name?: string;
  client_uri?: string;
  logo_uri?: string;
  scope?: string;
  contacts?: string[];
  tos_uri?: string;
  policy_uri?: string;
  software_id?: string;
  software_version?: string;
}

export interface OAuthClient {
  id: string;
  /** SHA-256 of the client secret, when one was issued */
  secretHash: string | null;
  metadata: OAuthClientMetadata;
  createdAt: number;
  firstGrantedAt: number | null;
}

/** An authorization request waiting for its consent page's answer. */
export interface OAuthRequest {
  idHash: string;
  clientId: string;
  sessionId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | null;
  scope: string | null;
  resource: string;
  createdAt: number;
  expiresAt: number;
}

/** One client's access to one session's MCP endpoint. */
export interface OAuthGrant {
  id: string;
  sessionId: string;
  clientId: string;
  resource: string;
  scope: string | null;
  createdAt: number;
}

export type OAuthTokenKind = 'code' | 'access' | 'refresh';

/** A code or token, by hash; codes also carry what the token request must repeat. */
export interface OAuthToken {
  tokenHash: string;
  grantId: string;
  kind: OAuthTokenKind;
  redirectUri: string | null;
  codeChallenge: string | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** One tool call as the execution log keeps it. */
export interface ToolExecution {
  id: string;
  createdAt: number;
  sessionId: string | null;
  userId: string | null;
  toolkitSlug: string;
  toolSlug: string;
  connectedAccountId: string | null;
  authConfigId: string | null;
  outcome: string;
  upstreamStatus: number | null;
  durationMs: number;
  errorMessage: string | null;
  requestId: string | null;
  payloadSealed: string | null;
}

/** Who made a change: an API key, a console user, the CLI, or latchkey itself ('system'). */
export interface Actor {
  type: 'api_key' | 'console_user' | 'cli' | 'system';
  id: string | null;
}

/** A connection or administrative event of the audit log. */
export interface AuditEvent {
  id: string;
  createdAt: number;
  kind: 'connection' | 'admin';
  action: string;
  subjectType: string;
  subjectId: string;
  userId: string | null;
  toolkitSlug: string | null;
  actorType: Actor['type'];
  actorId: string | null;
  detail: Record<string, unknown> | null;
}

/** One toolkit of an MCP server, and the auth config its users connect through (null: the toolkit's default). */
export interface McpServerToolkit {
  toolkit: string;
  authConfigId: string | null;
}

/** Composio's MCP server config: a named set of toolkits, allowed tools and how connections are made. */
export interface McpServer {
  id: string;
  name: string;
  toolkits: McpServerToolkit[];
  /** empty: every tool of its toolkits */
  allowedTools: string[];
  /** Connect Links in chat (managed_auth_via_composio) */
  managedAuth: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A user's instance of an MCP server: the session its generated URL opens. */
export interface McpServerInstance {
  sessionId: string;
  serverId: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
}
