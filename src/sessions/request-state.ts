import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { Deps } from '../deps.ts';
import { newId } from '../ids.ts';
import { requestStateUsesRepo } from '../../storage/repos/approvals.ts';

/**
 * The `requestState` of an input-required answer: MCP 2026-07-28's (spec basic/patterns/mrtr) and the
 * REST `request_state` of Composio's session execute, which work alike. The client echoes it byte for
 * byte on the retry, so it comes back as attacker-controlled input, and a server whose state steers
 * what it does MUST protect its integrity. It is sealed with the vault (AES-256-GCM under the current
 * key; any key of the ring opens it), and the associated data binds it to the session, the tool and a
 * hash of the call's arguments: a state edited, carried to another session, or echoed on another call
 * fails to open. It expires after ten minutes, as a Connect Link does, and it is spent on its first
 * use (its id is recorded until it expires): an answer the user gave once cannot be replayed to run
 * the call again. Each round that asks again hands out a new state.
 */

export const REQUEST_STATE_TTL_MS = 10 * 60_000;

/** What was asked, by the key of its input request, so an answer is matched to what it answers. */
export interface InputState {
  /** spent on first use */
  id: string;
  /** expiry, epoch ms */
  exp: number;
  /** the Connect Link the client was sent to: the toolkit and its pending account */
  connect?: { toolkit: string; account: string | null };
  /** approvals asked, by input request key: the call each approves (approvals.ts `callHash`) */
  approvals?: Record<string, string>;
  /** the approvals were asked as links to the approval page (URL mode), which holds the answers */
  approvalsOnPage?: boolean;
}

/** The call a state belongs to. */
export interface StateBinding {
  sessionId: string;
  tool: string;
  args: unknown;
}

export class RequestStateError extends Error {
  override name = 'RequestStateError';
}

function associatedData({ sessionId, tool, args }: StateBinding): string {
  return `request_state:${sessionId}:${tool}:${hash('sha256', canonicalJson(args), 'base64url')}`;
}

export function sealRequestState(deps: Deps, binding: StateBinding, asked: Omit<InputState, 'id' | 'exp'>): string {
  const state: InputState = { ...asked, id: newId('rqs'), exp: deps.clock.now() + REQUEST_STATE_TTL_MS };
  return deps.vault.sealJson(state, associatedData(binding));
}

/**
 * Opens an echoed state and spends it; throws RequestStateError, with words for the client, when it
 * is not one this call may use.
 */
export async function openRequestState(deps: Deps, binding: StateBinding, echoed: unknown): Promise<InputState> {
  if (typeof echoed !== 'string') throw new RequestStateError('requestState must be the string this server returned');
  let state: InputState;
  try {
    state = deps.vault.openJson<InputState>(echoed, associatedData(binding));
  } catch {
    throw new RequestStateError(
      'requestState was not issued by this server for this session and this tool call (edited, or sent with another session, tool or arguments)',
    );
  }
  const now = deps.clock.now();
  if (!(typeof state.exp === 'number' && state.exp > now)) {
    throw new RequestStateError('requestState has expired (after 10 minutes): call the tool again without it');
  }
  if (!(await requestStateUsesRepo(deps.db).markUsed(state.id, state.exp, now))) {
    throw new RequestStateError('requestState was already used: each one answers one retry; call the tool again without it');
  }
  return state;
}
