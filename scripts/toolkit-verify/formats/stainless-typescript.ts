import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema, cachingHost, SDK_OPTIONS } from './ts-types.ts';

/**
 * The TypeScript source of an SDK Stainless generated from a provider's OpenAPI document (the
 * `cloudflare` package's `src/resources`). A resource class declares its place in the client,
 * `static readonly _key = ['dns', 'records']`, and each method sends one request:
 * `this._client.get(path\`/zones/${zone_id}/dns_records/${dnsRecordID}\`, { query, ...options })`
 * (`getAPIList` for a paged GET). Its `params` argument is typed with the spec's names; what the method
 * destructures out of it goes to the path or the named query or body, the rest (`...body`, `...query`)
 * to where the call sends it. Operations are `<key>.<method>` (`dns.records.list`).
 */
export function loadStainlessTypescript(dir: string): LoadedSpec {
  const files = new Map<string, string[]>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const file = join(dir, name);
    for (const m of readFileSync(file, 'utf8').matchAll(/static override readonly _key: readonly \[([^\]]*)\]/g)) {
      const key = [...m[1]!.matchAll(/'([^']+)'/g)].map((k) => k[1]).join('.');
      files.set(key, [...(files.get(key) ?? []), file]);
    }
  }
  const host = cachingHost(SDK_OPTIONS);
  const cache = new Map<string, SpecOperation | undefined>();
  const operation = (id: string) => {
    if (!cache.has(id)) {
      const key = id.slice(0, id.lastIndexOf('.'));
      const method = id.slice(id.lastIndexOf('.') + 1);
      let found: SpecOperation | undefined;
      for (const file of files.get(key) ?? []) found ??= readOperation(id, method, ts.createProgram([file], SDK_OPTIONS, host), file);
      cache.set(id, found);
    }
    return cache.get(id);
  };
  return { kind: 'rest', operation };
}

const VERBS = new Set(['get', 'post', 'put', 'patch', 'delete']);

function readOperation(id: string, name: string, program: ts.Program, file: string): SpecOperation | undefined {
  const source = program.getSourceFile(file);
  const checker = program.getTypeChecker();
  const method = source?.statements
    .filter((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.members.some((m) => m.name?.getText() === '_key'))
    .flatMap((c) => c.members)
    .find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === name && Boolean(m.body));
  if (!method?.body) return undefined;
  const call = findCall(method.body);
  if (!call) return undefined;

  // the argument typed with the operation's parameters (`params`, or `query` / `body` when it is all one place)
  const argument = method.parameters.find((p) => p.type && /Params\b/.test(p.type.getText()));
  const argumentType = argument ? checker.getNonNullableType(checker.getTypeAtLocation(argument)) : undefined;
  const all: SpecSchema = argument && argumentType ? argumentSchema(checker, argumentType, argument) : { properties: {}, required: [] };
  const { named, rest } = destructured(method.body, argument?.name.getText());
  const restNames = Object.keys(all.properties ?? {}).filter((n) => !named.includes(n));
  // an identifier the call sends: the rest of the destructured argument, or the whole argument
  const propsOf = (identifier: string | string[] | undefined): string[] =>
    Array.isArray(identifier) ? identifier : identifier === rest ? restNames : identifier === argument?.name.getText() ? restNames : [];
  const required = (n: string) => Boolean(all.required?.includes(n));
  const params: SpecParam[] = [
    ...call.pathNames.map((n) => ({ name: n, in: 'path' as const, required: true, schema: all.properties?.[n] ?? { type: ['string'] } })),
    ...propsOf(call.query).map((n) => ({ name: n, in: 'query' as const, required: required(n), schema: all.properties![n]! })),
  ];
  const bodyNames = propsOf(call.body);
  const body: SpecOperation['body'] =
    call.body === undefined
      ? undefined
      : {
          media: ['json'],
          schema: {
            properties: Object.fromEntries(bodyNames.map((n) => [n, all.properties![n]!])),
            required: bodyNames.filter(required),
          },
        };
  return { id, methods: [call.verb], path: call.path, params, body, knowsRequired: true };
}

interface Call {
  verb: string;
  path: string;
  pathNames: string[];
  /** what the call sends as `query` / `body`: an identifier, or the names of an object literal */
  query?: string | string[];
  body?: string | string[];
}

/** `this._client.<verb>(path\`...\`, { query, body, ...options })` in the method. */
function findCall(body: ts.Block): Call | undefined {
  let found: Call | undefined;
  const visit = (node: ts.Node) => {
    if (found) return;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.expression.getText() === 'this._client'
    ) {
      const verb = node.expression.name.text;
      const paged = verb === 'getAPIList';
      if (paged || VERBS.has(verb)) {
        const [target, ...rest] = node.arguments;
        const options = (paged ? rest[1] : rest[0]) as ts.Expression | undefined;
        const props =
          options && ts.isObjectLiteralExpression(options) ? options.properties : ts.factory.createNodeArray<ts.ObjectLiteralElementLike>();
        const valueOf = (key: string): string | string[] | undefined => {
          const p = props.find((x) => x.name?.getText() === key);
          if (!p) return undefined;
          if (ts.isShorthandPropertyAssignment(p)) return p.name.text;
          if (!ts.isPropertyAssignment(p)) return undefined;
          if (ts.isObjectLiteralExpression(p.initializer)) return p.initializer.properties.map((x) => x.name?.getText() ?? '');
          return p.initializer.getText().replace(/^['"]|['"]$/g, '');
        };
        const method = paged ? (valueOf('method') ?? 'get') : verb;
        const path = target ? pathOf(target) : undefined;
        if (path) found = { verb: String(method).toUpperCase(), ...path, query: valueOf('query'), body: valueOf('body') };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(body);
  return found;
}

/** path\`/zones/${zone_id}/dns_records\` or '/zones' → `/zones/{zone_id}/dns_records` and the names in it. */
function pathOf(node: ts.Expression): { path: string; pathNames: string[] } | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { path: node.text, pathNames: [] };
  const template = ts.isTaggedTemplateExpression(node) ? node.template : undefined;
  if (!template) return undefined;
  if (ts.isNoSubstitutionTemplateLiteral(template)) return { path: template.text, pathNames: [] };
  const pathNames = template.templateSpans.map((s) => s.expression.getText());
  const path = template.head.text + template.templateSpans.map((s) => `{${s.expression.getText()}}${s.literal.text}`).join('');
  return { path, pathNames };
}

/** `const { zone_id, include_shadow_metadata, ...body } = params;` → the names taken out, and the rest's name. */
function destructured(body: ts.Block, argument: string | undefined): { named: string[]; rest?: string } {
  for (const statement of body.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      if (!ts.isObjectBindingPattern(d.name) || d.initializer?.getText() !== argument) continue;
      const named = d.name.elements.filter((e) => !e.dotDotDotToken).map((e) => (e.propertyName ?? e.name).getText());
      const rest = d.name.elements.find((e) => e.dotDotDotToken)?.name.getText();
      return { named, rest };
    }
  }
  return { named: [] };
}
