import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { recordAdminEvent } from '../services/audit-log.ts';
import type { Actor } from '../services/actor.ts';
import { AppError } from '../errors.ts';
import { addressPolicy, urlRefusal } from '../execution/address-policy.ts';
import { maskSecret, newId } from '../ids.ts';
import { webhookSubscriptionsRepo } from '../../storage/repos/webhooks.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import type { WebhookSubscription } from '../../storage/domain.ts';

const SECRET_COLUMN = sealed('webhook_subscriptions', 'secret_sealed');

/**
 * A webhook subscription as a front end shows it. The signing secret is whole only in the answer that
 * created or rotated it (as with API keys), masked everywhere else.
 */
export interface SubscriptionView {
  id: string;
  webhookUrl: string;
  version: string;
  enabledEvents: string[];
  secret: string;
  createdAt: number;
  updatedAt: number;
}

/** The signing secret, opened: for delivery. */
export function subscriptionSecret(deps: Deps, subscription: WebhookSubscription): string {
  return deps.vault.open(subscription.secretSealed, sealedAad(SECRET_COLUMN, subscription.id));
}

function viewOf(deps: Deps, subscription: WebhookSubscription, showSecret: boolean): SubscriptionView {
  const secret = subscriptionSecret(deps, subscription);
  return {
    id: subscription.id,
    webhookUrl: subscription.webhookUrl,
    version: subscription.version,
    enabledEvents: subscription.enabledEvents,
    secret: showSecret ? secret : maskSecret(secret),
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
}

/** Deliveries go where the URL says: not to an internal address unless the operator allows it. */
function checkAddress(deps: Deps, url: string | undefined): void {
  const refused = url === undefined ? null : urlRefusal(url, addressPolicy(deps.config));
  if (refused)
    throw new AppError('VALIDATION_FAILED', { message: `webhook_url ${refused}.`, errors: [{ field: 'webhook_url', message: refused }] });
}

const newSecretFor = (deps: Deps, id: string) =>
  deps.vault.seal(`whsec_${randomBytes(24).toString('base64url')}`, sealedAad(SECRET_COLUMN, id));

export async function findSubscription(deps: Deps, id: string): Promise<WebhookSubscription> {
  const subscription = await webhookSubscriptionsRepo(deps.db).findById(id);
  if (!subscription) throw new AppError('NOT_FOUND', { message: `Webhook subscription ${id} was not found.` });
  return subscription;
}

export async function createSubscription(
  deps: Deps,
  input: { webhookUrl: string; enabledEvents: string[]; version?: string },
  actor: Actor,
): Promise<SubscriptionView> {
  checkAddress(deps, input.webhookUrl);
  const now = deps.clock.now();
  const id = newId('ws');
  const subscription: WebhookSubscription = {
    id,
    webhookUrl: input.webhookUrl,
    secretSealed: newSecretFor(deps, id),
    enabledEvents: input.enabledEvents,
    version: input.version ?? 'V3',
    createdAt: now,
    updatedAt: now,
  };
  await webhookSubscriptionsRepo(deps.db).insert(subscription);
  await recordAdminEvent(deps, subscriptionChange('created', id, { events: input.enabledEvents }), actor);
  return viewOf(deps, subscription, true);
}

export async function listSubscriptions(deps: Deps): Promise<SubscriptionView[]> {
  return (await webhookSubscriptionsRepo(deps.db).list()).map((subscription) => viewOf(deps, subscription, false));
}

export async function getSubscription(deps: Deps, id: string): Promise<SubscriptionView> {
  return viewOf(deps, await findSubscription(deps, id), false);
}

/** `subscription` comes from findSubscription, so a missing subscription answers 404 before its body is read. */
export async function updateSubscription(
  deps: Deps,
  subscription: WebhookSubscription,
  patch: { webhookUrl?: string; enabledEvents?: string[] },
  actor: Actor,
): Promise<SubscriptionView> {
  checkAddress(deps, patch.webhookUrl);
  const changes = {
    webhookUrl: patch.webhookUrl ?? subscription.webhookUrl,
    enabledEvents: patch.enabledEvents ?? subscription.enabledEvents,
    updatedAt: deps.clock.now(),
  };
  await webhookSubscriptionsRepo(deps.db).update(subscription.id, changes);
  await recordAdminEvent(deps, subscriptionChange('updated', subscription.id, { fields: Object.keys(patch) }), actor);
  return viewOf(deps, { ...subscription, ...changes }, false);
}

export async function rotateSubscriptionSecret(deps: Deps, id: string, actor: Actor): Promise<SubscriptionView> {
  const subscription = await findSubscription(deps, id);
  const changes = { secretSealed: newSecretFor(deps, subscription.id), updatedAt: deps.clock.now() };
  await webhookSubscriptionsRepo(deps.db).update(subscription.id, changes);
  await recordAdminEvent(deps, subscriptionChange('secret_rotated', subscription.id), actor);
  return viewOf(deps, { ...subscription, ...changes }, true);
}

export async function deleteSubscription(deps: Deps, id: string, actor: Actor): Promise<void> {
  const subscription = await findSubscription(deps, id);
  await webhookSubscriptionsRepo(deps.db).delete(subscription.id);
  await recordAdminEvent(deps, subscriptionChange('deleted', subscription.id), actor);
}

const subscriptionChange = (verb: string, id: string, detail: Record<string, unknown> | null = null) => ({
  action: `webhook_subscription.${verb}`,
  subjectType: 'webhook_subscription',
  subjectId: id,
  detail,
});
