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
const MAX_LITERAL_ARRAY = 100;

/**
 * The JSON Logic operations a rule may use: comparisons, logic, arithmetic, string and array tests.
 * Left out: `method` (calls any method of a value: code execution), `log` (writes to the console) and
 * `reduce` (an accumulator that can double at each step: a short rule that builds a string of
 * gigabytes). The iterating operations may not nest, so a rule's cost stays linear in the arguments,
 * which the body limit bounds.
 */
const OPERATIONS = new Set([
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  '==',
  '===',
  '!=',
  '!==',
  '!',
  '!!',
  'or',
  'and',
  '>',
  '>=',
  '<',
  '<=',
  'max',
  'min',
  '+',
  '-',
  '*',
  '/',
  '%',
  'in',
  'cat',
  'substr',
  'map',
  'filter',
  'all',
  'none',
  'some',
  'merge',
]);
const ITERATING = new Set(['map', 'filter', 'all', 'none', 'some']);

/** Path segments a `var` may not name: reading them walks off the data into JavaScript's prototypes. */
const FORBIDDEN_PATH = /(^|\.)(__proto__|prototype|constructor)(\.|$)/;

/** A list of slugs (toolkits, tools or tags) in a session config. */
export const slugList = z.array(z.string().min(1).max(200)).max(500);

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

/** Every operation a rule names, every `var` path and every literal array, checked against the limits above. */
function checkRule(rule: unknown, field: string): void {
  const stack: Array<{ node: unknown; iterating: boolean }> = [{ node: rule, iterating: false }];
  while (stack.length > 0) {
    const { node, iterating } = stack.pop()!;
    if (Array.isArray(node)) {
      if (node.length > MAX_LITERAL_ARRAY) throw new HookConfigError(field, `an array in a rule has at most ${MAX_LITERAL_ARRAY} items`);
      for (const item of node) stack.push({ node: item, iterating });
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    const keys = Object.keys(node);
    if (keys.length !== 1) throw new HookConfigError(field, 'a JSON Logic rule is an object with exactly one operation as its key');
    const [operation] = keys as [string];
    if (!OPERATIONS.has(operation)) throw new HookConfigError(field, `the JSON Logic operation "${operation}" is not allowed`);
    if (iterating && ITERATING.has(operation)) {
      throw new HookConfigError(field, `"${operation}" may not sit inside another map, filter, all, none or some`);
    }
    const argument = (node as Record<string, unknown>)[operation];
    if (operation === 'var') {
      // a literal path only: a computed one ({"cat": [...]}) could spell what FORBIDDEN_PATH refuses
      const [path, fallback] = Array.isArray(argument) ? argument : [argument];
      if (!(typeof path === 'string' || typeof path === 'number')) throw new HookConfigError(field, '"var" takes a literal path');
      if (typeof path === 'string' && FORBIDDEN_PATH.test(path)) throw new HookConfigError(field, `"var" may not read "${path}"`);
      stack.push({ node: fallback, iterating });
      continue;
    }
    stack.push({ node: argument, iterating: iterating || ITERATING.has(operation) });
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

/** What a hook is asked about: the call as the agent made it (a raw proxy request is the tool COMPOSIO_PROXY_EXECUTE, the request its arguments). */
export interface HookedCall {
  toolkit: string;
  tool: string;
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
  if (tools && !tools.includes(call.tool)) return false;
  return true;
}

/**
 * The first hook that blocks this call, if any. A rule that throws blocks too (fail closed): the
 * app asked to be asked, and an answer it cannot get is not a yes. A raw request (`rawFor`: the slugs
 * of its toolkit's tools) is blocked outright by a hook that names tools of that toolkit and not the
 * raw request itself: it could do what those tools do, and their rule cannot be read on it.
 */
export function blockingHook(hooks: readonly Hook[] | undefined, call: HookedCall, rawFor?: ReadonlySet<string>): HookBlock | undefined {
  if (!hooks?.length) return undefined;
  if (rawFor) {
    const governing = hooks.find((hook) => {
      const tools = hook.appliesTo?.tools;
      return tools?.some((tool) => rawFor.has(tool)) && !tools.includes(call.tool);
    });
    if (governing) {
      return {
        hookId: governing.id,
        reason: `Blocked: the session hook "${governing.name ?? governing.id}" governs tools of ${call.toolkit}, and a raw request could do what they do without it.`,
      };
    }
  }
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
