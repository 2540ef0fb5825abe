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
  /**
   * Whether a yes may hold for the rest of the session (`ask_once_per_session`). False for a raw
   * proxy request: one yes to one request must not let any other request through.
   */
  grantable: boolean;
}

/**
 * What the user is asked, and where they can answer if their client cannot show a form. The page URL
 * is a capability: it goes to the user's client (URL elicitation, which the client opens for the
 * user and keeps from the model) or to the app (its API key lists them), never into a tool result.
 */
export interface ApprovalAsk {
  callHash: string;
  approvalId: string;
  toolkit: { slug: string; name: string };
  tool: { slug: string; name: string };
  arguments: unknown;
  /** 'session': a yes holds for this tool and account for the rest of the session */
  scope: Approval['scope'];
  /** the question, with the call's arguments and what a yes allows, for a form */
  message: string;
  pageUrl: string;
}

export type ApprovalVerdict =
  /** `spend`, when there is one, spends the approval as the call starts; false: another request spent it first */
  { kind: 'run'; spend?: () => Promise<boolean> } | { kind: 'refused'; message: string } | { kind: 'ask'; ask: ApprovalAsk };

/**
 * Answers given with this request, by call hash (true: approved). A yes is taken out when its call
 * starts, so one answer runs one call even when a batch holds the same call twice.
 */
export type GivenAnswers = Map<string, boolean>;

/** Which call an answer is for: the session, the tool, its arguments (key order ignored) and the account. */
export function callHash(sessionId: string, call: Pick<GovernedCall, 'tool' | 'arguments' | 'accountId'>): string {
  return hash('sha256', canonicalJson([sessionId, call.tool, call.arguments ?? {}, call.accountId]), 'base64url');
}

const MAX_SHOWN_ARGUMENTS = 1500;

function question(call: GovernedCall, scope: Approval['scope']): string {
  const args = JSON.stringify(call.arguments ?? {}, null, 1);
  const shown = args.length > MAX_SHOWN_ARGUMENTS ? `${args.slice(0, MAX_SHOWN_ARGUMENTS)}…` : args;
  if (scope === 'session') {
    return `Allow ${call.toolName} (${call.toolkitName}) for the rest of this session, with any arguments? It asks to run now with:\n${shown}`;
  }
  return `Allow ${call.toolName} (${call.toolkitName}) to run once with these arguments?\n${shown}`;
}

const refusal = (call: GovernedCall, why: string) =>
  `${call.toolName} did not run: ${why}. Do not try to run it another way; tell the user it was not done.`;

const pageUrl = (deps: Deps, token: string) => `${deps.config.publicUrl}/approve/${token}`;

function ask(
  deps: Deps,
  call: GovernedCall,
  hashOfCall: string,
  approval: { id: string; token: string; scope: Approval['scope'] },
): ApprovalVerdict {
  return {
    kind: 'ask',
    ask: {
      callHash: hashOfCall,
      approvalId: approval.id,
      toolkit: { slug: call.toolkit, name: call.toolkitName },
      tool: { slug: call.tool, name: call.toolName },
      arguments: call.arguments,
      scope: approval.scope,
      message: question(call, approval.scope),
      pageUrl: pageUrl(deps, approval.token),
    },
  };
}

async function createApproval(
  deps: Deps,
  session: Session,
  call: GovernedCall,
  hashOfCall: string,
  scope: Approval['scope'],
  status: Approval['status'],
): Promise<{ id: string; token: string; scope: Approval['scope'] }> {
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
  return { id, token, scope };
}

/**
 * Whether this call may run now: not asked for by the session's policy, approved (in this request or
 * on the page), refused, or still to ask. A yes is spent only when the call starts (`spend`), so a
 * request that ends up running nothing leaves it for the retry; a no is spent at once. A yes for the
 * rest of the session counts only while the policy still asks once per session, and only if given
 * after the session's config last changed.
 */
export async function approvalVerdict(deps: Deps, session: Session, call: GovernedCall, given: GivenAnswers): Promise<ApprovalVerdict> {
  const policy = approvalNeed(session.config, call);
  if (policy === 'none') return { kind: 'run' };
  if (policy === 'deny') return { kind: 'refused', message: refusal(call, 'this session does not allow it') };
  const need = policy === 'once_per_session' && !call.grantable ? 'every_call' : policy;
  const repo = approvalsRepo(deps.db);
  const grants = need === 'once_per_session';
  if (grants && (await repo.hasSessionGrant(session.id, call, session.updatedAt))) return { kind: 'run' };
  const hashOfCall = callHash(session.id, call);
  const answer = given.get(hashOfCall);
  if (answer === false) return { kind: 'refused', message: refusal(call, 'the user refused it') };
  if (answer === true) {
    return {
      kind: 'run',
      async spend() {
        if (!given.delete(hashOfCall)) return false;
        if (grants) await createApproval(deps, session, call, hashOfCall, 'session', 'APPROVED');
        return true;
      },
    };
  }
  const now = deps.clock.now();
  const open = await repo.openForCall(session.id, hashOfCall, now);
  for (const approval of open) {
    // a yes for the session is read by hasSessionGrant above, under the policy of now
    if (approval.status === 'PENDING' || approval.scope === 'session') continue;
    if (approval.status === 'APPROVED') return { kind: 'run', spend: () => repo.use(approval.id, deps.clock.now()) };
    if (await repo.use(approval.id, now)) return { kind: 'refused', message: refusal(call, 'the user refused it') };
  }
  const scope: Approval['scope'] = grants ? 'session' : 'call';
  const pending = open.find((approval) => approval.status === 'PENDING' && approval.scope === scope);
  if (pending) {
    return ask(deps, call, hashOfCall, {
      id: pending.id,
      token: deps.vault.open(pending.tokenSealed, sealedAad(TOKEN_COLUMN, pending.id)),
      scope,
    });
  }
  return ask(deps, call, hashOfCall, await createApproval(deps, session, call, hashOfCall, scope, 'PENDING'));
}

/** A session's approvals still waiting for an answer, with their pages: for the app, which may show them to its user. */
export async function pendingApprovals(deps: Deps, session: Session) {
  const pending = await approvalsRepo(deps.db).pendingForSession(session.id, deps.clock.now());
  return pending.map((approval) => ({
    approval,
    pageUrl: pageUrl(deps, deps.vault.open(approval.tokenSealed, sealedAad(TOKEN_COLUMN, approval.id))),
  }));
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
