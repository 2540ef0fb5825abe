import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Catalogue } from './catalogue/catalogue.ts';
import type { Config } from './config.ts';
import type { Exchange } from './execution/exchange.ts';
import type { Logger } from './log.ts';
import type { Vault } from './vault/vault.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Everything a request handler or background job may use; built once, in `main.ts` (or a test). */
export interface Deps {
  config: Config;
  db: Kysely<Database>;
  vault: Vault;
  clock: Clock;
  /** OAuth endpoints, webhooks */
  fetch: typeof fetch;
  /** third-party API calls: tools, proxy, identity */
  exchange: Exchange;
  catalogue: Catalogue;
  log: Logger;
  installationId: string;
  /** flips to draining on shutdown: /health answers 503 so load balancers stop sending traffic */
  lifecycle: { draining: boolean };
}
