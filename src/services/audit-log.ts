import type { Kysely } from 'kysely';
import type { Deps } from '../deps.ts';
import { newLogId } from '../ids.ts';
import { activityLogRepo } from '../../storage/repos/activity-log.ts';
import type { ConnectedAccount } from '../../storage/domain.ts';
import type { Database } from '../../storage/schema.ts';
import { type Actor, SYSTEM_ACTOR } from './actor.ts';
import { metricsOf } from './metrics.ts';

/**
 * The audit half of the log: a connected account's life (created, ACTIVE, FAILED, EXPIRED with its
 * reason, refreshed, refresh failed, revoked, deleted) and operators' changes (API keys, auth
 * configs, accounts enabled or disabled, webhook subscriptions), each with who did it. These are
 * rare and worth keeping, so each is written at once, in the transaction of the change when there
 * is one (`db`), unlike the buffered execution log. `detail` never holds a secret.
 */
export type ConnectionAction = 'created' | 'active' | 'failed' | 'expired' | 'refreshed' | 'refresh_failed' | 'revoked' | 'deleted';

export async function recordConnectionEvent(
  deps: Deps,
  account: Pick<ConnectedAccount, 'id' | 'userId' | 'toolkitSlug'>,
  action: ConnectionAction,
  detail: Record<string, unknown> | null = null,
  options: { actor?: Actor; db?: Kysely<Database> } = {},
): Promise<void> {
  const actor = options.actor ?? SYSTEM_ACTOR;
  await activityLogRepo(options.db ?? deps.db).insertEvent({
    id: newLogId(),
    createdAt: deps.clock.now(),
    kind: 'connection',
    action: `connected_account.${action}`,
    subjectType: 'connected_account',
    subjectId: account.id,
    userId: account.userId,
    toolkitSlug: account.toolkitSlug,
    actorType: actor.type,
    actorId: actor.id,
    detail,
  });
  metricsOf(deps).connectionEvents.inc({ event: action });
}

export interface AdminChange {
  /** `<subject>.<verb>`: `auth_config.created`, `api_key.revoked`, `connected_account.disabled` */
  action: string;
  subjectType: string;
  subjectId: string;
  userId?: string | null;
  toolkitSlug?: string | null;
  detail?: Record<string, unknown> | null;
}

export async function recordAdminEvent(
  deps: Pick<Deps, 'db' | 'clock'>,
  change: AdminChange,
  actor: Actor,
  db: Kysely<Database> = deps.db,
): Promise<void> {
  await activityLogRepo(db).insertEvent({
    id: newLogId(),
    createdAt: deps.clock.now(),
    kind: 'admin',
    action: change.action,
    subjectType: change.subjectType,
    subjectId: change.subjectId,
    userId: change.userId ?? null,
    toolkitSlug: change.toolkitSlug ?? null,
    actorType: actor.type,
    actorId: actor.id,
    detail: change.detail ?? null,
  });
}
