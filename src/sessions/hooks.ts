import jsonLogic, { type RulesLogic } from 'json-logic-js';
import { z } from 'zod';
import { nestsDeeperThan } from '../json-depth.ts';

/**
 * A session's `before_execute` hooks, in Composio's session config shape (`hooks: [{id, name?, type,
 * applies_to, handler: {type: 'condition_check', condition, action: 'block'}}]`): a condition over the
 * call that, when it holds, blocks the call with a reason before anything reaches the toolkit's API.
 *
 * Composio judges `condition` (natural language) with a language model; latchkey runs no model, so a
 * condition here is a JSON Logic rule (jsonlogic.com) over `{toolkit, tool, arguments}`, evaluated by
 * `json-logic-js`. A natural-language condition, an `after_execute` hook or a `webhook` handler is
 * refused when the session is made, never stored and skipped: a hook that silently did nothing would
 * let through the very call it was written to stop.
 */

const MAX_HOOKS = 20;
const MAX_RULE_DEPTH = 20;
const MAX_RULE_BYTES = 8_192;

/**
 * The JSON Logic operations a rule may use: comparisons, logic, arithmetic, string and array tests.
 * Left out: `method` (calls any method of a value: code execution) and `log` (writes to the console).
 */
const OPERATIONS = new Set([
  'var', 'missing', 'missing_some', 'if', '?:', '==', '===', '!=', '!==', '!', '!!', 'or', 'and',
  '>', '>=', '<', '<=', 'max', 'min', '+', '-', '*', '/', '%', 'in', 'cat', 'substr',
  'map', 'filter', 'reduce', 'all', 'none', 'some', 'merge',
]); // biome-ignore format: one table

/** Path segments a `var` may not name: reading them walks off the data into JavaScript's prototypes. */
const FORBIDDEN_PATH = /(^|\.)(__proto__|prototype|constructor)(\.|$)/;

const slugList = z.array(z.string().min(1).max(200)).max(500);

export const hookWire = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().max(200).optional(),
    type: z.string(),
    applies_to: z.union([z.literal('all'), z.object({ toolkits: slugList.optional(), tools: slugList.optional() }).strict()]),
    handler: z
      .object({
        type: z.string(),
        condition: z.unknown().optional(),
        action: z.string().optional(),
        message: z.string().max(500).optional(),
      })
      .passthrough(),
  })
  .passthrough();

export const hooksWire = z.array(hookWire).max(MAX_HOOKS);

export type HookWire = z.infer<typeof hookWire>;

/** A hook as a session stores it. */
export interface Hook {
  id: string;
  name?: string;
  /** null: every toolkit and tool of the session */
  appliesTo: { toolkits?: string[]; tools?: string[] } | null;
  condition: RulesLogic;
  message?: string;
}

export class HookConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every operation a rule names, and every `var` path, checked against the lists above. */
function checkRule(rule: unknown, field: string): void {
  const stack: unknown[] = [rule];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const keys = Object.keys(node);
    if (keys.length !== 1) throw new HookConfigError(field, 'a JSON Logic rule is an object with exactly one operation as its key');
    const [operation] = keys as [string];
    if (!OPERATIONS.has(operation)) throw new HookConfigError(field, `the JSON Logic operation "${operation}" is not allowed`);
    const argument = (node as Record<string, unknown>)[operation];
    if (operation === 'var') {
      const path = Array.isArray(argument) ? argument[0] : argument;
      if (typeof path === 'string' && FORBIDDEN_PATH.test(path)) throw new HookConfigError(field, `"var" may not read "${path}"`);
    }
    stack.push(argument);
  }
}

/** Checks a hook as sent and turns it into the stored shape; a refusal names the field and says what is served instead. */
export function parseHook(wire: HookWire, index: number): Hook {
  const at = `hooks[${index}]`;
  if (wire.type !== 'before_execute') {
    throw new HookConfigError(`${at}.type`, `"${wire.type}" hooks are not supported here; latchkey runs before_execute hooks only`);
  }
  if (wire.handler.type !== 'condition_check') {
    throw new HookConfigError(
      `${at}.handler.type`,
      `handler "${wire.handler.type}" is not supported here; use "condition_check" with a JSON Logic condition`,
    );
  }
  if ((wire.handler.action ?? 'block') !== 'block') {
    throw new HookConfigError(`${at}.handler.action`, 'the only action is "block"');
  }
  const condition = wire.handler.condition;
  if (typeof condition === 'string') {
    throw new HookConfigError(
      `${at}.handler.condition`,
      'a condition in words needs a language model, which latchkey does not run: write it as a JSON Logic rule over {toolkit, tool, arguments}, e.g. {"in": ["@", {"var": "arguments.to"}]}',
    );
  }
  if (condition === null || typeof condition !== 'object') {
    throw new HookConfigError(`${at}.handler.condition`, 'a JSON Logic rule (an object) is required');
  }
  if (nestsDeeperThan(condition, MAX_RULE_DEPTH) || JSON.stringify(condition).length > MAX_RULE_BYTES) {
    throw new HookConfigError(
      `${at}.handler.condition`,
      `the rule is too large (at most ${MAX_RULE_DEPTH} levels and ${MAX_RULE_BYTES} bytes)`,
    );
  }
  checkRule(condition, `${at}.handler.condition`);
  const appliesTo =
    wire.applies_to === 'all'
      ? null
      : {
          toolkits: wire.applies_to.toolkits?.map((s) => s.toLowerCase()),
          tools: wire.applies_to.tools?.map((s) => s.toUpperCase()),
        };
  return { id: wire.id, name: wire.name, appliesTo, condition: condition as RulesLogic, message: wire.handler.message };
}

/** The stored hook back in Composio's wire shape. */
export function hookToWire(hook: Hook) {
  return {
    id: hook.id,
    ...(hook.name === undefined ? {} : { name: hook.name }),
    type: 'before_execute',
    applies_to: hook.appliesTo ?? 'all',
    handler: { type: 'condition_check', condition: hook.condition, action: 'block', ...(hook.message ? { message: hook.message } : {}) },
  };
}

/** What a hook is asked about: the call as the agent made it. `tool` is null for a raw proxy request. */
export interface HookedCall {
  toolkit: string;
  tool: string | null;
  arguments: unknown;
}

export interface HookBlock {
  hookId: string;
  reason: string;
}

function applies(hook: Hook, call: HookedCall): boolean {
  if (!hook.appliesTo) return true;
  const { toolkits, tools } = hook.appliesTo;
  if (toolkits && !toolkits.includes(call.toolkit)) return false;
  if (tools && !(call.tool !== null && tools.includes(call.tool))) return false;
  return true;
}

/**
 * The first hook that blocks this call, if any. A rule that throws blocks too (fail closed): the
 * app asked to be asked, and an answer it cannot get is not a yes.
 */
export function blockingHook(hooks: readonly Hook[] | undefined, call: HookedCall): HookBlock | undefined {
  if (!hooks?.length) return undefined;
  // the rule reads a plain JSON copy: no prototype, getter or shared object of ours reaches it
  const data = JSON.parse(JSON.stringify({ toolkit: call.toolkit, tool: call.tool, arguments: call.arguments ?? {} }));
  for (const hook of hooks) {
    if (!applies(hook, call)) continue;
    let holds: boolean;
    try {
      holds = jsonLogic.truthy(jsonLogic.apply(hook.condition, data));
    } catch {
      holds = true;
    }
    if (holds) return { hookId: hook.id, reason: hook.message ?? `Blocked by the session hook "${hook.name ?? hook.id}".` };
  }
  return undefined;
}
