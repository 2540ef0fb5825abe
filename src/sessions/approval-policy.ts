import type { SessionConfig } from './config.ts';

/**
 * Whether a call needs a person's yes first, from the session config alone. Two of Composio's shapes
 * say so, and both are read:
 * - `require_approval` lists (SDK 0.24+): on `toolkits` (toolkit slugs), on `tools.<toolkit>` (tool
 *   slugs), on `tags` and `tools.<toolkit>.tags` (action tags: `createHint`, `updateHint`,
 *   `destructiveHint` ...; a toolkit's own list replaces the session-wide one for that toolkit, as its
 *   tag filters do). A listed call is asked every time.
 * - `experimental.permissions` (SDK 0.21): a default (`allow_all`, `ask_every_call`,
 *   `ask_once_per_session`) and overrides keyed `TOOL:account` or `*:account` (`__none__` when the call
 *   uses no account); the tool's own key wins over the account-wide one, either over the default.
 * When both speak, the stricter answer holds (deny, then every call, then once per session): an app
 * that listed a tool for approval is never overridden into silence by a broader allow.
 */

export type ApprovalNeed = 'none' | 'once_per_session' | 'every_call' | 'deny';

const STRICTNESS: readonly ApprovalNeed[] = ['none', 'once_per_session', 'every_call', 'deny'];

/** A call as the policy sees it. */
export interface PolicyCall {
  toolkit: string;
  /** the tool slug (COMPOSIO_PROXY_EXECUTE for a raw proxy request) */
  tool: string;
  /** the tool's action tags */
  tags: readonly string[];
  accountId: string | null;
  /** a raw proxy request: it can do what any tool of its toolkit does */
  raw: boolean;
}

const OVERRIDE: Record<string, ApprovalNeed> = {
  always_allow: 'none',
  always_deny: 'deny',
  ask_once: 'once_per_session',
  ask_always: 'every_call',
};

const DEFAULT: Record<string, ApprovalNeed> = {
  allow_all: 'none',
  ask_every_call: 'every_call',
  ask_once_per_session: 'once_per_session',
};

function fromLists(config: SessionConfig, call: PolicyCall): ApprovalNeed {
  if (config.toolkits.requireApproval?.includes(call.toolkit)) return 'every_call';
  const toolkitFilter = config.tools[call.toolkit];
  if (toolkitFilter?.requireApproval?.includes(call.tool)) return 'every_call';
  // a raw request could be any of the toolkit's tools, the listed ones included
  if (call.raw && toolkitFilter?.requireApproval?.length) return 'every_call';
  const tags = toolkitFilter?.tags?.requireApproval ?? config.tags.requireApproval ?? [];
  return tags.some((tag) => call.tags.includes(tag)) ? 'every_call' : 'none';
}

function fromPermissions(config: SessionConfig, call: PolicyCall): ApprovalNeed {
  const permissions = config.permissions;
  if (!permissions) return 'none';
  const account = call.accountId ?? '__none__';
  const override = permissions.overrides?.[`${call.tool}:${account}`] ?? permissions.overrides?.[`*:${account}`];
  return override ? OVERRIDE[override]! : DEFAULT[permissions.default]!;
}

export function approvalNeed(config: SessionConfig, call: PolicyCall): ApprovalNeed {
  const needs = [fromLists(config, call), fromPermissions(config, call)];
  return needs.reduce((a, b) => (STRICTNESS.indexOf(a) >= STRICTNESS.indexOf(b) ? a : b));
}

/** The name a raw proxy request goes by in hooks, approval lists and `experimental.permissions` overrides. */
export const PROXY_TOOL = 'COMPOSIO_PROXY_EXECUTE';

/**
 * What a raw proxy request is, in action tags: anything a write can be, whatever its method. Some APIs
 * change things on a GET (Slack's Web API takes `chat.postMessage` as a GET), so a method says nothing
 * an approval could rely on.
 */
export const PROXY_TAGS: readonly string[] = ['createHint', 'updateHint', 'destructiveHint'];

/** Whether any call of this session can need an approval (else nothing about the client's abilities needs looking up). */
export function mayAskApproval(config: SessionConfig): boolean {
  const permissions = config.permissions;
  if (permissions && (permissions.default !== 'allow_all' || Object.keys(permissions.overrides ?? {}).length > 0)) return true;
  if (config.toolkits.requireApproval?.length || config.tags.requireApproval?.length) return true;
  return Object.values(config.tools).some((filter) => filter.requireApproval?.length || filter.tags?.requireApproval?.length);
}
