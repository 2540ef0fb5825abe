import { randomBytes } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { addressPolicy, urlRefusal } from '../execution/address-policy.ts';
import { maskSecret, newId } from '../ids.ts';
import { webhookSubscriptionsRepo, type WebhookSubscriptionRow } from '../../storage/repos/webhooks.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';

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
export function subscriptionSecret(deps: Deps, row: WebhookSubscriptionRow): string {
  return deps.vault.open(row.secret_sealed, sealedAad(SECRET_COLUMN, row.id));
}

function viewOf(deps: Deps, row: WebhookSubscriptionRow, showSecret: boolean): SubscriptionView {
  const secret = subscriptionSecret(deps, row);
  return {
    id: row.id,
    webhookUrl: row.webhook_url,
    version: row.version,
    enabledEvents: JSON.parse(row.enabled_events) as string[],
    secret: showSecret ? secret : maskSecret(secret),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
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

export async function findSubscription(deps: Deps, id: string): Promise<WebhookSubscriptionRow> {
  const row = await webhookSubscriptionsRepo(deps.db).findById(id);
  if (!row) throw new AppError('NOT_FOUND', { message: `Webhook subscription ${id} was not found.` });
  return row;
}

export async function createSubscription(
  deps: Deps,
  input: { webhookUrl: string; enabledEvents: string[]; version?: string },
): Promise<SubscriptionView> {
  checkAddress(deps, input.webhookUrl);
  const now = deps.clock.now();
  const id = newId('ws');
  const row: WebhookSubscriptionRow = {
    id,
    webhook_url: input.webhookUrl,
    secret_sealed: newSecretFor(deps, id),
    enabled_events: JSON.stringify(input.enabledEvents),
    version: input.version ?? 'V3',
    created_at: now,
    updated_at: now,
  };
  await webhookSubscriptionsRepo(deps.db).insert(row);
  return viewOf(deps, row, true);
}

export async function listSubscriptions(deps: Deps): Promise<SubscriptionView[]> {
  return (await webhookSubscriptionsRepo(deps.db).list()).map((row) => viewOf(deps, row, false));
}

export async function getSubscription(deps: Deps, id: string): Promise<SubscriptionView> {
  return viewOf(deps, await findSubscription(deps, id), false);
}

/** `row` comes from findSubscription, so a missing subscription answers 404 before its body is read. */
export async function updateSubscription(
  deps: Deps,
  row: WebhookSubscriptionRow,
  patch: { webhookUrl?: string; enabledEvents?: string[] },
): Promise<SubscriptionView> {
  checkAddress(deps, patch.webhookUrl);
  const changes = {
    webhook_url: patch.webhookUrl ?? row.webhook_url,
    enabled_events: patch.enabledEvents ? JSON.stringify(patch.enabledEvents) : row.enabled_events,
    updated_at: deps.clock.now(),
  };
  await webhookSubscriptionsRepo(deps.db).update(row.id, changes);
  return viewOf(deps, { ...row, ...changes }, false);
}

export async function rotateSubscriptionSecret(deps: Deps, id: string): Promise<SubscriptionView> {
  const row = await findSubscription(deps, id);
  const changes = { secret_sealed: newSecretFor(deps, row.id), updated_at: deps.clock.now() };
  await webhookSubscriptionsRepo(deps.db).update(row.id, changes);
  return viewOf(deps, { ...row, ...changes }, true);
}

export async function deleteSubscription(deps: Deps, id: string): Promise<void> {
  const row = await findSubscription(deps, id);
  await webhookSubscriptionsRepo(deps.db).delete(row.id);
}
