import type { InjectRule } from '../catalogue/schema.ts';
import { templateNames } from '../catalogue/url-placeholders.ts';
import { templateValues, type ToolConnection } from '../execution/connection.ts';
import type { PreparedRequest } from '../execution/prepared-request.ts';
import { fillTemplate } from '../execution/templates.ts';

/** Fills a template and records, as injected, every credential that went into it. */
function fillInjected(template: string, connection: ToolConnection, values: Record<string, string>, injected: string[]): string {
  const filled = fillTemplate(template, values);
  for (const name of templateNames(template)) if (name in connection.credentials) injected.push(values[name]!);
  return filled;
}

/**
 * The toolkit's `inject` rule on a finished request: templated headers or query values, or HTTP Basic.
 * Every value put on the request is recorded in `request.injected`, for masking echoes of it.
 */
export function injectTemplates(rule: InjectRule, connection: ToolConnection, request: PreparedRequest): void {
  const values = templateValues(connection);
  const injected: string[] = (request.injected ??= []);
  for (const [name, template] of Object.entries(rule.headers ?? {}))
    request.headers[name] = fillInjected(template, connection, values, injected);
  for (const [name, template] of Object.entries(rule.query ?? {}))
    request.url.searchParams.set(name, fillInjected(template, connection, values, injected));
  if (rule.basic) {
    const user = fillInjected(rule.basic.username, connection, values, injected);
    const password = fillInjected(rule.basic.password, connection, values, injected);
    const encoded = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    request.headers.Authorization = `Basic ${encoded}`;
    // RFC 7617 2: the user-pass is sent base64-encoded; an echo shows that form, not the password
    injected.push(`${user}:${password}`, encoded);
  }
}
