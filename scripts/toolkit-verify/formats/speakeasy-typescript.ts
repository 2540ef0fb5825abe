import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema, cachingHost, SDK_OPTIONS, typeSchema } from './ts-types.ts';

/**
 * The TypeScript source of an SDK Speakeasy generated from a provider's OpenAPI document (`@vercel/sdk`'s
 * `src`): each `funcs/<name>.ts` keeps the spec's `operationID`, sends `method: "GET"` to
 * `pathToFunc("/v9/projects/{idOrName}")`, names the query parameters as the spec does in
 * `encodeFormQuery({ "teamId": payload.teamId })`, headers in `encodeSimple("x-name", payload.xName)` and
 * the JSON body as `encodeJSON("body", payload.RequestBody)`; the `request` parameter's type says which
 * are required. A body property whose TypeScript name is not the spec's is renamed back by a
 * `remap$(v, { tsName: "wire_name" })` in its model's outbound schema, which is read here too.
 */
export function loadSpeakeasyTypescript(dir: string): LoadedSpec {
  const funcs = join(dir, 'funcs');
  const files = new Map<string, string>();
  for (const name of readdirSync(funcs).filter((f) => f.endsWith('.ts'))) {
    const id = /operationID: "([^"]+)"/.exec(readFileSync(join(funcs, name), 'utf8'))?.[1];
    if (id) files.set(id, join(funcs, name));
  }
  const cache = new Map<string, SpecOperation | undefined>();
  const host = cachingHost(SDK_OPTIONS);
  const operation = (id: string) => {
    if (!cache.has(id)) {
      const file = files.get(id);
      cache.set(id, file ? readOperation(id, file, ts.createProgram([file], SDK_OPTIONS, host)) : undefined);
    }
    return cache.get(id);
  };
  return { kind: 'rest', operation, ids: () => [...files.keys()] };
}

interface Found {
  method?: string;
  path?: string;
  /** wire name → the request property it is read from, by place */
  params: Array<{ name: string; in: 'query' | 'header'; prop: string }>;
  /** the request property sent as the JSON body; '' when the whole request is the body */
  body?: string;
}

function readOperation(id: string, file: string, program: ts.Program): SpecOperation | undefined {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) return undefined;
  const found = scan(source);
  if (!found.method || !found.path) return undefined;
  const fn = source.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && Boolean(s.name));
  const request = fn?.parameters.find((p) => p.name.getText(source) === 'request');
  const requestType = request ? checker.getNonNullableType(checker.getTypeAtLocation(request)) : undefined;
  // `payload` is the request after its outbound schema, under the spec's names: back to the TypeScript ones
  const tsName = new Map([...(requestType ? remaps(requestType) : [])].map(([ts, wire]) => [wire, ts]));
  const prop = (name: string) => requestType && checker.getPropertyOfType(requestType, tsName.get(name) ?? name);
  const schemaOf = (name: string): { required: boolean; schema: SpecSchema; type?: ts.Type } => {
    const symbol = prop(name);
    if (!symbol || !request) return { required: false, schema: { open: true } };
    const type = checker.getTypeOfSymbolAtLocation(symbol, request);
    return { required: !(symbol.flags & ts.SymbolFlags.Optional), schema: typeSchema(checker, type), type };
  };
  const params: SpecParam[] = [
    ...[...found.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1]!,
      in: 'path' as const,
      required: true,
      schema: { type: ['string'] },
    })),
    ...found.params.map((p) => {
      const { required, schema } = schemaOf(p.prop);
      return { name: p.name, in: p.in, required, schema };
    }),
  ];
  let body: SpecOperation['body'];
  if (found.body !== undefined && request) {
    const type = found.body === '' ? requestType : schemaOf(found.body).type;
    if (type) body = { media: ['json'], schema: withWireNames(argumentSchema(checker, checker.getNonNullableType(type), request), type) };
  }
  return { id, methods: [found.method], path: found.path, params, body, knowsRequired: true };
}

/** The method, path, query and header parameters and body of the request the function builds. */
function scan(source: ts.SourceFile): Found {
  const found: Found = { params: [] };
  const payloadProp = (node: ts.Node | undefined) =>
    node && ts.isPropertyAccessExpression(node) && node.expression.getText(source) === 'payload' ? node.name.text : undefined;
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const [first, second] = node.arguments;
      if (callee === 'pathToFunc' && first && ts.isStringLiteral(first)) found.path = first.text;
      if (callee === 'encodeFormQuery' && first && ts.isObjectLiteralExpression(first))
        for (const p of first.properties) {
          const from = ts.isPropertyAssignment(p) ? payloadProp(p.initializer) : undefined;
          if (from && ts.isPropertyAssignment(p) && ts.isStringLiteral(p.name))
            found.params.push({ name: p.name.text, in: 'query', prop: from });
        }
      if (callee === 'encodeJSON' && first && ts.isStringLiteral(first) && first.text === 'body' && second)
        found.body = second.getText(source) === 'payload' ? '' : payloadProp(second);
      // a header is `"Name": encodeSimple("Name", payload.name, ...)` inside `new Headers(compactMap({...}))`
      if (callee === 'encodeSimple' && first && ts.isStringLiteral(first) && isHeader(node)) {
        const from = payloadProp(second);
        if (from) found.params.push({ name: first.text, in: 'header', prop: from });
      }
    }
    if (ts.isPropertyAssignment(node) && node.name.getText(source) === 'method' && ts.isStringLiteral(node.initializer))
      found.method = node.initializer.text;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function isHeader(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) if (ts.isNewExpression(n)) return n.expression.getText() === 'Headers';
  return false;
}

/** TypeScript name → the spec's, as `remap$(v, { tsName: "wire_name" })` calls in the type's model file rename them. */
function remaps(type: ts.Type): Map<string, string> {
  const renames = new Map<string, string>();
  const symbols = [type.aliasSymbol, type.getSymbol(), ...(type.isUnion() ? type.types.map((t) => t.aliasSymbol ?? t.getSymbol()) : [])];
  const files = new Set(symbols.map((s) => s?.declarations?.[0]?.getSourceFile()).filter((f) => f !== undefined));
  for (const file of files)
    for (const call of file.text.matchAll(/remap\$\(v, \{([^}]*)\}/g))
      for (const pair of call[1]!.matchAll(/(\w+): "([^"]+)"/g)) renames.set(pair[1]!, pair[2]!);
  return renames;
}

/** The body's properties under the names the spec gives them. */
function withWireNames(schema: SpecSchema, type: ts.Type): SpecSchema {
  const renames = remaps(type);
  if (renames.size === 0 || !schema.properties) return schema;
  const rename = (name: string) => renames.get(name) ?? name;
  return {
    ...schema,
    properties: Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [rename(k), v])),
    required: schema.required?.map(rename),
  };
}
