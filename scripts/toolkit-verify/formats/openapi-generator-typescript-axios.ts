import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';
import { argumentSchema, typeSchema } from './ts-types.ts';

/**
 * A client of OpenAPI Generator's `typescript-axios` generator, compiled (a version folder of the
 * `pipedrive` package, `dist/versions/v2`): per tag `api/<tag>-api.js`, whose `<Tag>ApiAxiosParamCreator`
 * builds every request of the spec as plain code (the path template with its `{param}`s, the method, each
 * query and header parameter under its wire name, `assertParamExists` for each required one, the body
 * and its Content-Type), and the `.d.ts` beside it, which types each argument of that creator (enums as
 * unions of literals, the body as its model interface, whose optional members are the ones the spec does
 * not require). `base.js` holds the server (`BASE_PATH`), whose path every operation path is under.
 * Operations are `<Tag>Api.<method>` (`DealsApi.getDeals`).
 */
export function loadOpenApiGeneratorTypescriptAxios(root: string): LoadedSpec {
  const server = /BASE_PATH = "([^"]*)"/.exec(readFileSync(join(root, 'base.js'), 'utf8'))?.[1];
  if (server === undefined) throw new Error(`${root}/base.js has no BASE_PATH`);
  const base = server.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/\/+$/, '');
  const signatures = new Map<string, Signatures | undefined>();
  const operation = (id: string): SpecOperation | undefined => {
    const m = /^(\w+)Api\.(\w+)$/.exec(id);
    if (!m) return undefined;
    const [, tag, method] = m as unknown as [string, string, string];
    const file = join(root, 'api', `${tag.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '-').toLowerCase()}-api`);
    if (!existsSync(`${file}.js`) || !existsSync(`${file}.d.ts`)) return undefined;
    const source = creatorMethod(readFileSync(`${file}.js`, 'utf8'), `${tag}ApiAxiosParamCreator`, method);
    if (!signatures.has(file)) signatures.set(file, readSignatures(`${file}.d.ts`, `${tag}ApiAxiosParamCreator`));
    const types = signatures.get(file)?.(method);
    return source && types ? readOperation(id, base, source, types) : undefined;
  };
  return { kind: 'rest', operation };
}

/** The source of `method` in the object the param creator returns: from `method: (` to the next member at its indent. */
function creatorMethod(source: string, creator: string, method: string): string | undefined {
  const start = source.indexOf(`const ${creator} = `);
  if (start === -1) return undefined;
  const header = new RegExp(`\\n {8}${method}: \\(`).exec(source.slice(start));
  if (!header) return undefined;
  const rest = source.slice(start + header.index + header[0].length);
  const next = rest.search(/\n( {8}\w+: \(| {4}\};)/);
  return next === -1 ? rest : rest.slice(0, next);
}

/** Each argument of a creator method by its variable name: what its type admits and whether it may be left out. */
type Arguments = Map<string, { schema: SpecSchema; optional: boolean }>;
type Signatures = (method: string) => Arguments | undefined;

function readSignatures(file: string, creator: string): Signatures | undefined {
  const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const declaration = source?.statements
    .filter(ts.isVariableStatement)
    .flatMap((s) => s.declarationList.declarations)
    .find((d) => ts.isIdentifier(d.name) && d.name.text === creator);
  if (!declaration) return undefined;
  const factory = checker.getTypeAtLocation(declaration.name).getCallSignatures()[0];
  if (!factory) return undefined;
  const methods = factory.getReturnType();
  return (method) => {
    const prop = methods.getProperty(method);
    const signature = prop && checker.getTypeOfSymbolAtLocation(prop, declaration).getCallSignatures()[0];
    if (!signature) return undefined;
    return new Map(
      signature.getParameters().map((p) => {
        const type = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, declaration));
        const optional = Boolean(p.valueDeclaration && ts.isParameter(p.valueDeclaration) && p.valueDeclaration.questionToken);
        const schema = typeSchema(checker, type);
        // the body is the one object argument: its model's members (an `allOf` model is an intersection) are what the spec lists
        const object = type.isIntersection() || (schema.type?.length === 1 && schema.type[0] === 'object');
        const full = object ? { ...argumentSchema(checker, type, declaration), type: ['object'] } : schema;
        return [p.name, { schema: full, optional }];
      }),
    );
  };
}

const METHOD = /\{ method: '(\w+)' \}/;
const PATH = /const localVarPath = `([^`]*)`/;
const PATH_PARAM = /\.replace\(`\{\$\{"(\w+)"\}\}`, encodeURIComponent\(String\((\w+)\)\)\)/g;
const REQUIRED = /assertParamExists\('\w+', '\w+', (\w+)\)/g;
// each parameter is set from an expression of its argument (`ids.join(...)`, `String(x)`, a Date's toISOString())
const QUERY = /localVarQueryParameter\['([^']+)'\] = ([^;]+);/g;
const HEADER = /localVarHeaderParameter\['([^']+)'\] = ([^;]+);/g;
const FORM = /localVarFormParams\.(?:set|append)\('([^']+)', ([^;]+)\);/g;
const BODY = /serializeDataIfNeeded\)?\((\w+),/;
const CONTENT_TYPE = /localVarHeaderParameter\['Content-Type'\] = '([^']+)'/;

function readOperation(id: string, base: string, source: string, args: Arguments): SpecOperation | undefined {
  const method = METHOD.exec(source)?.[1];
  const path = PATH.exec(source)?.[1];
  if (!method || path === undefined) return undefined;
  const asserted = new Set([...source.matchAll(REQUIRED)].map((m) => m[1]!));
  const param = (name: string, place: SpecParam['in'], variable: string): SpecParam => {
    const arg = args.get(variable);
    return { name, in: place, required: place === 'path' || asserted.has(variable) || arg?.optional === false, schema: arg?.schema ?? {} };
  };
  const argumentIn = (expression: string) => expression.match(/\w+/g)?.find((word) => args.has(word)) ?? '';
  const params: SpecParam[] = [...source.matchAll(PATH_PARAM)].map((m) => param(m[1]!, 'path', m[2]!));
  for (const m of source.matchAll(QUERY)) params.push(param(m[1]!, 'query', argumentIn(m[2]!)));
  for (const m of source.matchAll(HEADER)) if (!/^content-type$/i.test(m[1]!)) params.push(param(m[1]!, 'header', argumentIn(m[2]!)));
  const contentType = CONTENT_TYPE.exec(source)?.[1] ?? '';
  let body: SpecOperation['body'];
  const bodyVariable = BODY.exec(source)?.[1];
  if (bodyVariable && /json/i.test(contentType)) body = { media: ['json'], schema: args.get(bodyVariable)?.schema ?? { open: true } };
  const formFields = [...source.matchAll(FORM)].map((m) => param(m[1]!, 'query', argumentIn(m[2]!)));
  if (formFields.length > 0 && /x-www-form-urlencoded/i.test(contentType))
    body = {
      media: ['form'],
      schema: {
        properties: Object.fromEntries(formFields.map((f) => [f.name, f.schema])),
        required: formFields.filter((f) => f.required).map((f) => f.name),
      },
    };
  return { id, methods: [method.toUpperCase()], path: base + path, params, body, knowsRequired: true };
}
