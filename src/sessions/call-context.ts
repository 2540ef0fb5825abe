import type { ApprovalAsk, GivenAnswers } from './approvals.ts';

/**
 * What one request to run a session's tools brings and takes back, beside the arguments: the user's
 * answers it carries (a retry after an input-required answer), and the questions its calls raised.
 * MCP and REST fill it from their own wire (inputResponses, input_responses) and turn `asks` into
 * their own input-required answer.
 */
export interface ToolCallContext {
  /** answers given with this request, by call hash (approvals.ts); a yes is taken out as its call starts */
  readonly answers: GivenAnswers;
  /**
   * Whether the caller can put a question to the user and retry with the answer. Then a request
   * with any question open runs none of its calls (a retry would run them twice).
   */
  readonly canAsk: boolean;
  /** approvals the calls of this request are waiting for; filled while they run */
  readonly asks: ApprovalAsk[];
}

export function callContext(options: { answers?: GivenAnswers; canAsk: boolean }): ToolCallContext {
  return { answers: options.answers ?? new Map(), canAsk: options.canAsk, asks: [] };
}
