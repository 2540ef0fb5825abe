import type { Actor } from '../../storage/domain.ts';

export type { Actor };

/**
 * Who made a change, as the audit log records it. The edge that authenticated the caller names it
 * (an API key's id; later a console user) and hands it to the service that makes the change. Passed
 * explicitly rather than through AsyncLocalStorage: on Node 20 a store, once used, turns on a
 * promise hook for every promise of the process, a cost the tool-call path must not pay.
 */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

export const apiKeyActor = (id: string): Actor => ({ type: 'api_key', id });

/** An operator signed in to the console, named by the API key they signed in with. */
export const consoleActor = (apiKeyId: string): Actor => ({ type: 'console_user', id: apiKeyId });

/** `npm run api-keys` and other operator commands. */
export const CLI_ACTOR: Actor = { type: 'cli', id: null };
