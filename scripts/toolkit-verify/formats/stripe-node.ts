import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation } from '../model.ts';
import { argumentSchema } from './ts-types.ts';

/**
 * The `stripe` package's resources folder (`esm/resources`), generated from Stripe's OpenAPI spec: each
 * method of `<Resource>.js` sends `this._makeRequest('<METHOD>', '/v1/...${encodeURIComponent(id)}...')`,
 * and `<Resource>.d.ts` types its `params`. Operations are `<Resource>.<method>` (`Customers.create`).
 * Stripe reads a GET's or DELETE's parameters from the query string and a POST's from a form body
 * (docs.stripe.com/api, "Stripe's API ... accepts form-encoded request bodies").
 */
export function loadStripeNode(dir: string): LoadedSpec {
  let program: ts.Program | undefined;
  const operation = (id: string): SpecOperation | undefined => {
    const [resource, method] = id.split('.');
    if (!resource || !method || !/^[A-Za-z]+(\/[A-Za-z]+)*$/.test(resource)) return undefined;
    const js = join(dir, `${resource}.js`);
    if (!existsSync(js)) return undefined;
    const request = findRequest(js, method);
    if (!request) return undefined;
    const dts = join(dir, `${resource}.d.ts`);
    // one program for the whole folder: the resources import each other, so each would parse them all again
    program ??= ts.createProgram(
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.d.ts'))
        .map((f) => join(dir, f)),
      { noEmit: true, skipLibCheck: true, types: [] },
    );
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(dts);
    if (!source) return undefined;
    const cls = source.statements.find(
      (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && Boolean(s.name?.text.endsWith('Resource')),
    );
    const declaration = cls?.members.find(
      (m): m is ts.MethodDeclaration =>
        ts.isMethodDeclaration(m) && m.name.getText(source) === method && m.parameters.some((p) => p.name.getText(source) === 'params'),
    );
    const params = declaration?.parameters.find((p) => p.name.getText(source) === 'params');
    const schema = params
      ? argumentSchema(checker, checker.getNonNullableType(checker.getTypeAtLocation(params)), params)
      : { properties: {}, required: [] };
    const pathParams = [...request.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const inQuery = request.method === 'GET' || request.method === 'DELETE';
    return {
      id,
      methods: [request.method],
      path: request.path,
      params: [
        ...pathParams.map((name) => ({ name, in: 'path' as const, required: true, schema: { type: ['string'] } })),
        ...(inQuery
          ? Object.entries(schema.properties ?? {}).map(([name, s]) => ({
              name,
              in: 'query' as const,
              required: Boolean(schema.required?.includes(name)),
              schema: s,
            }))
          : []),
      ],
      body: inQuery ? undefined : { media: ['form'], schema },
      knowsRequired: true,
    };
  };
  return { kind: 'rest', operation };
}

/** `_makeRequest('GET', `/v1/customers/${encodeURIComponent(id)}`, ...)` in method `name` → GET /v1/customers/{id} */
function findRequest(file: string, name: string): { method: string; path: string } | undefined {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  let found: { method: string; path: string } | undefined;
  const visit = (node: ts.Node, inMethod: boolean) => {
    if (found) return;
    const here = inMethod || (ts.isMethodDeclaration(node) && node.name.getText(source) === name);
    if (here && ts.isCallExpression(node) && node.expression.getText(source) === 'this._makeRequest') {
      const [method, path] = node.arguments;
      if (method && ts.isStringLiteral(method) && path) {
        const text = ts.isStringLiteral(path) || ts.isNoSubstitutionTemplateLiteral(path) ? path.text : path.getText(source).slice(1, -1);
        found = { method: method.text, path: text.replace(/\$\{encodeURIComponent\((\w+)\)\}/g, '{$1}') };
      }
    }
    ts.forEachChild(node, (child) => visit(child, here));
  };
  visit(source, false);
  return found;
}
