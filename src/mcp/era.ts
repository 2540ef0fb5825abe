import { isLegacyRequest, PROTOCOL_VERSION_META_KEY, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { isPlainObject } from '../json-object.ts';

/**
 * Whether a POST whose body was parsed goes to the 2025 era (legacy.ts) rather than 2026-07-28
 * (modern.ts). The SDK's `isLegacyRequest` decides, as `createMcpHandler` would route it, so the two
 * never disagree, with two plain shapes answered first; either way the era's own SDK path then
 * classifies or validates the body again, so each answer here saves one of the SDK's zod passes on
 * the path of every tool call (about 10 µs each on this machine kind):
 * - a single request or notification, not `initialize`, whose `params._meta` carries the
 *   protocol-version key (the per-request envelope claim of spec 2026-07-28 basic/lifecycle) is
 *   never legacy: the SDK classifies it as modern, or as a rejection the modern handler answers;
 * - a JSON-RPC request exactly as the SDK's strict request schema has it (`jsonrpc`, `id`, `method`,
 *   `params`, nothing else), without `_meta`, and without an `MCP-Protocol-Version` header other
 *   than a 2025-era version, is legacy: nothing in it claims 2026-07-28.
 * Anything else (an `initialize` with a claim, batches, responses, notifications without a claim,
 * `_meta` in a 2025 request, odd ids or headers) is left to the SDK. test/unit/mcp-era.test.ts holds
 * the two to the same answers.
 */
export async function isLegacyEra(request: Request, body: unknown): Promise<boolean> {
  if (claimsEnvelope(body)) return false;
  if (isPlainLegacyRequest(request, body)) return true;
  return isLegacyRequest(request, body);
}

const REQUEST_MEMBERS = new Set(['jsonrpc', 'id', 'method', 'params']);
// the SDK's 2025-era versions; 2026-07-28 is the first revision without `initialize` (spec basic/lifecycle)
const LEGACY_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version < '2026-07-28');

function isPlainLegacyRequest(request: Request, body: unknown): boolean {
  if (!isPlainObject(body) || body.jsonrpc !== '2.0' || typeof body.method !== 'string') return false;
  if (typeof body.id !== 'string' && !Number.isSafeInteger(body.id)) return false;
  for (const member of Object.keys(body)) if (!REQUEST_MEMBERS.has(member)) return false;
  if (body.params !== undefined && (!isPlainObject(body.params) || '_meta' in body.params)) return false;
  const version = request.headers.get('mcp-protocol-version');
  return version === null || LEGACY_VERSIONS.includes(version);
}

function claimsEnvelope(body: unknown): boolean {
  if (!isPlainObject(body) || typeof body.method !== 'string' || body.method === 'initialize') return false;
  // a body with `result` or `error` may classify as a posted response, which is legacy
  if ('result' in body || 'error' in body) return false;
  const meta = isPlainObject(body.params) ? body.params._meta : undefined;
  return isPlainObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}
