import type { ApprovalAsk, GivenAnswers } from './approvals.ts';
import type { InputState } from './request-state.ts';

/**
 * The questions a call can put to its user and how their answers come back, the same over MCP
 * 2026-07-28 (`inputRequests` / `inputResponses`, spec basic/patterns/mrtr) and Composio's REST
 * session execute (`input_requests` / `input_responses`): an approval is a form-mode elicitation with
 * one boolean, the answer an elicitation result (`{action, content}`).
 */

/** The form of an approval: flat, as form-mode elicitation requires (spec client/elicitation), saying what a yes allows. */
export function approvalSchema(ask: Pick<ApprovalAsk, 'scope' | 'tool'>) {
  const yes = ask.scope === 'session' ? `Yes lets ${ask.tool.name} run for the rest of this session` : 'Yes runs this one call, once';
  return {
    type: 'object' as const,
    properties: { approved: { type: 'boolean' as const, title: 'Approve', description: `${yes}; no stops it.` } },
    required: ['approved'],
  };
}

/** The input request keys of a set of asks: `approval` for one, `approval_1`, `approval_2` … for several (one per distinct call). */
export function approvalKeys(asks: readonly ApprovalAsk[]): Array<[string, ApprovalAsk]> {
  const distinct = [...new Map(asks.map((ask) => [ask.callHash, ask])).values()];
  if (distinct.length === 1) return [['approval', distinct[0]!]];
  return distinct.map((ask, i) => [`approval_${i + 1}`, ask]);
}

/** What the state of an input-required answer records about the approvals it asked. */
export function askedApprovals(keyed: Array<[string, ApprovalAsk]>, onPage: boolean): Pick<InputState, 'approvals' | 'approvalsOnPage'> {
  return { approvals: Object.fromEntries(keyed.map(([key, ask]) => [key, ask.callHash])), ...(onPage ? { approvalsOnPage: true } : {}) };
}

/** An elicitation result as a client sends it back. */
export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/**
 * The user's answers a retry carries, matched through its opened state to the calls they approve. A
 * form answer approves only with `approved: true`; declined or cancelled is a no. When the question
 * was a link to the approval page, the page holds the answer (read by approvals.ts), and only a
 * declined or cancelled link counts here, as a no. A key the state does not name is ignored.
 */
export function givenAnswers(state: InputState, answerFor: (key: string) => ElicitAnswer | undefined): GivenAnswers {
  const answers = new Map<string, boolean>();
  for (const [key, callHash] of Object.entries(state.approvals ?? {})) {
    const answer = answerFor(key);
    if (!answer) continue;
    if (answer.action !== 'accept') answers.set(callHash, false);
    else if (!state.approvalsOnPage) answers.set(callHash, answer.content?.approved === true);
  }
  return answers;
}
