import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { Deps } from '../deps.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import type { Approval } from '../../storage/domain.ts';
import { approvalsRepo } from '../../storage/repos/approvals.ts';
import { sealed, sealedAad } from '../../storage/schema.ts';
import { approvalNeed, type PolicyCall } from './approval-policy.ts';
import { getSession, type Session } from './session.ts';

/**
 * A person's yes before a call runs. The policy (approval-policy.ts) says whether a call needs one;
 * this module says whether it has one. An answer reaches latchkey one of two ways:
 * - in the retry itself: the user answered a form the client or the app showed them (MCP 2026-07-28
 *   `inputResponses`, REST `input_responses`), matched to what was asked through a sealed, single-use
 *   requestState (request-state.ts), so it approves exactly the call it was asked about;
 * - on latchkey's own approval page (`/approve/{token}`), for clients that can only open a URL (MCP
 *   URL elicitation) or be told one: the answer is stored, and the retry of the same call finds it.
 * Either way an approval is for one call (tool, arguments, account) and is spent when that call runs;
 * under `ask_once_per_session` a yes holds for that tool and account for the rest of the session. A
 * refusal, or no answer within ten minutes, never runs the call.
 */

export const APPROVAL_TTL_MS = 10 * 60_000;

const TOKEN_COLUMN = sealed('approvals', 'token_sealed');
const ARGUMENTS_COLUMN = sealed('approvals', 'arguments_sealed');

/** A call held for approval. */
export interface GovernedCall extends PolicyCall {
  toolkitName: string;
  toolName: string;
  arguments: unknown;
}

/** What the user is asked, and where they can answer if their client cannot show a form. */
export interface ApprovalAsk {
  callHash: string;
  toolkit: { slug: string; name: string };
  tool: { slug: string; name: string };
  arguments: unknown;
  /** the question, with the call's arguments, for a form */
  message: string;
  pageUrl: string;
}

export type ApprovalVerdict =
  /** `spend`, when there is one, spends the approval as the call starts; false: another request spent it first */
  { kind: 'run'; spend?: () => Promise<boolean> } | { kind: 'refused'; message: string } | { kind: 'ask'; ask: ApprovalAsk };

/** Answers given with this request, by call hash (true: approved). */
export type GivenAnswers = ReadonlyMap<string, boolean>;

export const NO_ANSWERS: GivenAnswers = new Map();

/** Which call an answer is for: the session, the tool, its arguments (key order ignored) and the account. */
export function callHash(sessionId: string, call: Pick<GovernedCall, 'tool' | 'arguments' | 'accountId'>): string {
  return hash('sha256', canonicalJson([sessionId, call.tool, call.arguments ?? {}, call.accountId]), 'base64url');
}

const MAX_SHOWN_ARGUMENTS = 1500;

function question(call: GovernedCall): string {
  const args = JSON.stringify(call.arguments ?? {}, null, 1);
  const shown = args.length > MAX_SHOWN_ARGUMENTS ? `${args.slice(0, MAX_SHOWN_ARGUMENTS)}…` : args;
  return `Allow ${call.toolName} (${call.toolkitName}) to run with these arguments?\n${shown}`;
}

const refusal = (call: GovernedCall, why: string) =>
  `${call.toolName} did not run: ${why}. Do not try to run it another way; tell the user it was not done.`;

function ask(deps: Deps, call: GovernedCall, hashOfCall: string, token: string): ApprovalVerdict {
  return {
    kind: 'ask',
    ask: {
      callHash: hashOfCall,
      toolkit: { slug: call.toolkit, name: call.toolkitName },
      tool: { slug: call.tool, name: call.toolName },
      arguments: call.arguments,
      message: question(call),
      pageUrl: `${deps.config.publicUrl}/approve/${token}`,
    },
  };
}

async function grantForSession(deps: Deps, session: Session, call: GovernedCall, hashOfCall: string): Promise<void> {
  await createApproval(deps, session, call, hashOfCall, 'session', 'APPROVED');
}

async function createApproval(
  deps: Deps,
  session: Session,
  call: GovernedCall,
  hashOfCall: string,
  scope: Approval['scope'],
  status: Approval['status'],
): Promise<string> {
  const now = deps.clock.now();
  const id = newId('apr');
  const token = newSecret('apv');
  await approvalsRepo(deps.db).insert({
    id,
    sessionId: session.id,
    tokenHash: hashSecret(token),
    tokenSealed: deps.vault.seal(token, sealedAad(TOKEN_COLUMN, id)),
    toolkitSlug: call.toolkit,
    toolSlug: call.tool,
    accountId: call.accountId,
    callHash: hashOfCall,
    argumentsSealed: deps.vault.sealJson(call.arguments ?? {}, sealedAad(ARGUMENTS_COLUMN, id)),
    scope,
    status,
    createdAt: now,
    expiresAt: now + APPROVAL_TTL_MS,
    decidedAt: status === 'PENDING' ? null : now,
    usedAt: null,
  });
  return token;
}

/**
 * Whether this call may run now: not asked for by the session's policy, approved (in this request or
 * on the page), refused, or still to ask. A yes is spent only when the call starts (`spend`), so a
 * request that ends up running nothing leaves it for the retry; a no is spent at once.
 */
export async function approvalVerdict(deps: Deps, session: Session, call: GovernedCall, given: GivenAnswers): Promise<ApprovalVerdict> {
  const need = approvalNeed(session.config, call);
  if (need === 'none') return { kind: 'run' };
  if (need === 'deny') return { kind: 'refused', message: refusal(call, 'this session does not allow it') };
  const repo = approvalsRepo(deps.db);
  if (need === 'once_per_session' && (await repo.hasSessionGrant(session.id, call.tool, call.accountId))) return { kind: 'run' };
  const hashOfCall = callHash(session.id, call);
  const answer = given.get(hashOfCall);
  if (answer === false) return { kind: 'refused', message: refusal(call, 'the user refused it') };
  if (answer === true) {
    if (need !== 'once_per_session') return { kind: 'run' };
    return { kind: 'run', spend: async () => (await grantForSession(deps, session, call, hashOfCall), true) };
  }
  const now = deps.clock.now();
  const open = await repo.openForCall(session.id, hashOfCall, now);
  for (const approval of open) {
    if (approval.status === 'PENDING') continue;
    // a yes for the session is never spent; a yes or no for one call is spent once
    if (approval.scope === 'session' && approval.status === 'APPROVED') return { kind: 'run' };
    if (approval.status === 'APPROVED') return { kind: 'run', spend: () => repo.use(approval.id, deps.clock.now()) };
    if (await repo.use(approval.id, now)) return { kind: 'refused', message: refusal(call, 'the user refused it') };
  }
  const pending = open.find((approval) => approval.status === 'PENDING');
  const token = pending
    ? deps.vault.open(pending.tokenSealed, sealedAad(TOKEN_COLUMN, pending.id))
    : await createApproval(deps, session, call, hashOfCall, need === 'once_per_session' ? 'session' : 'call', 'PENDING');
  return ask(deps, call, hashOfCall, token);
}

/** A pending or answered approval, as its page shows it. */
export interface ApprovalView {
  approval: Approval;
  /** whose call it is: the session's user */
  userId: string;
  arguments: unknown;
  expired: boolean;
}

export async function approvalByToken(deps: Deps, token: string): Promise<ApprovalView | undefined> {
  if (!/^apv_[A-Za-z0-9]{32}$/.test(token)) return undefined;
  const approval = await approvalsRepo(deps.db).findByTokenHash(hashSecret(token));
  if (!approval) return undefined;
  const session = await getSession(deps, approval.sessionId);
  return {
    approval,
    userId: session.userId,
    arguments: deps.vault.openJson(approval.argumentsSealed, sealedAad(ARGUMENTS_COLUMN, approval.id)),
    expired: approval.expiresAt <= deps.clock.now(),
  };
}

/** Records the user's answer on the page; false when it was already answered or has expired. */
export async function answerApproval(deps: Deps, approval: Approval, approved: boolean): Promise<boolean> {
  return approvalsRepo(deps.db).decide(approval.id, approved ? 'APPROVED' : 'REFUSED', deps.clock.now());
}
