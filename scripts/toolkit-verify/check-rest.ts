import type { ToolDefinition, ToolkitFile } from '../../src/catalogue/schema.ts';
import { routeArguments, wireName } from '../../src/execution/build-request.ts';
import { incompatibility, type SpecOperation, type SpecSchema } from './model.ts';

type Token = { param: string } | { field: string } | { text: string };

/** `/repos/{owner}/{+path}.json` → segments of literal text, `{param}`s and `{{field}}`s. */
function segments(path: string): Token[][] {
  return path
    .split('/')
    .filter(Boolean)
    .map((segment) =>
      segment
        .split(/(\{\{[^}]+\}\}|\{\+?[^}]+\})/)
        .filter(Boolean)
        .map((t): Token => {
          if (t.startsWith('{{')) return { field: t.slice(2, -2).trim() };
          if (t.startsWith('{')) return { param: t.replace(/^\{\+?|\}$/g, '') };
          return { text: t };
        }),
    );
}

/** The path of the base URL a tool's path is appended to: its own (`request.base_url`) or else the toolkit's. */
function basePath(toolkit: ToolkitFile, tool: ToolDefinition): string {
  const base = tool.request.base_url ?? toolkit.base_url;
  return base.replace(/^(\{\{[^}]+\}\}|[a-z]+:\/\/[^/]*)/i, '').replace(/\/+$/, '');
}

/**
 * Matches the tool's full path with the operation's, segment by segment: literal text must be the same;
 * where the spec has a parameter the tool has an argument (matched by position, names may differ), a
 * connection field or a fixed value (`me` for Gmail's `{userId}`). Returns the spec parameter each path
 * argument fills, or null when the paths differ.
 */
function matchPath(ours: string, theirs: string): Map<string, string> | null {
  const a = segments(ours);
  const b = segments(theirs);
  if (a.length !== b.length) return null;
  const mapping = new Map<string, string>();
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.length !== b[i]!.length) return null;
    for (let j = 0; j < a[i]!.length; j++) {
      const x = a[i]![j]!;
      const y = b[i]![j]!;
      if ('text' in y) {
        if (!('text' in x) || x.text !== y.text) return null;
      } else if ('param' in y && 'param' in x) mapping.set(x.param, y.param);
    }
  }
  return mapping;
}

/** Everything a request of this toolkit carries whatever the arguments: toolkit, tool and credential headers and query. */
function supplied(toolkit: ToolkitFile, tool: ToolDefinition) {
  const headers = new Set<string>(['authorization']);
  const query = new Set<string>();
  for (const name of Object.keys({ ...toolkit.headers, ...tool.request.headers })) headers.add(name.toLowerCase());
  for (const scheme of toolkit.auth_schemes) {
    const inject = 'inject' in scheme ? scheme.inject : undefined;
    for (const name of Object.keys(inject?.headers ?? {})) headers.add(name.toLowerCase());
    for (const name of Object.keys(inject?.query ?? {})) query.add(name);
  }
  return { headers, query };
}

/** Every way in which the tool does not do what the operation describes; empty when it does. */
export function checkRestTool(toolkit: ToolkitFile, tool: ToolDefinition, op: SpecOperation): string[] {
  const problems: string[] = [];
  const { request } = tool;
  if (!op.methods.includes(request.method)) problems.push(`method ${request.method}, the spec says ${op.methods.join(' or ')}`);
  const ourPath = basePath(toolkit, tool) + request.path;
  const pathMap = matchPath(ourPath, op.path);
  if (!pathMap) problems.push(`path ${ourPath}, the spec says ${op.path}`);

  const props: Record<string, any> = tool.input_parameters.properties ?? {};
  const required = new Set<string>((tool.input_parameters as { required?: string[] }).required ?? []);
  const givesValue = (name: string) => required.has(name) || props[name]?.default !== undefined || props[name]?.const !== undefined;
  const routes = routeArguments(tool);
  const bodyProps = op.body?.schema.properties;
  const placeOf = (name: string) =>
    [...op.params.filter((p) => p.name === name).map((p) => p.in), ...(bodyProps && name in bodyProps ? ['body'] : [])].join(' and ') ||
    undefined;
  const compare = (name: string, theirs: SpecSchema | undefined) => {
    const problem = theirs && props[name] ? incompatibility(props[name], theirs, name) : null;
    if (problem) problems.push(problem);
  };

  for (const [arg, specName] of pathMap ?? []) compare(arg, op.params.find((p) => p.in === 'path' && p.name === specName)?.schema);

  const findAnywhere = (name: string) => op.params.find((p) => p.name === name && p.in !== 'path')?.schema ?? bodyProps?.[name];
  const place = (name: string, where: 'query' | 'body', found: SpecSchema | undefined) => {
    if (op.argsAnywhere) {
      const schema = findAnywhere(name);
      if (!schema && !op.body?.schema.open) problems.push(`argument ${name} is not in the spec`);
      else compare(name, schema);
      return;
    }
    if (found) return compare(name, found);
    const elsewhere = placeOf(name);
    if (elsewhere) problems.push(`argument ${name} is sent in the ${where}, the spec takes it in the ${elsewhere}`);
    else if (!(where === 'body' && op.body?.schema.open)) problems.push(`argument ${name} is not in the spec`);
  };
  // an argument goes out under its wire name (`wire_names`: Graph's `$top` for `top`), which the spec knows it by
  const wire = (name: string) => wireName(tool, name);
  for (const name of routes.query) place(name, 'query', op.params.find((p) => p.in === 'query' && p.name === wire(name))?.schema);
  if (routes.body.length > 0 && !op.argsAnywhere) {
    if (!op.body) problems.push(`sends a ${routes.bodyMode} body, the spec takes none`);
    else if (!op.body.media.includes(routes.bodyMode as 'json' | 'form'))
      problems.push(`sends a ${routes.bodyMode} body, the spec takes ${op.body.media.join(' or ')}`);
  }
  for (const name of routes.body) place(name, 'body', bodyProps?.[wire(name)]);
  for (const [header, template] of Object.entries(request.headers ?? {})) {
    for (const m of template.matchAll(/\{([A-Za-z_]\w*)\}/g)) {
      const param = op.params.find((p) => p.in === 'header' && p.name.toLowerCase() === header.toLowerCase());
      if (!param) problems.push(`argument ${m[1]} is sent as header ${header}, which is not in the spec`);
      else compare(m[1]!, param.schema);
    }
  }

  if (op.knowsRequired) {
    const given = supplied(toolkit, tool);
    for (const p of op.params) {
      if (!p.required || p.in === 'path') continue;
      if (p.in === 'header' && given.headers.has(p.name.toLowerCase())) continue;
      if (p.in === 'query' && (given.query.has(p.name) || routes.query.some((n) => wire(n) === p.name && givesValue(n)))) continue;
      if (op.argsAnywhere && givesValue(p.name)) continue;
      problems.push(`the spec requires ${p.in} parameter ${p.name}, which the tool does not always send`);
    }
    for (const name of op.body?.schema.required ?? []) {
      const sent = op.argsAnywhere ? name in props && givesValue(name) : routes.body.some((n) => wire(n) === name && givesValue(n));
      if (!sent) problems.push(`the spec requires body property ${name}, which the tool does not always send`);
    }
  }
  return problems;
}
