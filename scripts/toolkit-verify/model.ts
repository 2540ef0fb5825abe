import type { GraphQLSchema } from 'graphql';

/**
 * What every spec format is read into, so that one checker compares a tool with any of them: an
 * operation's HTTP methods, its path from the host root with `{param}`s, where each parameter goes, and
 * the shape of its body, as far as the format tells.
 */
export interface SpecSchema {
  type?: string[];
  enum?: unknown[];
  properties?: Record<string, SpecSchema>;
  required?: string[];
  items?: SpecSchema;
  /** the spec does not list every property (additionalProperties, a map, a union it cannot follow) */
  open?: boolean;
}

export type ParamPlace = 'path' | 'query' | 'header';

export interface SpecParam {
  name: string;
  in: ParamPlace;
  required: boolean;
  schema: SpecSchema;
}

export interface SpecOperation {
  id: string;
  methods: string[];
  path: string;
  params: SpecParam[];
  body?: { media: Array<'json' | 'form'>; schema: SpecSchema };
  /** the provider reads every argument from the query or the body alike (Slack's Web API) */
  argsAnywhere?: boolean;
  /** the format says which parameters are required */
  knowsRequired: boolean;
}

export type LoadedSpec =
  | { kind: 'rest'; operation: (id: string) => SpecOperation | undefined; ids?: () => string[] }
  | { kind: 'graphql'; schema: GraphQLSchema };

/** A JSON-Schema-like node of a spec, after `$ref`s are followed, as a SpecSchema (bounded depth: specs are recursive). */
export function fromJsonSchema(node: unknown, resolve: (n: unknown) => unknown, depth = 0, seen = new Set<unknown>()): SpecSchema {
  const s = resolve(node) as Record<string, any> | undefined;
  if (!s || typeof s !== 'object' || depth > 6 || seen.has(s)) return { open: true };
  const inner = new Set(seen).add(s);
  const sub = (n: unknown) => fromJsonSchema(n, resolve, depth + 1, inner);
  const parts = [...(s.allOf ?? [])].map(sub);
  const alternatives = [...(s.oneOf ?? []), ...(s.anyOf ?? [])].map(sub);
  const out: SpecSchema = {};
  const types = s.type === undefined ? [] : [s.type].flat().filter((t: string) => t !== 'null');
  if (types.length > 0) out.type = types;
  if (Array.isArray(s.enum)) out.enum = s.enum.filter((v: unknown) => v !== null);
  if (s.items) out.items = sub(s.items);
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, sub(v)]));
  if (Array.isArray(s.required)) out.required = s.required;
  if ((s.additionalProperties && s.additionalProperties !== false) || (types.includes('object') && !s.properties)) out.open = true;
  for (const part of parts) merge(out, part, true);
  if (alternatives.length > 0) {
    const union: SpecSchema = {};
    for (const alt of alternatives) merge(union, alt, false);
    // a property is required by the union only when every alternative requires it
    union.required = alternatives.reduce<string[] | undefined>(
      (acc, alt) => (acc === undefined ? (alt.required ?? []) : acc.filter((r) => alt.required?.includes(r))),
      undefined,
    );
    merge(out, union, true);
  }
  if (!out.type && !out.properties && !out.items && !out.enum) out.open = true;
  return out;
}

function merge(into: SpecSchema, from: SpecSchema, keepRequired: boolean): void {
  if (from.type) into.type = [...new Set([...(into.type ?? []), ...from.type])];
  if (from.enum) into.enum = [...new Set([...(into.enum ?? []), ...from.enum])];
  if (from.items) into.items ??= from.items;
  if (from.properties) into.properties = { ...from.properties, ...into.properties };
  if (keepRequired && from.required) into.required = [...new Set([...(into.required ?? []), ...from.required])];
  if (from.open) into.open = true;
}

type OurSchema = Record<string, any>;

function ourTypes(s: OurSchema): string[] {
  if (s.type !== undefined) return [s.type].flat();
  if (s.const !== undefined) return [Array.isArray(s.const) ? 'array' : s.const === null ? 'null' : typeof s.const];
  return [];
}

/**
 * Whether what a tool's input schema lets through, the spec accepts: each type the tool allows is one of
 * the spec's (an integer is a number), each enum value or const is one of the spec's enum, and array
 * items and object properties likewise, as deep as both sides describe them. Returns the first problem.
 */
export function incompatibility(ours: OurSchema, theirs: SpecSchema, where: string): string | null {
  if (theirs.type && theirs.type.length > 0) {
    for (const t of ourTypes(ours)) {
      if (t === 'null') continue;
      const ok = theirs.type.includes(t) || (t === 'integer' && theirs.type.includes('number'));
      if (!ok) return `${where} is ${t} here, ${theirs.type.join(' or ')} in the spec`;
    }
  }
  if (theirs.enum && theirs.enum.length > 0) {
    const values = ours.const !== undefined ? [ours.const] : (ours.enum ?? []);
    const extra = values.filter((v: unknown) => v !== null && !theirs.enum!.includes(v));
    if (extra.length > 0) return `${where} allows ${extra.map((v: unknown) => JSON.stringify(v)).join(', ')}, not in the spec's enum`;
  }
  if (ours.items && theirs.items) {
    const problem = incompatibility(ours.items, theirs.items, `${where}[]`);
    if (problem) return problem;
  }
  if (ours.properties && theirs.properties && !theirs.open) {
    for (const [name, schema] of Object.entries<OurSchema>(ours.properties)) {
      const spec = theirs.properties[name];
      if (!spec) return `${where}.${name} is not in the spec`;
      const problem = incompatibility(schema, spec, `${where}.${name}`);
      if (problem) return problem;
    }
  }
  return null;
}
