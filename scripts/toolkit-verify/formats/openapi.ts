import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { fromJsonSchema, type LoadedSpec, type SpecOperation, type SpecParam, type SpecSchema } from '../model.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Follows local `$ref`s (`#/components/schemas/X`, `#/definitions/X`); a spec's own references only. */
export function localResolver(doc: any) {
  return function resolve(node: unknown): unknown {
    let current = node as any;
    for (let hops = 0; current && typeof current === 'object' && typeof current.$ref === 'string' && hops < 20; hops++) {
      const ref: string = current.$ref;
      if (!ref.startsWith('#/')) return undefined;
      current = ref
        .slice(2)
        .split('/')
        .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((n: any, key) => n?.[key], doc);
    }
    return current;
  };
}

/** The path every operation path is under: the first server's (OpenAPI 3) or `basePath` (Swagger 2). */
function basePath(doc: any): string {
  const server: string = doc.servers?.[0]?.url ?? doc.basePath ?? '';
  return server.replace(/^[a-z]+:\/\/[^/]*/i, '').replace(/\/+$/, '');
}

/**
 * Reads an OpenAPI document file, JSON or YAML (OpenAPI 3.1 section 4.2: either; some providers publish
 * only YAML, e.g. `@figma/rest-api-spec`). A JSON document starts with `{`; anything else is YAML,
 * which js-yaml reads (its default schema constructs no functions or classes). A URL source is cached
 * under its hash, so the content decides, not the name.
 */
export function readOpenApiFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return text.trimStart().startsWith('{') ? JSON.parse(text) : loadYaml(text);
}

/** An OpenAPI 3.x or Swagger 2 document (JSON or YAML, parsed), its operations by operationId (or `METHOD /path`). */
export function loadOpenApi(doc: any): LoadedSpec {
  const resolve = localResolver(doc);
  const schema = (n: unknown) => fromJsonSchema(n, resolve);
  const operations = new Map<string, SpecOperation>();
  const base = basePath(doc);
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const byKey = new Map<string, any>();
      for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const p = resolve(raw) as any;
        if (p) byKey.set(`${p.in}:${p.name}`, p);
      }
      const params: SpecParam[] = [];
      let body: SpecOperation['body'];
      const formFields: Record<string, SpecSchema> = {};
      const formRequired: string[] = [];
      for (const p of byKey.values()) {
        if (p.in === 'body') body = { media: ['json'], schema: schema(p.schema) };
        else if (p.in === 'formData') {
          formFields[p.name] = schema(p);
          if (p.required) formRequired.push(p.name);
        } else if (p.in === 'path' || p.in === 'query' || p.in === 'header')
          params.push({ name: p.name, in: p.in, required: Boolean(p.required), schema: schema(p.schema ?? p) });
      }
      if (Object.keys(formFields).length > 0) body = { media: ['form'], schema: { properties: formFields, required: formRequired } };
      const requestBody = resolve(op.requestBody) as any;
      if (requestBody?.content) {
        const media: Array<'json' | 'form'> = [];
        let chosen: unknown;
        for (const [type, content] of Object.entries<any>(requestBody.content)) {
          const kind = /json/i.test(type) ? 'json' : /x-www-form-urlencoded/i.test(type) ? 'form' : undefined;
          if (!kind) continue;
          media.push(kind);
          chosen ??= content.schema;
        }
        if (media.length > 0) body = { media, schema: schema(chosen) };
      }
      const id = op.operationId ?? `${method.toUpperCase()} ${path}`;
      operations.set(id, { id, methods: [method.toUpperCase()], path: base + path, params, body, knowsRequired: true });
    }
  }
  return { kind: 'rest', operation: (id) => operations.get(id), ids: () => [...operations.keys()] };
}
