import { isLegacyRequest, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether a POST whose body was parsed goes to the 2025 era (legacy.ts) rather than 2026-07-28
 * (modern.ts). The SDK's `isLegacyRequest` decides, as `createMcpHandler` would route it, so the two
 * never disagree, with one case answered first: a single request or notification, not `initialize`,
 * whose `params._meta` carries the protocol-version key (the per-request envelope claim of spec
 * 2026-07-28 basic/lifecycle) is never legacy. The SDK classifies such a body as modern, or as a
 * modern-path rejection (a bad envelope, headers that disagree with it), which the modern handler
 * answers after classifying it again; only an `initialize` with a claim, a batch or a posted
 * response can go the other way, and they are left to the SDK. That is every 2026-07-28 call, which
 * then skips one of the SDK's two zod classifications (about 10 µs each, on the path of every call).
 * test/unit/mcp-era.test.ts holds the two to the same answers.
 */
export async function isLegacyEra(request: Request, body: unknown): Promise<boolean> {
  if (claimsEnvelope(body)) return false;
  return isLegacyRequest(request, body);
}

function claimsEnvelope(body: unknown): boolean {
  if (!isPlainObject(body) || typeof body.method !== 'string' || body.method === 'initialize') return false;
  // a body with `result` or `error` may classify as a posted response, which is legacy
  if ('result' in body || 'error' in body) return false;
  const meta = isPlainObject(body.params) ? body.params._meta : undefined;
  return isPlainObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}
