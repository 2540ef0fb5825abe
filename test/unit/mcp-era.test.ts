import { isLegacyRequest } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { isLegacyEra } from '../../src/mcp/era.ts';

// The route sends a POST to the 2025 era or to 2026-07-28 by isLegacyEra, which answers a body
// carrying the envelope claim itself and asks the SDK otherwise. Whatever the body and headers, it
// must answer what the SDK's own classifier answers, or a client would be served by the wrong era.
const VERSION = 'io.modelcontextprotocol/protocolVersion';
const CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
const envelope = (version: unknown = '2026-07-28') => ({ [VERSION]: version, [CAPABILITIES]: {} });

const bodies: Record<string, unknown> = {
  'modern tools/call': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'X', arguments: {}, _meta: envelope() } },
  'modern tools/list': { jsonrpc: '2.0', id: 'a', method: 'tools/list', params: { _meta: envelope() } },
  'server/discover': { jsonrpc: '2.0', id: 2, method: 'server/discover', params: { _meta: envelope() } },
  'claim of a 2025 version': { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: envelope('2025-11-25') } },
  'claim of an unknown version': { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: envelope('2099-01-01') } },
  'claim that is not a string': { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: envelope(20260728) } },
  'claim without capabilities': { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { [VERSION]: '2026-07-28' } } },
  'modern notification': { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1, _meta: envelope() } },
  'initialize with a modern claim': {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' }, _meta: envelope() },
  },
  'initialize with a 2025 claim': {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' }, _meta: envelope('2025-06-18') },
  },
  'initialize without a claim': {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
  },
  'legacy tools/call': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'X', arguments: {} } },
  'legacy tools/list, string id, no params': { jsonrpc: '2.0', id: 'x', method: 'tools/list' },
  'legacy request with _meta': { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'X', _meta: { progressToken: 1 } } },
  'legacy request with an extra member': { jsonrpc: '2.0', id: 1, method: 'tools/list', extra: true },
  'id that is a fraction': { jsonrpc: '2.0', id: 1.5, method: 'tools/list' },
  'id past 2^53': { jsonrpc: '2.0', id: 2 ** 60, method: 'tools/list' },
  'id that is negative zero': { jsonrpc: '2.0', id: -0, method: 'tools/list' },
  'id that is null': { jsonrpc: '2.0', id: null, method: 'tools/list' },
  'id that is a boolean': { jsonrpc: '2.0', id: true, method: 'tools/list' },
  'jsonrpc 1.0': { jsonrpc: '1.0', id: 1, method: 'tools/list' },
  'params that is null': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: null },
  'params that is a string': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: 'x' },
  'legacy notification': { jsonrpc: '2.0', method: 'notifications/initialized' },
  'response carrying a claim': { jsonrpc: '2.0', id: 1, result: {}, method: 'tools/list', params: { _meta: envelope() } },
  'error carrying a claim': {
    jsonrpc: '2.0',
    id: 1,
    error: { code: 1, message: 'x' },
    method: 'tools/list',
    params: { _meta: envelope() },
  },
  'posted response': { jsonrpc: '2.0', id: 1, result: {} },
  'batch with a modern element': [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope() } }],
  'legacy batch': [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }],
  'empty batch': [],
  'method that is not a string': { jsonrpc: '2.0', id: 1, method: 7, params: { _meta: envelope() } },
  'id that is an object': { jsonrpc: '2.0', id: {}, method: 'tools/list', params: { _meta: envelope() } },
  'no jsonrpc member': { id: 1, method: 'tools/list', params: { _meta: envelope() } },
  '_meta that is an array': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: [VERSION] } },
  'params that is an array': { jsonrpc: '2.0', id: 1, method: 'tools/list', params: [{ _meta: envelope() }] },
  'claim inherited, not own': {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/list',
    params: { _meta: Object.create({ [VERSION]: '2026-07-28' }) },
  },
  null: null,
  'a number': 42,
  'a string': 'tools/list',
};

const headerSets: Record<string, Record<string, string>> = {
  none: {},
  modern: { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
  'modern, other method': { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'Y' },
  '2025 version': { 'mcp-protocol-version': '2025-11-25' },
  '2024 version': { 'mcp-protocol-version': '2024-11-05' },
  'unknown old version': { 'mcp-protocol-version': '2023-01-01' },
  'a version that is not a date': { 'mcp-protocol-version': 'banana' },
  'a later version': { 'mcp-protocol-version': '2027-01-01' },
};

const post = (headers: Record<string, string>, body: unknown) =>
  new Request('http://127.0.0.1/tool_router/trs_x/mcp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });

describe('the era a POST is served in', () => {
  for (const [bodyName, body] of Object.entries(bodies)) {
    for (const [headersName, headers] of Object.entries(headerSets)) {
      it(`${bodyName}, ${headersName} headers: as the SDK classifies it`, async () => {
        expect(await isLegacyEra(post(headers, body), body)).toBe(await isLegacyRequest(post(headers, body), body));
      });
    }
  }

  it('sends a 2026-07-28 call to the modern era and a 2025 one to the legacy era', async () => {
    const modern = bodies['modern tools/call'];
    const legacy = bodies['legacy tools/call'];
    expect(await isLegacyEra(post(headerSets.modern!, modern), modern)).toBe(false);
    expect(await isLegacyEra(post({}, legacy), legacy)).toBe(true);
    expect(await isLegacyEra(post({}, bodies['initialize with a 2025 claim']), bodies['initialize with a 2025 claim'])).toBe(true);
  });
});
