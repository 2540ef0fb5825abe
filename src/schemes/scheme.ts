import type { AuthMode, AuthScheme, FieldDefinition, ToolkitFile } from '../catalogue/schema.ts';
import type { Exchange } from '../execution/exchange.ts';
import type { Logger } from '../log.ts';
import type { ToolConnection } from '../execution/connection.ts';
import type { FormFields, PreparedRequest } from '../execution/prepared-request.ts';

/**
 * One auth mode (OAUTH2, API_KEY, …) as one module: how a user connects, what an auth config and a
 * connection need, how the credential is obtained, refreshed and put on a request. Everything outside
 * `src/schemes/` asks the registry (`registry.ts`) instead of naming a mode, so adding a mode is one
 * file, one registry entry and one branch of the toolkit schema (`catalogue/schema.ts`).
 *
 * Layering: schemes use the engine (`execution/` templates and sending, `oauth/` for every OAuth
 * exchange); the engine never imports a scheme, it receives the injection as `ToolConnection.inject`.
 */

/** How a user connects: sent to the provider and back, a form on the Connect page, or nothing to do. */
export type ConnectBy = 'redirect' | 'form' | 'none';

/** The app's client at the provider: the operator's for managed auth configs, the app's own otherwise. */
export interface AppClient {
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
}

/** What connecting (or refreshing) yields: the secrets to seal, fields the provider adds, when it expires. */
export interface Grant {
  credentials: Record<string, string>;
  /** non-secret fields from the provider's answer (`token_response_fields`), merged into the connection */
  connectionData?: Record<string, string>;
  /** epoch ms, or null when the credential does not expire (or nobody said when) */
  expiresAt: number | null;
}

/**
 * What of the app a scheme may use. `Deps` satisfies it; it is declared here, as a slice, so the
 * engine never imports the wiring above it (`deps.ts`, see scripts/check-layers.ts).
 */
export interface SchemeEnvironment {
  config: { allowInsecureLoopback: boolean; allowPrivateNetwork: boolean; toolTimeoutMs: number; refresh: { marginMs: number } };
  clock: { now(): number };
  /** OAuth endpoints */
  fetch: typeof fetch;
  /** token and login endpoints a user's own input names (a service account key's token_uri) */
  exchange: Exchange;
  log: Logger;
}

/** Everything a scheme's network steps may use, resolved for one account by the service that calls them. */
export interface SchemeContext<D extends AuthScheme = AuthScheme> {
  deps: SchemeEnvironment;
  toolkit: ToolkitFile;
  definition: D;
  /** the connected account, when there is one yet (for log lines) */
  accountId?: string;
  /** the connection's non-secret fields (a subdomain), which the toolkit's URLs may take */
  connectionData: Record<string, string>;
  /** the auth config's scopes, else the scheme's defaults */
  scopes: string[];
  /** the app's client; throws for a managed config whose toolkit has no operator app */
  client(): AppClient;
}

/** A redirect flow's start: where to send the browser, the value the provider echoes back, and what to keep sealed until then. */
export interface RedirectStart {
  url: URL;
  /** echoed by the provider on the callback (OAuth2 `state`, the OAuth 1.0a request token); held by hash */
  state: string;
  flow: Record<string, unknown>;
}

/** A refusal of the credential that retrying will not fix, shown to whoever gave it. */
export class CredentialRejected extends Error {
  override name = 'CredentialRejected';
}

export interface AuthSchemeModule<D extends AuthScheme = AuthScheme> {
  mode: D['mode'];
  connectBy: ConnectBy;
  /** an auth config holds an app client (client_id, client_secret); managed ones need the operator's */
  usesAppClient: boolean;
  /** the app client's secret signs every request (OAuth 1.0a), so the connection carries it */
  signsWithClient: boolean;
  /** fields an app gives to create an auth config (Composio's `auth_config_creation`) */
  authConfigFields(definition: D): FieldDefinition[];
  /** fields a user gives to connect (Composio's `connected_account_initiation`, beside the toolkit's connection fields) */
  connectionFields(definition: D): FieldDefinition[];
  defaultScopes(definition: D): string[];
  /** credential names the mode fills itself, which injection templates may use */
  issuedCredentials: readonly string[];
  /** credential names that are not secret (shown unmasked in `state.val`) */
  publicCredentials: readonly string[];
  /** the toolkit URLs of the definition that take placeholders, by their key */
  urls(definition: D): Array<[string, string]>;
  /** the token response fields kept as connection data */
  tokenResponseFields(definition: D): readonly string[];
  /** redirect modes: the browser's destination, as a template (for the Connect page's CSP) */
  authorizationUrl?(definition: D): string;
  begin?(context: SchemeContext<D>, redirectUri: string): Promise<RedirectStart>;
  complete?(context: SchemeContext<D>, callback: URL, state: string, flow: Record<string, unknown>): Promise<Grant>;
  /** form modes that trade what the user typed for a token (a signed assertion, a login); throws CredentialRejected */
  exchange?(context: SchemeContext<D>, given: Record<string, string>): Promise<Grant>;
  /** a fresh credential; null when nothing can renew it (no refresh token). Throws OAuthFlowError. */
  refresh?(context: SchemeContext<D>, credentials: Record<string, string>): Promise<Grant | null>;
  /** revokes at the provider; the names of the tokens revoked */
  revoke?(context: SchemeContext<D>, credentials: Record<string, string>): Promise<string[]>;
  inject(definition: D, connection: ToolConnection, request: PreparedRequest, form?: FormFields): void;
}

/** One module per mode, checked by the compiler: a mode of the toolkit schema without a module does not build. */
export type SchemeModules = { [M in AuthMode]: AuthSchemeModule<Extract<AuthScheme, { mode: M }>> };
