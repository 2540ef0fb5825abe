import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { syntaxSchema } from './ts-syntax.ts';

/**
 * One module of Zoom Rivet (`@zoom/rivet`, whose endpoints Zoom generates from its OpenAPI documents):
 * the folder `<module>/` with `<module>.mjs`, where the `<Module>Endpoints` class builds every endpoint as
 * `<method>: this.buildEndpoint({ method: "POST", urlPathBuilder: ({ userId }) => \`/users/${userId}/meetings\`,
 * requestMimeType? })` inside a group (`meetings = { … }`), and `<module>.d.ts`, where the same class declares
 * each endpoint's argument as `{ path: …PathParams } & { body?: …RequestBody } & { query?: …QueryParams }`,
 * the types written out member by member with their wire names. Operations are `<group>.<method>`
 * (`meetings.createMeeting`); paths are relative to Rivet's base URL (`https://api.zoom.us/v2`), so the
 * registry entry gives `base_path`.
 */
export function loadZoomRivet(dir: string): LoadedSpec {
  const name = basename(dir);
  const code = parse(join(dir, `${name}.mjs`));
  const types = parse(join(dir, `${name}.d.ts`));
  const aliases = new Map<string, ts.TypeNode>();
  for (const statement of types.statements) if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
  const schemaOf = (node: ts.TypeNode) => syntaxSchema(node, (n) => aliases.get(n));
  const builders = endpointMembers(code, (group, member) =>
    ts.isPropertyAssignment(member) ? [`${group}.${member.name.getText()}`, member.initializer] : undefined,
  );
  const signatures = endpointMembers(types, (group, member) =>
    ts.isPropertySignature(member) && member.type ? [`${group}.${member.name.getText()}`, member.type] : undefined,
  );
  const operation = (id: string): SpecOperation | undefined => {
    const built = builders.get(id);
    const request = built && readBuilder(built);
    if (!request) return undefined;
    const signature = signatures.get(id);
    const parts = signature && ts.isFunctionTypeNode(signature) ? argumentParts(signature) : new Map<string, Part>();
    const params: SpecParam[] = request.pathParams.map((p) => ({
      name: p,
      in: 'path',
      required: true,
      schema: pathSchema(parts, p, schemaOf),
    }));
    const query = parts.get('query');
    const querySchema = query ? schemaOf(query.type) : undefined;
    for (const [param, schema] of Object.entries(querySchema?.properties ?? {}))
      params.push({ name: param, in: 'query', required: !query!.optional && (querySchema!.required ?? []).includes(param), schema });
    const bodyPart = parts.get('body');
    let body: SpecOperation['body'];
    if (bodyPart) {
      const schema = schemaOf(bodyPart.type);
      const media: Array<'json' | 'form'> = /json/.test(request.mime)
        ? ['json']
        : /x-www-form-urlencoded/.test(request.mime)
          ? ['form']
          : [];
      // a body the caller may leave out requires nothing
      body = { media, schema: bodyPart.optional ? { ...schema, required: [] } : schema };
    }
    return { id, methods: [request.method], path: request.path, params, body, knowsRequired: true };
  };
  return { kind: 'rest', operation, ids: () => [...builders.keys()] };
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** `<group>.<endpoint>` → what `pick` takes from each endpoint of each group of the `…Endpoints` class. */
function endpointMembers<T>(source: ts.SourceFile, pick: (group: string, member: ts.Node) => [string, T] | undefined): Map<string, T> {
  const found = new Map<string, T>();
  for (const statement of source.statements) {
    if (!ts.isClassDeclaration(statement) || !statement.name?.text.endsWith('Endpoints')) continue;
    for (const group of statement.members) {
      if (!ts.isPropertyDeclaration(group)) continue;
      const value = group.initializer ?? group.type;
      const members =
        value && ts.isObjectLiteralExpression(value) ? value.properties : value && ts.isTypeLiteralNode(value) ? value.members : undefined;
      for (const member of members ?? []) {
        const entry = pick(group.name.getText(), member);
        if (entry) found.set(entry[0], entry[1]);
      }
    }
  }
  return found;
}

/** `this.buildEndpoint({ method, urlPathBuilder: ({ a }) => \`/x/${a}\`, requestMimeType })` → its request. */
function readBuilder(call: ts.Expression): { method: string; path: string; pathParams: string[]; mime: string } | undefined {
  if (!ts.isCallExpression(call) || !call.arguments[0] || !ts.isObjectLiteralExpression(call.arguments[0])) return undefined;
  const option = (name: string) =>
    call.arguments[0] &&
    (call.arguments[0] as ts.ObjectLiteralExpression).properties.find(
      (p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === name,
    )?.initializer;
  const method = option('method');
  const builder = option('urlPathBuilder');
  const mime = option('requestMimeType');
  if (!method || !ts.isStringLiteral(method) || !builder || !ts.isArrowFunction(builder)) return undefined;
  const template = builder.body;
  const pathParams: string[] = [];
  let path: string;
  if (ts.isNoSubstitutionTemplateLiteral(template)) path = template.text;
  else if (ts.isTemplateExpression(template)) {
    path = template.head.text;
    for (const span of template.templateSpans) {
      const param = span.expression.getText();
      pathParams.push(param);
      path += `{${param}}${span.literal.text}`;
    }
  } else return undefined;
  return { method: method.text, path, pathParams, mime: mime && ts.isStringLiteral(mime) ? mime.text : 'application/json' };
}

type Part = { type: ts.TypeNode; optional: boolean };

/** The `path`, `query` and `body` members of an endpoint's argument (`{ path: … } & { body?: … } & object`). */
function argumentParts(signature: ts.FunctionTypeNode): Map<string, Part> {
  const parts = new Map<string, Part>();
  const arg = signature.parameters[0]?.type;
  const pieces = arg && ts.isIntersectionTypeNode(arg) ? arg.types : arg ? [arg] : [];
  for (const piece of pieces) {
    if (!ts.isTypeLiteralNode(piece)) continue;
    for (const member of piece.members)
      if (ts.isPropertySignature(member) && member.type)
        parts.set(member.name.getText(), { type: member.type, optional: Boolean(member.questionToken) });
  }
  return parts;
}

function pathSchema(parts: Map<string, Part>, param: string, schemaOf: (n: ts.TypeNode) => SpecSchema): SpecSchema {
  const path = parts.get('path');
  return (path && schemaOf(path.type).properties?.[param]) ?? {};
}
