import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema, cachingHost, SDK_OPTIONS, typeSchema } from './ts-types.ts';

/**
 * An SDK Fern generated from a provider's OpenAPI document, compiled (`webflow-api`'s `api/resources`).
 * Each resource's `client/Client.js` sends one request per method: `__listItems(collectionId, request)`
 * takes its query parameters out of `request` (`const { offset, limit } = request`), sets them under the
 * spec's names (`_queryParams.offset = offset.toString()`), and calls `core.fetcher({ url:
 * core.url.join(base, \`collections/${core.url.encodePathParam(collectionId)}/items\`), method: "GET",
 * body: serializers.X.jsonOrThrow(_body) })`; `Client.d.ts` types `request`. Operations are
 * `<resource path>.<method>` (`collections.items.listItems`). A body property whose TypeScript name is not
 * the spec's is renamed by its serializer (`skuProperties: core.serialization.property("sku-properties", ...)`),
 * read here from the package's serialization folder.
 */
export function loadFernTypescript(dir: string): LoadedSpec {
  const host = cachingHost(SDK_OPTIONS);
  const renames = serializerRenames(join(dir, '..', '..', 'serialization'));
  const cache = new Map<string, SpecOperation | undefined>();
  const operation = (id: string) => {
    if (!cache.has(id)) {
      const parts = id.split('.');
      const name = parts.pop()!;
      const client = join(dir, parts.join('/resources/'), 'client', 'Client');
      const found =
        parts.length > 0 && existsSync(`${client}.js`) && existsSync(`${client}.d.ts`)
          ? readOperation(id, name, `${client}.js`, ts.createProgram([`${client}.d.ts`], SDK_OPTIONS, host), `${client}.d.ts`, renames)
          : undefined;
      cache.set(id, found);
    }
    return cache.get(id);
  };
  return { kind: 'rest', operation };
}

interface Request {
  method: string;
  path: string;
  pathNames: string[];
  /** query parameter (spec name) → the variable destructured from `request` it is read from */
  query: Array<{ wire: string; from: string }>;
  /** what the serializer of the body is given: `request`, the rest of it, or one property of it */
  body?: { whole: boolean; property?: string };
  named: string[];
}

function readOperation(
  id: string,
  name: string,
  js: string,
  program: ts.Program,
  dts: string,
  renames: Map<string, string>,
): SpecOperation | undefined {
  const request = scan(js, name);
  const checker = program.getTypeChecker(); // binds the files, which sets the parents getText() needs
  const source = program.getSourceFile(dts);
  const method = source?.statements
    .filter(ts.isClassDeclaration)
    .flatMap((c) => c.members)
    .find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === name);
  if (!request || !method) return undefined;
  const argument = method.parameters.find((p) => p.name.getText() === 'request');
  const requestType = argument ? checker.getNonNullableType(checker.getTypeAtLocation(argument)) : undefined;
  const propOf = (prop: string) => (requestType ? checker.getPropertyOfType(requestType, prop) : undefined);
  const params: SpecParam[] = [
    ...request.pathNames.map((n) => ({ name: n, in: 'path' as const, required: true, schema: { type: ['string'] } })),
    ...request.query.map(({ wire, from }) => {
      const symbol = propOf(from);
      return {
        name: wire,
        in: 'query' as const,
        required: Boolean(symbol && !(symbol.flags & ts.SymbolFlags.Optional)),
        schema: symbol && argument ? typeSchema(checker, checker.getTypeOfSymbolAtLocation(symbol, argument)) : { open: true },
      };
    }),
  ];
  let body: SpecOperation['body'];
  if (request.body && requestType && argument) {
    const symbol = request.body.property ? propOf(request.body.property) : undefined;
    const type = request.body.property
      ? symbol && checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(symbol, argument))
      : requestType;
    const all: SpecSchema = type ? argumentSchema(checker, type, argument) : { open: true };
    const keep = (n: string) => request.body!.property !== undefined || !request.named.includes(n);
    const wire = (n: string) => renames.get(n) ?? n;
    body = {
      media: ['json'],
      schema: {
        ...all,
        properties: Object.fromEntries(Object.entries(all.properties ?? {}).flatMap(([k, v]) => (keep(k) ? [[wire(k), v]] : []))),
        required: all.required?.filter(keep).map(wire),
      },
    };
  }
  return { id, methods: [request.method], path: request.path, params, body, knowsRequired: true };
}

/** What `__<name>` of the compiled client does with `request`, and the `core.fetcher` call it makes. */
function scan(js: string, name: string): Request | undefined {
  const source = ts.createSourceFile(js, readFileSync(js, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const method = source.statements
    .filter(ts.isClassDeclaration)
    .flatMap((c) => c.members)
    .find((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && m.name.getText() === `__${name}`);
  if (!method) return undefined;
  const out: Request = { method: '', path: '', pathNames: [], query: [], named: [] };
  const aliases = new Map<string, string>(); // local variable → the request property it holds (`_body` → `body`)
  let rest: string | undefined;
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer?.getText() === 'request') {
      for (const e of node.name.elements) {
        if (e.dotDotDotToken) rest = e.name.getText();
        else {
          const prop = (e.propertyName ?? e.name).getText();
          out.named.push(prop);
          aliases.set(e.name.getText(), prop);
        }
      }
    }
    // the rest of a destructured `request`, as TypeScript compiles it: `_body = __rest(request, ["localeId"])`
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isCallExpression(node.initializer))
      if (node.initializer.expression.getText() === '__rest' && node.initializer.arguments[0]?.getText() === 'request')
        rest = node.name.text;
    // `_queryParams.<wire> = <expression of a destructured variable>`
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      if (node.left.expression.getText() === '_queryParams') {
        const from = firstOf(node.right, aliases);
        if (from) out.query.push({ wire: node.left.name.text, from });
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.getText() === 'core.fetcher' &&
      node.arguments[0] &&
      ts.isObjectLiteralExpression(node.arguments[0])
    ) {
      for (const p of node.arguments[0].properties) {
        if (!ts.isPropertyAssignment(p)) continue;
        const key = p.name.getText();
        if (key === 'method' && ts.isStringLiteral(p.initializer)) out.method = p.initializer.text;
        if (key === 'url') Object.assign(out, urlPath(p.initializer));
        if (key === 'body' && ts.isCallExpression(p.initializer)) {
          const given = p.initializer.arguments[0]?.getText();
          if (given === 'request' || given === rest) out.body = { whole: true };
          else if (given && aliases.has(given)) out.body = { whole: false, property: aliases.get(given) };
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(method);
  return out.method && out.path ? out : undefined;
}

/** The first destructured variable an expression reads (`offset.toString()`, `serializers.X.jsonOrThrow(sortBy, ...)`). */
function firstOf(node: ts.Node, aliases: Map<string, string>): string | undefined {
  if (ts.isIdentifier(node) && aliases.has(node.text)) return aliases.get(node.text);
  let found: string | undefined;
  node.forEachChild((child) => {
    found ??= firstOf(child, aliases);
  });
  return found;
}

/** `core.url.join(base, \`sites/${core.url.encodePathParam(siteId)}\`)` → `/sites/{siteId}` and its names. */
function urlPath(node: ts.Expression): { path: string; pathNames: string[] } | undefined {
  let template: ts.TemplateLiteral | undefined;
  const visit = (n: ts.Node) => {
    if (ts.isTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n)) template = n;
    else if (ts.isStringLiteral(n) && n.parent && ts.isCallExpression(n.parent))
      template ??= ts.factory.createNoSubstitutionTemplateLiteral(n.text);
    n.forEachChild(visit);
  };
  visit(node);
  if (!template) return undefined;
  if (ts.isNoSubstitutionTemplateLiteral(template)) return { path: `/${template.text}`, pathNames: [] };
  const name = (e: ts.Expression) => (ts.isCallExpression(e) && e.arguments[0] ? e.arguments[0].getText() : e.getText());
  const pathNames = template.templateSpans.map((s) => name(s.expression));
  const path = template.head.text + template.templateSpans.map((s) => `{${name(s.expression)}}${s.literal.text}`).join('');
  return { path: `/${path}`, pathNames };
}

/** TypeScript name → the spec's, wherever a serializer writes `tsName: core.serialization.property("wire-name", ...)`. */
function serializerRenames(dir: string): Map<string, string> {
  const renames = new Map<string, string>();
  if (!existsSync(dir)) return renames;
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')))
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/\b(\w+): core\.serialization\.property\("([^"]+)"/g))
      if (m[1] !== m[2]) renames.set(m[1]!, m[2]!);
  return renames;
}
