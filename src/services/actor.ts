import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from '../../storage/domain.ts';

export type { Actor };

const current = new AsyncLocalStorage<Actor>();

/** latchkey itself: the background refresher, an expiry, a provider's callback. */
export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

/**
 * Runs `work` on behalf of `actor`: the edge that authenticated a caller (an API key, later a console
 * user's sign-in) says so once, and every change the services make underneath is recorded with it,
 * without each service taking the caller as a parameter.
 */
export function runAs<T>(actor: Actor, work: () => T): T {
  return current.run(actor, work);
}

/** Who the work in progress runs for; latchkey itself when no caller was named. */
export function currentActor(): Actor {
  return current.getStore() ?? SYSTEM_ACTOR;
}
