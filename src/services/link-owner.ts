import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';

/**
 * With a verifier set (LATCHKEY_USER_VERIFIER_URL), a connection is finished only when the app names
 * its owner through complete_auth, so the owner must be one of the app's users: not empty and not the
 * catch-all `default` user (Composio: "with verification on, every connection needs a real user_id").
 * Without a verifier nothing is refused.
 */
export function checkConnectionOwner(deps: Deps, userId: string): void {
  if (deps.config.userVerifierUrl === null) return;
  if (userId.trim() !== '' && userId !== 'default') return;
  throw new AppError('VERIFICATION_NEEDS_USER', {
    errors: [{ field: 'user_id', message: 'must be a user of your app while LATCHKEY_USER_VERIFIER_URL is set' }],
  });
}
