import { hash } from 'node:crypto';
import type { Deps } from '../deps.ts';

/**
 * The `requestState` of a 2026-07-28 input-required answer (spec basic/patterns/mrtr: the client
 * echoes it byte for byte on the retry, so it comes back as attacker-controlled input, and a server
 * whose state steers what it does MUST protect its integrity). It is sealed with the vault
 * (AES-256-GCM under the current key; any key of the ring opens it), and the associated data binds
 * it to the MCP session, the tool and a hash of the call's arguments: a state edited, carried to
 * another session, or echoed on another call fails to open. It expires after ten minutes, as a
 * Connect Link does.
 *
 * Re-use within those ten minutes on the same call is accepted, on purpose: the server keeps no
 * state between requests, and the state grants nothing a fresh call would not get (every round
 * runs the tool as the session's user only if the account is ACTIVE by then, and asks again
 * otherwise); it only names the pending connection the client was sent to.
 */

export const REQUEST_STATE_TTL_MS = 10 * 60_000;

export interface ConnectState {
  /** the toolkit the client was asked to connect */
  toolkit: string;
  /** the pending connected account its Connect Link completes */
  account: string | null;
  /** expiry, epoch ms */
  exp: number;
}

export class RequestStateError extends Error {
  override name = 'RequestStateError';
}

/** JSON with object keys sorted, so the same arguments hash the same however the client ordered them. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function bindingOf(sessionId: string, tool: string, args: unknown): string {
  return `mcp.request_state:${sessionId}:${tool}:${hash('sha256', canonical(args), 'base64url')}`;
}

export function sealRequestState(deps: Deps, sessionId: string, tool: string, args: unknown, state: Omit<ConnectState, 'exp'>): string {
  const sealed: ConnectState = { ...state, exp: deps.clock.now() + REQUEST_STATE_TTL_MS };
  return deps.vault.sealJson(sealed, bindingOf(sessionId, tool, args));
}

/** Opens an echoed state; throws RequestStateError with words for the client when it is not one this call may use. */
export function openRequestState(deps: Deps, sessionId: string, tool: string, args: unknown, echoed: unknown): ConnectState {
  if (typeof echoed !== 'string') throw new RequestStateError('requestState must be the string this server returned');
  let state: ConnectState;
  try {
    state = deps.vault.openJson<ConnectState>(echoed, bindingOf(sessionId, tool, args));
  } catch {
    throw new RequestStateError(
      'requestState was not issued by this server for this session and this tool call (edited, or sent with another session, tool or arguments)',
    );
  }
  if (!(typeof state.exp === 'number' && state.exp > deps.clock.now())) {
    throw new RequestStateError('requestState has expired (after 10 minutes): call the tool again without it');
  }
  return state;
}
