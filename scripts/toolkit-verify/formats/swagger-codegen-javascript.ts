import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedSpec, SpecOperation, SpecParam, SpecSchema } from '../model.ts';

/**
 * A client of swagger-codegen's `javascript` generator (`@mailchimp/mailchimp_marketing`'s `src`; `asana`'s
 * `src`, from Asana's own templates for it): per tag `api/<Tag>Api.js`, whose `<method>WithHttpInfo`
 * builds each request (a `Missing the required parameter` check per required argument, `pathParams` and
 * `queryParams` under their wire names, or the optional arguments passed through as the query, the body
 * as `postBody`, and `callApi('<path>', '<METHOD>', …)`), with the JSDoc of the method after it giving
 * each argument's type; `ApiClient.js` holds the server (`basePath`). Operations are `<Tag>Api.<method>`
 * (`ListsApi.getListMembersInfo`). Neither package ships models, so a body is known to be there (and
 * required or not) but not its properties: body arguments are not checked by name.
 */
export function loadSwaggerCodegenJavascript(root: string): LoadedSpec {
  const server = /this\.basePath = '([^']*)'/.exec(readFileSync(join(root, 'ApiClient.js'), 'utf8'))?.[1];
  if (server === undefined) throw new Error(`${root}/ApiClient.js has no basePath`);
  const base = server.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/\/+$/, '');
  const operation = (id: string): SpecOperation | undefined => {
    const m = /^(\w+Api)\.(\w+)$/.exec(id);
    if (!m) return undefined;
    const file = join(root, 'api', `${m[1]}.js`);
    if (!existsSync(file)) return undefined;
    const source = readFileSync(file, 'utf8');
    // `this.x = function(…)` (swagger-codegen's template) or a class method `x(…) {` (Asana's)
    const start = new RegExp(`\\n {2,4}(this\\.)?${m[2]}WithHttpInfo(?: = function)?\\(`).exec(source);
    const end = start && new RegExp(`\\n {2,4}(this\\.)?${m[2]}(?: = function)?\\(`).exec(source.slice(start.index + 1));
    return start && end ? readOperation(id, base, source.slice(start.index, start.index + 1 + end.index)) : undefined;
  };
  return { kind: 'rest', operation };
}

const CALL = /callApi\(\s*'([^']*)', '(\w+)'/;
const REQUIRED = /if \((\w+) === undefined \|\| \1 === null\) \{\n\s*throw new Error\("Missing the required parameter/g;
const BLOCK = (name: string) => new RegExp(`(?:var|let) ${name} = \\{([^}]*)\\};`);
const ENTRY = /'([^']+)': ([^\n]*?),?\n/g;
const DOC_PARAM = /@param \{([^}]+)\} (?:opts\.)?([\w.]+)/g;

/** A JSDoc type as the generator writes it: `Number`, `Boolean`, `String`, `Array.<String>`, `module:model/String` (an enum it does not list). */
function docType(type: string): SpecSchema {
  const array = /^Array\.<(.+)>$/.exec(type);
  if (array) return { type: ['array'], items: docType(array[1]!) };
  const name = type.replace(/^module:model\//, '');
  if (name === 'String') return { type: ['string'] };
  if (name === 'Number') return { type: ['number'] };
  if (name === 'Boolean') return { type: ['boolean'] };
  return { open: true };
}

function readOperation(id: string, base: string, source: string): SpecOperation | undefined {
  const call = CALL.exec(source);
  if (!call) return undefined;
  const required = new Set([...source.matchAll(REQUIRED)].map((m) => m[1]!));
  const types = new Map([...source.matchAll(DOC_PARAM)].map((m) => [m[2]!, docType(m[1]!)]));
  const params: SpecParam[] = [];
  for (const [block, place] of [
    ['pathParams', 'path'],
    ['queryParams', 'query'],
    ['headerParams', 'header'],
  ] as const) {
    for (const entry of (BLOCK(block).exec(source)?.[1] ?? '').concat('\n').matchAll(ENTRY)) {
      // `'sort_dir': ( opts['sortDir'] ? … )` reads an optional argument, `'list_id': listId` a positional one
      const argument = /opts\['(\w+)'\]/.exec(entry[2]!)?.[1] ?? entry[2]!.trim();
      let schema = types.get(argument) ?? {};
      // a `csv` collection goes on the wire as the one comma-joined string (OpenAPI 2 `collectionFormat: csv`)
      if (/buildCollectionParam\(.*'csv'\)/.test(entry[2]!)) schema = { ...schema, type: ['array', 'string'] };
      params.push({ name: entry[1]!, in: place, required: place === 'path' || required.has(argument), schema });
    }
  }
  if (/\bqueryParams = opts;/.test(source))
    for (const [name, schema] of types)
      if (source.includes(`opts.${name} `) && name !== 'body')
        // passed through as they are given; a list also as the comma-joined string (Asana's `opt_fields`, "comma-separated")
        params.push({
          name,
          in: 'query',
          required: false,
          schema: schema.type?.includes('array') ? { ...schema, type: ['array', 'string'] } : schema,
        });
  // `postBody = body` (a positional argument) or `opts['body']` (an optional one, Asana's)
  const bodyVariable = /(?:var|let) postBody = (\w+|opts\['body'\]);/.exec(source)?.[1];
  const body: SpecOperation['body'] =
    bodyVariable && bodyVariable !== 'null' ? { media: ['json'], schema: { type: ['object'], open: true } } : undefined;
  return { id, methods: [call[2]!.toUpperCase()], path: base + call[1]!, params, body, knowsRequired: true };
}
