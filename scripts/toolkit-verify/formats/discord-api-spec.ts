import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema } from './ts-types.ts';

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);
const PLACES = ['path', 'query', 'header'] as const;

/**
 * Discord's OpenAPI document (github.com/discord/discord-api-spec) as the `discord-api-spec` package
 * generates it daily into TypeScript (`build/discord-api-spec.ts`): `interface Paths` keeps every path
 * and method with its `parameters` (`path`, `query`, `header`, each member optional or not) and its
 * `requestBody` type, and each response's comment names the operation (`200 response for
 * create_message`); operations are those ids. The generator writes every `path` group as optional and
 * drops media types: a path parameter is always required, and a body is JSON, the only body Discord's
 * REST API reads apart from multipart file uploads (discord.com/developers/docs/reference#uploading-files).
 */
export function loadDiscordApiSpec(file: string): LoadedSpec {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const paths = source?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Paths');
  const operations = new Map<string, SpecOperation>();
  const nameOf = (name: ts.PropertyName) => (ts.isStringLiteral(name) || ts.isIdentifier(name) ? name.text : '');
  const members = (node: ts.TypeNode | undefined): Map<string, ts.PropertySignature> => {
    const list: readonly ts.TypeElement[] = node && ts.isTypeLiteralNode(node) ? node.members : [];
    return new Map(list.filter(ts.isPropertySignature).map((m) => [nameOf(m.name), m] as const));
  };

  for (const item of paths?.members.filter(ts.isPropertySignature) ?? []) {
    const path = nameOf(item.name);
    for (const [method, op] of members(item.type)) {
      if (!METHODS.has(method)) continue;
      const parts = members(op.type);
      const id = operationId(parts.get('responses'), source!);
      if (!id) continue;
      const params: SpecParam[] = [];
      const groups = members(parts.get('parameters')?.type);
      for (const place of PLACES) {
        const group = groups.get(place);
        if (!group?.type || group.type.kind === ts.SyntaxKind.NeverKeyword) continue;
        const schema = argumentSchema(checker, checker.getTypeFromTypeNode(group.type), group);
        for (const [name, param] of Object.entries(schema.properties ?? {}))
          params.push({ name, in: place, required: place === 'path' || Boolean(schema.required?.includes(name)), schema: param });
      }
      let body: SpecOperation['body'];
      const requestBody = parts.get('requestBody');
      if (requestBody?.type && requestBody.type.kind !== ts.SyntaxKind.UndefinedKeyword) {
        const type = checker.getNonNullableType(checker.getTypeFromTypeNode(requestBody.type));
        const schema: SpecSchema = { type: ['object'], ...argumentSchema(checker, type, requestBody) };
        body = { media: ['json'], schema };
      }
      operations.set(id, { id, methods: [method.toUpperCase()], path, params, body, knowsRequired: true });
    }
  }
  return { kind: 'rest', operation: (id) => operations.get(id), ids: () => [...operations.keys()] };
}

/** The operation id a response's comment names: `/** 200 response for list_messages *\/`. */
function operationId(responses: ts.PropertySignature | undefined, source: ts.SourceFile): string | undefined {
  const type = responses?.type;
  if (!type || !ts.isTypeLiteralNode(type)) return undefined;
  for (const member of type.members) {
    for (const range of ts.getLeadingCommentRanges(source.text, member.pos) ?? []) {
      const m = /\bresponse for (\w+)/.exec(source.text.slice(range.pos, range.end));
      if (m) return m[1];
    }
  }
  return undefined;
}
