import type { InjectRule } from '../catalogue/schema.ts';
import { templateNames } from '../catalogue/url-placeholders.ts';
import { templateValues, type ToolConnection } from '../execution/connection.ts';
import type { PreparedRequest } from '../execution/prepared-request.ts';
import { fillTemplate } from '../execution/templates.ts';

/** A rule filled with one connection's values: what goes on every request it makes, and what to mask. */
interface FilledRule {
  headers: ReadonlyArray<readonly [string, string]>;
  query: ReadonlyArray<readonly [string, string]>;
  /** every credential value put on the request, in every form an echo could show it */
  injected: readonly string[];
}

// A connection is never changed once made, nor is a toolkit's rule, so the filled values are the
// same on every call of the account: worked out once (a tool call's hot path, profiled by `npm run bench`).
const FILLED = new WeakMap<ToolConnection, WeakMap<InjectRule, FilledRule>>();

/** Fills a template and records, as injected, every credential that went into it. */
function fillInjected(template: string, connection: ToolConnection, values: Record<string, string>, injected: string[]): string {
  const filled = fillTemplate(template, values);
  for (const name of templateNames(template)) if (name in connection.credentials) injected.push(values[name]!);
  return filled;
}

/** Throws (TemplateError) as every call would when the connection lacks a value the rule needs; such a rule is not kept. */
function fillRule(rule: InjectRule, connection: ToolConnection): FilledRule {
  const values = templateValues(connection);
  const injected: string[] = [];
  const fill = ([name, template]: [string, string]) => [name, fillInjected(template, connection, values, injected)] as const;
  const headers = Object.entries(rule.headers ?? {}).map(fill);
  const query = Object.entries(rule.query ?? {}).map(fill);
  if (rule.basic) {
    const user = fillInjected(rule.basic.username, connection, values, injected);
    const password = fillInjected(rule.basic.password, connection, values, injected);
    const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    headers.push(['Authorization', `Basic ${encoded}`]);
    // RFC 7617 2: the user-pass is sent base64-encoded; an echo shows that form, not the password
    injected.push(`${user}:${password}`, encoded);
  }
  return Object.freeze({ headers: Object.freeze(headers), query: Object.freeze(query), injected: Object.freeze(injected) });
}

function filledRule(rule: InjectRule, connection: ToolConnection): FilledRule {
  let byRule = FILLED.get(connection);
  if (!byRule) FILLED.set(connection, (byRule = new WeakMap()));
  let filled = byRule.get(rule);
  if (!filled) byRule.set(rule, (filled = fillRule(rule, connection)));
  return filled;
}

/**
 * The toolkit's `inject` rule on a finished request: templated headers or query values, or HTTP Basic.
 * Every value put on the request is recorded in `request.injected`, for masking echoes of it.
 */
export function injectTemplates(rule: InjectRule, connection: ToolConnection, request: PreparedRequest): void {
  const filled = filledRule(rule, connection);
  for (const [name, value] of filled.headers) request.headers[name] = value;
  for (const [name, value] of filled.query) request.url.searchParams.set(name, value);
  (request.injected ??= []).push(...filled.injected);
}
