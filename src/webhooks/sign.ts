import { createHmac } from 'node:crypto';

/**
 * Composio's signature (Standard-Webhooks shaped): base64 HMAC-SHA256 keyed with the UTF-8 bytes of the
 * secret as given, over `${webhook-id}.${webhook-timestamp}.${body}`, sent as `v1,<signature>`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}
