import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema, SDK_OPTIONS } from './ts-types.ts';

/**
 * A client Orval's `fetch` generator wrote from a provider's OpenAPI document, bundled (as
 * `supabase-management-js`'s `dist/index.js` with its `index.d.ts` beside it). Each operation is a
 * function named after the spec's operationId (`v1-run-a-query` → `v1RunAQuery`):
 * `var v1RunAQuery = async (ref, v1RunQueryBody, options) => customFetch(getV1RunAQueryUrl(ref), { method: "POST", body: JSON.stringify(v1RunQueryBody) })`,
 * whose URL function returns the path as a template (with `?${query}` when the operation takes a
 * `params` object of query parameters). The declarations type `params` and the body.
 */
export function loadOrvalFetch(file: string): LoadedSpec {
  const code = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const functions = new Map<string, ts.ArrowFunction>();
  for (const statement of code.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations)
      if (ts.isIdentifier(d.name) && d.initializer && ts.isArrowFunction(d.initializer)) functions.set(d.name.text, d.initializer);
  }
  const declarations = join(file, '..', file.endsWith('.mjs') ? 'index.d.mts' : 'index.d.ts');
  let program: ts.Program | undefined;
  const operation = (id: string): SpecOperation | undefined => {
    const fn = functions.get(id);
    const call = fn && findCustomFetch(fn);
    const url = call && functions.get(call.urlFunction);
    const path = url && returnedPath(url);
    if (!call || !path) return undefined;
    program ??= ts.createProgram([declarations], SDK_OPTIONS);
    const types = parameterTypes(program, declarations, id);
    const schemaOf = (name: string | undefined): SpecSchema => {
      const t = name ? types.get(name) : undefined;
      return t ? argumentSchema(program!.getTypeChecker(), t.type, t.at) : { properties: {}, required: [] };
    };
    const query = schemaOf(url.parameters.some((p) => p.name.getText() === 'params') ? 'params' : undefined);
    const params: SpecParam[] = [
      ...path.names.map((name) => ({ name, in: 'path' as const, required: true, schema: { type: ['string'] } })),
      ...Object.entries(query.properties ?? {}).map(([name, schema]) => ({
        name,
        in: 'query' as const,
        required: Boolean(query.required?.includes(name)),
        schema,
      })),
    ];
    const body = call.body === undefined ? undefined : { media: ['json' as const], schema: schemaOf(call.body) };
    return { id, methods: [call.method], path: path.path, params, body, knowsRequired: true };
  };
  return { kind: 'rest', operation, ids: () => [...functions.keys()].filter((k) => Boolean(operation(k))) };
}

/** `customFetch(getXUrl(...), { method: "POST", body: JSON.stringify(x) })` in the operation's function. */
function findCustomFetch(fn: ts.ArrowFunction): { urlFunction: string; method: string; body?: string } | undefined {
  let found: { urlFunction: string; method: string; body?: string } | undefined;
  const visit = (node: ts.Node) => {
    if (found) return;
    if (ts.isCallExpression(node) && node.expression.getText() === 'customFetch') {
      const [url, init] = node.arguments;
      if (url && ts.isCallExpression(url) && init && ts.isObjectLiteralExpression(init)) {
        const prop = (key: string) =>
          init.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === key)?.initializer;
        const method = prop('method');
        const body = prop('body');
        const json =
          body && ts.isCallExpression(body) && body.expression.getText() === 'JSON.stringify' ? body.arguments[0]?.getText() : undefined;
        if (method && ts.isStringLiteral(method)) found = { urlFunction: url.expression.getText(), method: method.text, body: json };
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** The path the URL function returns without a query string: `/v1/projects/${ref}/health` → `/v1/projects/{ref}/health`. */
function returnedPath(fn: ts.ArrowFunction): { path: string; names: string[] } | undefined {
  let returned: ts.Expression | undefined;
  const visit = (node: ts.Node) => {
    if (ts.isReturnStatement(node) && node.expression) returned = node.expression;
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  // `stringifiedParams.length > 0 ? `${path}?${stringifiedParams}` : `${path}``: the branch without a query
  const template = returned && ts.isConditionalExpression(returned) ? returned.whenFalse : returned;
  if (!template) return undefined;
  if (ts.isNoSubstitutionTemplateLiteral(template) || ts.isStringLiteral(template)) return { path: template.text, names: [] };
  if (!ts.isTemplateExpression(template)) return undefined;
  const names = template.templateSpans.map((s) => s.expression.getText());
  return { path: template.head.text + template.templateSpans.map((s) => `{${s.expression.getText()}}${s.literal.text}`).join(''), names };
}

/** The declared parameters of `declare const <id>: (ref: string, params?: XParams, ...) => ...`, by name. */
function parameterTypes(program: ts.Program, file: string, id: string): Map<string, { type: ts.Type; at: ts.Node }> {
  const checker = program.getTypeChecker();
  const out = new Map<string, { type: ts.Type; at: ts.Node }>();
  for (const statement of program.getSourceFile(file)?.statements ?? []) {
    if (!ts.isVariableStatement(statement)) continue;
    const d = statement.declarationList.declarations.find((x) => x.name.getText() === id);
    if (!d?.type || !ts.isFunctionTypeNode(d.type)) continue;
    for (const p of d.type.parameters) out.set(p.name.getText(), { type: checker.getNonNullableType(checker.getTypeAtLocation(p)), at: p });
  }
  return out;
}
