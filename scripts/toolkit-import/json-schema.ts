import type { Spec } from './read-spec.ts';

type Schema = Record<string, unknown>;

// OpenAPI's own keywords, which draft-07 does not know (OpenAPI 3.0.3 4.7.24 "Schema Object")
const OPENAPI_ONLY = new Set(['nullable', 'discriminator', 'xml', 'externalDocs', 'example', 'deprecated', 'readOnly', 'writeOnly']);
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SCHEMA_ONE = ['items', 'not', 'additionalProperties', 'if', 'then', 'else', 'contains', 'propertyNames'];

/**
 * An OpenAPI schema (already dereferenced by the parser) as the draft-07 JSON Schema a tool's
 * `input_parameters` takes: `nullable` becomes a `null` type, `example` an `examples` list, OpenAPI's
 * own keywords go, and so do `readOnly` properties (a request never sends them: OpenAPI 3.0.3 4.7.24).
 * A schema that contains itself (a tree, a linked list) is cut where it recurs: any value is accepted
 * there and the provider checks it.
 */
export function toJsonSchema(input: unknown, seen: Set<unknown> = new Set()): Schema {
  if (input === true || input === undefined) return {};
  if (input === null || typeof input !== 'object') return {};
  if (seen.has(input)) return { description: 'recursive: the same shape again (not checked here)' };
  const source = input as Spec;
  const inner = new Set(seen).add(input);
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith('x-')) continue;
    if (SCHEMA_LISTS.includes(key) && Array.isArray(value)) out[key] = value.map((s) => toJsonSchema(s, inner));
    else if (SCHEMA_MAPS.includes(key) && value && typeof value === 'object') {
      const entries = Object.entries(value as Spec).filter(([, s]) => key !== 'properties' || !(s as Spec)?.readOnly);
      out[key] = Object.fromEntries(entries.map(([name, s]) => [name, toJsonSchema(s, inner)]));
    } else if (SCHEMA_ONE.includes(key) && value !== null && typeof value === 'object')
      out[key] = Array.isArray(value) ? value.map((s) => toJsonSchema(s, inner)) : toJsonSchema(value, inner);
    else out[key] = value;
  }
  if (Array.isArray(out.required) && out.properties) {
    const kept = (out.required as string[]).filter((n) => n in (out.properties as Schema));
    if (kept.length > 0) out.required = kept;
    else delete out.required;
  }
  if (source.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (source.example !== undefined && out.examples === undefined) out.examples = [source.example];
  return out;
}

/** A Swagger 2 non-body parameter carries its schema keywords on itself (Swagger 2.0 "Parameter Object"). */
export function swagger2ParameterSchema(parameter: Spec): Schema {
  if (parameter.schema) return toJsonSchema(parameter.schema);
  const { name: _n, in: _i, required: _r, description: _d, collectionFormat: _c, allowEmptyValue: _a, ...keywords } = parameter;
  return toJsonSchema(keywords);
}
