import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { AppEnv } from '../http/env.ts';
import { readJson } from '../http/read-json.ts';
import { maskSecret, newId } from '../ids.ts';
import { addressPolicy, urlRefusal } from '../execution/address-policy.ts';
import { EVENT_TYPES } from '../webhooks/events.ts';
import { webhookSubscriptionsRepo, type WebhookSubscriptionRow } from '../../storage/repos/webhooks.ts';
import { SEALED_COLUMNS, sealedAad } from '../../storage/schema.ts';

const SECRET_COLUMN = SEALED_COLUMNS[5];
const eventList = z.array(z.enum(Object.keys(EVENT_TYPES) as [string, ...string[]])).min(1).max(20);
const url = z.url({ protocol: /^https?$/ }).max(2048);

const createBody = z.object({ webhook_url: url, enabled_events: eventList, version: z.enum(['V1', 'V2', 'V3']).optional() }).passthrough();
const updateBody = z.object({ webhook_url: url.optional(), enabled_events: eventList.optional() }).passthrough();

function wire(deps: Deps, row: WebhookSubscriptionRow, showSecret: boolean) {
  const secret = deps.vault.open(row.secret_sealed, sealedAad(SECRET_COLUMN, row.id));
  return {
    id: row.id,
    webhook_url: row.webhook_url,
    version: row.version,
    enabled_events: JSON.parse(row.enabled_events) as string[],
    // shown whole only when created or rotated, as with API keys
    secret: showSecret ? secret : maskSecret(secret),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** Deliveries go where the URL says: not to an internal address unless the operator allows it. */
function checkAddress(deps: Deps, url: string | undefined): void {
  const refused = url === undefined ? null : urlRefusal(url, addressPolicy(deps.config));
  if (refused) throw new AppError('VALIDATION_FAILED', { message: `webhook_url ${refused}.`, errors: [{ field: 'webhook_url', message: refused }] });
}

export function webhookRoutes(deps: Deps) {
  const repo = webhookSubscriptionsRepo(deps.db);
  const find = async (id: string) => {
    const row = await repo.findById(id);
    if (!row) throw new AppError('NOT_FOUND', { message: `Webhook subscription ${id} was not found.` });
    return row;
  };
  const newSecretFor = (id: string) => deps.vault.seal(`whsec_${randomBytes(24).toString('base64url')}`, sealedAad(SECRET_COLUMN, id));
  return new Hono<AppEnv>()
    .get('/webhook_subscriptions/event_types', (c) =>
      c.json({ items: Object.entries(EVENT_TYPES).map(([event_type, description]) => ({ event_type, description, supported_versions: ['V3'] })) }),
    )
    .post('/webhook_subscriptions', async (c) => {
      const body = await readJson(c, createBody);
      checkAddress(deps, body.webhook_url);
      const now = deps.clock.now();
      const id = newId('ws');
      const row: WebhookSubscriptionRow = {
        id,
        webhook_url: body.webhook_url,
        secret_sealed: newSecretFor(id),
        enabled_events: JSON.stringify(body.enabled_events),
        version: body.version ?? 'V3',
        created_at: now,
        updated_at: now,
      };
      await repo.insert(row);
      return c.json(wire(deps, row, true), 201);
    })
    .get('/webhook_subscriptions', async (c) => {
      const items = (await repo.list()).map((r) => wire(deps, r, false));
      return c.json({ items, next_cursor: null, total_pages: 1, current_page: 1, total_items: items.length });
    })
    .get('/webhook_subscriptions/:id', async (c) => c.json(wire(deps, await find(c.req.param('id')), false)))
    .patch('/webhook_subscriptions/:id', async (c) => {
      const row = await find(c.req.param('id'));
      const body = await readJson(c, updateBody);
      checkAddress(deps, body.webhook_url);
      const changes = {
        webhook_url: body.webhook_url ?? row.webhook_url,
        enabled_events: body.enabled_events ? JSON.stringify(body.enabled_events) : row.enabled_events,
        updated_at: deps.clock.now(),
      };
      await repo.update(row.id, changes);
      return c.json(wire(deps, { ...row, ...changes }, false));
    })
    .post('/webhook_subscriptions/:id/rotate_secret', async (c) => {
      const row = await find(c.req.param('id'));
      const changes = { secret_sealed: newSecretFor(row.id), updated_at: deps.clock.now() };
      await repo.update(row.id, changes);
      return c.json(wire(deps, { ...row, ...changes }, true));
    })
    .delete('/webhook_subscriptions/:id', async (c) => {
      const row = await find(c.req.param('id'));
      await repo.delete(row.id);
      return c.json({ success: true, id: row.id });
    });
}
