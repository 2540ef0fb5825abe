import { Hono } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { AppEnv } from '../http/env.ts';
import { requestActor } from '../http/api-key-auth.ts';
import { readJson } from '../http/read-json.ts';
import { EVENT_TYPES } from '../webhooks/events.ts';
import {
  createSubscription,
  deleteSubscription,
  findSubscription,
  getSubscription,
  listSubscriptions,
  rotateSubscriptionSecret,
  updateSubscription,
  type SubscriptionView,
} from '../webhooks/subscriptions.ts';

const eventList = z
  .array(z.enum(Object.keys(EVENT_TYPES) as [string, ...string[]]))
  .min(1)
  .max(20);
const url = z.url({ protocol: /^https?$/ }).max(2048);

const createBody = z.object({ webhook_url: url, enabled_events: eventList, version: z.enum(['V1', 'V2', 'V3']).optional() }).passthrough();
const updateBody = z.object({ webhook_url: url.optional(), enabled_events: eventList.optional() }).passthrough();

function wire(view: SubscriptionView) {
  return {
    id: view.id,
    webhook_url: view.webhookUrl,
    version: view.version,
    enabled_events: view.enabledEvents,
    secret: view.secret,
    created_at: new Date(view.createdAt).toISOString(),
    updated_at: new Date(view.updatedAt).toISOString(),
  };
}

export function webhookRoutes(deps: Deps) {
  return new Hono<AppEnv>()
    .get('/webhook_subscriptions/event_types', (c) =>
      c.json({
        items: Object.entries(EVENT_TYPES).map(([event_type, description]) => ({ event_type, description, supported_versions: ['V3'] })),
      }),
    )
    .post('/webhook_subscriptions', async (c) => {
      const body = await readJson(c, createBody);
      return c.json(
        wire(
          await createSubscription(
            deps,
            { webhookUrl: body.webhook_url, enabledEvents: body.enabled_events, version: body.version },
            requestActor(c),
          ),
        ),
        201,
      );
    })
    .get('/webhook_subscriptions', async (c) => {
      const items = (await listSubscriptions(deps)).map(wire);
      return c.json({ items, next_cursor: null, total_pages: 1, current_page: 1, total_items: items.length });
    })
    .get('/webhook_subscriptions/:id', async (c) => c.json(wire(await getSubscription(deps, c.req.param('id')))))
    .patch('/webhook_subscriptions/:id', async (c) => {
      const subscription = await findSubscription(deps, c.req.param('id'));
      const body = await readJson(c, updateBody);
      return c.json(
        wire(
          await updateSubscription(
            deps,
            subscription,
            { webhookUrl: body.webhook_url, enabledEvents: body.enabled_events },
            requestActor(c),
          ),
        ),
      );
    })
    .post('/webhook_subscriptions/:id/rotate_secret', async (c) =>
      c.json(wire(await rotateSubscriptionSecret(deps, c.req.param('id'), requestActor(c)))),
    )
    .delete('/webhook_subscriptions/:id', async (c) => {
      await deleteSubscription(deps, c.req.param('id'), requestActor(c));
      return c.json({ success: true, id: c.req.param('id') });
    });
}
