import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { keywordSchema } from './ts-syntax.ts';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
const PLACES = new Set(['path', 'query', 'header']);

/**
 * An OpenAPI document as openapi-typescript writes it (`interface paths`, `interface operations`,
 * `interface components`): Microsoft Graph's v1.0 OpenAPI reaches npm only this way
 * (`@microsoft/teams.graph-endpoints`). Operation ids, methods, paths, parameters with their places and
 * whether they are required, and request bodies by media type are all kept by the generator; a
 * parameter's serialisation style is not, so a query array may also be sent as the one comma-joined
 * string OpenAPI's `style: form, explode: false` (Graph's `$select`, `$orderby`, `$expand`) puts on the
 * wire. OData's `@odata.type` annotation, listed as required on every Graph entity although the service
 * takes the type from the endpoint, is not required of a body.
 */
export function loadOpenApiTypescript(file: string): LoadedSpec {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const roots = new Map<string, ts.InterfaceDeclaration>();
  for (const statement of source.statements) if (ts.isInterfaceDeclaration(statement)) roots.set(statement.name.text, statement);
  const nameOf = (name: ts.PropertyName) => (ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : name.getText(source));
  const membersOf = (node: ts.InterfaceDeclaration | ts.TypeLiteralNode | undefined) => {
    const members: readonly ts.TypeElement[] = node?.members ?? [];
    return new Map(members.filter(ts.isPropertySignature).map((m) => [nameOf(m.name), m] as const));
  };
  const components = membersOf(roots.get('components'));
  const section = (name: string) => {
    const type = components.get(name)?.type;
    return membersOf(type && ts.isTypeLiteralNode(type) ? type : undefined);
  };
  const componentSections = new Map(['schemas', 'parameters', 'requestBodies'].map((name) => [name, section(name)]));

  /** `components['schemas']['x']` → the type it names */
  const dereference = (type: ts.TypeNode): ts.TypeNode | undefined => {
    if (!ts.isIndexedAccessTypeNode(type) || !ts.isLiteralTypeNode(type.indexType) || !ts.isStringLiteral(type.indexType.literal))
      return undefined;
    const outer = type.objectType;
    if (!ts.isIndexedAccessTypeNode(outer) || !ts.isLiteralTypeNode(outer.indexType) || !ts.isStringLiteral(outer.indexType.literal))
      return undefined;
    return componentSections.get(outer.indexType.literal.text)?.get(type.indexType.literal.text)?.type;
  };

  const schemaOf = (type: ts.TypeNode | undefined, depth: number): SpecSchema => {
    if (!type || depth > 6) return { open: true };
    const keyword = keywordSchema(type);
    if (keyword) return keyword;
    if (ts.isParenthesizedTypeNode(type)) return schemaOf(type.type, depth);
    if (ts.isArrayTypeNode(type)) return { type: ['array'], items: schemaOf(type.elementType, depth + 1) };
    if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return { type: ['string'], enum: [type.literal.text] };
    const target = dereference(type);
    if (target) return schemaOf(target, depth + 1);
    if (ts.isUnionTypeNode(type)) {
      const members = type.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      if (members.length === 1) return schemaOf(members[0], depth);
      const parts = members.map((t) => schemaOf(t, depth));
      // a union of string literals is an enum; any other union is left open
      if (parts.every((p) => p.enum && p.type?.[0] === 'string')) return { type: ['string'], enum: parts.flatMap((p) => p.enum!) };
      if (parts.every((p) => p.type?.length === 1 && p.type[0] === parts[0]!.type![0] && !p.properties)) return parts[0]!;
      return { open: true };
    }
    if (ts.isIntersectionTypeNode(type)) {
      // inheritance: `components['schemas']['microsoft.graph.entity'] & { … }`
      const out: SpecSchema = { type: ['object'], properties: {}, required: [] };
      for (const part of type.types.map((t) => schemaOf(t, depth))) {
        if (part.open) out.open = true;
        Object.assign(out.properties!, part.properties);
        out.required!.push(...(part.required ?? []));
      }
      return out;
    }
    if (ts.isTypeLiteralNode(type)) {
      const properties: Record<string, SpecSchema> = {};
      const required: string[] = [];
      for (const member of type.members) {
        if (!ts.isPropertySignature(member)) continue;
        const name = nameOf(member.name);
        properties[name] = schemaOf(member.type, depth + 1);
        if (!member.questionToken && name !== '@odata.type') required.push(name);
      }
      const open = type.members.some(ts.isIndexSignatureDeclaration);
      return { type: ['object'], properties, required, ...(open ? { open } : {}) };
    }
    return { open: true };
  };

  const operationTypes = membersOf(roots.get('operations'));
  const operations = new Map<string, SpecOperation>();
  for (const [path, item] of membersOf(roots.get('paths'))) {
    if (!item.type || !ts.isTypeLiteralNode(item.type)) continue;
    for (const [method, member] of membersOf(item.type)) {
      if (!METHODS.has(method) || !member.type || !ts.isIndexedAccessTypeNode(member.type)) continue;
      const index = member.type.indexType;
      if (!ts.isLiteralTypeNode(index) || !ts.isStringLiteral(index.literal)) continue;
      const id = index.literal.text;
      const op = operationTypes.get(id)?.type;
      if (!op || !ts.isTypeLiteralNode(op)) continue;
      const parts = membersOf(op);
      const params: SpecParam[] = [];
      const parameters = parts.get('parameters')?.type;
      for (const [place, group] of membersOf(parameters && ts.isTypeLiteralNode(parameters) ? parameters : undefined)) {
        if (!PLACES.has(place) || !group.type || !ts.isTypeLiteralNode(group.type)) continue;
        for (const [name, param] of membersOf(group.type)) {
          const schema = schemaOf(param.type, 0);
          // style: form, explode: false — the array as one comma-joined string
          const wire = place === 'query' && schema.type?.includes('array') ? { ...schema, type: [...schema.type, 'string'] } : schema;
          params.push({ name, in: place as SpecParam['in'], required: !param.questionToken || place === 'path', schema: wire });
        }
      }
      let body: SpecOperation['body'];
      const requestBody = parts.get('requestBody')?.type;
      const bodyType = requestBody && (dereference(requestBody) ?? requestBody);
      if (bodyType && ts.isTypeLiteralNode(bodyType)) {
        const content = membersOf(bodyType).get('content')?.type;
        const media: Array<'json' | 'form'> = [];
        let chosen: ts.TypeNode | undefined;
        for (const [type, entry] of membersOf(content && ts.isTypeLiteralNode(content) ? content : undefined)) {
          const kind = /json/i.test(type) ? 'json' : /x-www-form-urlencoded/i.test(type) ? 'form' : undefined;
          if (!kind) continue;
          media.push(kind);
          chosen ??= entry.type;
        }
        if (media.length > 0) body = { media, schema: schemaOf(chosen, 0) };
      }
      operations.set(id, { id, methods: [method.toUpperCase()], path, params, body, knowsRequired: true });
    }
  }
  return { kind: 'rest', operation: (id) => operations.get(id), ids: () => [...operations.keys()] };
}
