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

/** One kind of per-app memory, declared once by the module that uses it; created on first use. */
export class CacheSlot<T> {
  constructor(
    readonly name: string,
    readonly create: () => T,
  ) {}
}

/**
 * What an app keeps in memory between requests: refreshes in flight, parsed session configs, tool
 * lists derived from them. It belongs to one Deps, so two apps in one process (tests, a console beside
 * the server) never share any of it; nothing module-level holds such state.
 */
export class Caches {
  readonly #slots = new Map<CacheSlot<unknown>, unknown>();

  get<T>(slot: CacheSlot<T>): T {
    let value = this.#slots.get(slot) as T | undefined;
    if (value === undefined) this.#slots.set(slot, (value = slot.create()));
    return value;
  }
}

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
  /** fetches a stranger can cause (client metadata documents): public addresses only (`publicOnlyPolicy`) */
  publicExchange: Exchange;
  catalogue: Catalogue;
  log: Logger;
  installationId: string;
  caches: Caches;
  /** flips to draining on shutdown: /health answers 503 so load balancers stop sending traffic */
  lifecycle: { draining: boolean };
}
