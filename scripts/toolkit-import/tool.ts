import type { z } from 'zod';
import type { toolSchema } from '../../src/catalogue/schema.ts';
import { requirementsOf } from './auth.ts';
import type { Operation } from './operations.ts';
import { isSwagger2, type Spec } from './read-spec.ts';
import { swagger2ParameterSchema, toJsonSchema } from './json-schema.ts';

/** A tool as the file says it. */
type ToolDefinition = z.input<typeof toolSchema>;

/** What an operation needs that the toolkit format cannot say; the import names it and stops. */
export class Unsupported extends Error {}

const MIN_DESCRIPTION = 20;
/** Lint flags a name or description that starts so (`src/catalogue/lint.ts`): the operator must write it. */
export const TODO = 'TODO:';

const ARGUMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const snake = (text: string) =>
  text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();

/** `listPets` → `LIST_PETS`, `get-pet.byId` → `GET_PET_BY_ID` */
export const upperSnake = (id: string) => snake(id).toUpperCase();

/** The action tag from the method (RFC 9110 9.2: GET is safe, PUT and DELETE idempotent), and openWorldHint: every call reaches a provider. */
function tagsFor(method: string): ToolDefinition['tags'] {
  switch (method) {
    case 'GET':
      return ['readOnlyHint', 'idempotentHint', 'openWorldHint'];
    case 'DELETE':
      return ['destructiveHint', 'openWorldHint'];
    case 'POST':
      return ['createHint', 'openWorldHint'];
    default:
      return ['updateHint', 'openWorldHint'];
  }
}

const oneLine = (text: unknown) => (typeof text === 'string' ? text.replace(/\s+/g, ' ').trim() : '');

function describe(op: Operation): { name: string; description: string } {
  const summary = oneLine(op.operation.summary).replace(/\.$/, '');
  const long = oneLine(op.operation.description);
  const name = summary || op.id.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  const text = long.length >= MIN_DESCRIPTION ? long : summary.length >= MIN_DESCRIPTION ? `${summary}.` : '';
  const description = text
    ? text.slice(0, 1000)
    : `${TODO} describe what ${op.method} ${op.path} does, what it returns and when to use it (the spec says only "${long || summary}")`;
  return { name, description };
}

interface BodyPart {
  mode: 'json' | 'form';
  schema: Spec;
  required: boolean;
}

/** The request body of an OpenAPI 3 operation: JSON (`application/json`, `*+json`) or a form, nothing else. */
function openApi3Body(op: Operation): BodyPart | undefined {
  const body = op.operation.requestBody;
  if (!body) return undefined;
  const types = Object.keys(body.content ?? {});
  const json = types.find((t) => /^application\/(?:[\w.-]+\+)?json$/i.test(t));
  const form = types.find((t) => t.toLowerCase() === 'application/x-www-form-urlencoded');
  const type = json ?? form;
  if (!type) throw new Unsupported(`a ${types.join(' or ') || 'content-less'} request body`);
  return { mode: json ? 'json' : 'form', schema: body.content[type].schema ?? {}, required: body.required === true };
}

/** Swagger 2 keeps the body among the parameters: one `in: body`, or `in: formData` fields (Swagger 2.0 "Parameter Object"). */
function swagger2Body(spec: Spec, op: Operation): BodyPart | undefined {
  const body = op.parameters.find((p) => p.in === 'body');
  if (body) return { mode: 'json', schema: body.schema ?? {}, required: body.required === true };
  const fields = op.parameters.filter((p) => p.in === 'formData');
  if (fields.length === 0) return undefined;
  const consumes: string[] = op.operation.consumes ?? spec.consumes ?? [];
  if (fields.some((f) => f.type === 'file') || consumes.includes('multipart/form-data'))
    throw new Unsupported('a multipart/form-data request body');
  const properties = Object.fromEntries(fields.map((f) => [f.name, swagger2ParameterSchema(f)]));
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return { mode: 'form', schema: { type: 'object', properties, required }, required: true };
}

/**
 * One tool for one operation: path and query parameters and the body's properties become its
 * arguments (one JSON Schema object, `$ref`s already resolved by the parser), routed by an explicit
 * `request` block; headers named by the spec become `{argument}` headers.
 */
export function buildTool(spec: Spec, prefix: string, specId: string, op: Operation): ToolDefinition {
  if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method)) throw new Unsupported(`the ${op.method} method`);
  const swagger2 = isSwagger2(spec);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const query: string[] = [];
  const headers: Record<string, string> = {};
  let path = op.path;
  const add = (name: string, schema: Record<string, unknown>, isRequired: boolean, where: string) => {
    if (name in properties) throw new Unsupported(`${name} is both a ${where} and another argument`);
    properties[name] = schema;
    if (isRequired) required.push(name);
  };

  for (const p of op.parameters) {
    if (p.in === 'body' || p.in === 'formData') continue;
    if (p.in === 'cookie') throw new Unsupported(`cookie parameter ${p.name}`);
    if (!swagger2 && !p.schema) throw new Unsupported(`parameter ${p.name} described by content rather than a schema`);
    const schema = swagger2 ? swagger2ParameterSchema(p) : toJsonSchema(p.schema);
    if (p.description && !schema.description) schema.description = oneLine(p.description);
    if (p.in === 'path') {
      // our paths name an argument `{name}` with an identifier; the spec's name may not be one
      const argument = ARGUMENT_NAME.test(p.name) ? p.name : snake(p.name);
      path = path.split(`{${p.name}}`).join(`{${argument}}`);
      add(argument, schema, true, 'path parameter');
    } else if (p.in === 'query') {
      add(p.name, schema, p.required === true, 'query parameter');
      query.push(p.name);
    } else if (p.in === 'header') {
      const argument = snake(p.name);
      add(argument, schema, p.required === true, 'header');
      headers[p.name] = `{${argument}}`;
    }
  }

  const body = swagger2 ? swagger2Body(spec, op) : openApi3Body(op);
  const bodyParams: string[] = [];
  if (body) {
    const schema = toJsonSchema(body.schema);
    if (schema.type !== undefined && schema.type !== 'object')
      throw new Unsupported(`a request body that is a ${schema.type}, not an object`);
    if (!schema.properties) throw new Unsupported('a request body without named properties');
    const bodyRequired = new Set(body.required && Array.isArray(schema.required) ? (schema.required as string[]) : []);
    for (const [name, propertySchema] of Object.entries(schema.properties as Record<string, Record<string, unknown>>)) {
      add(name, propertySchema, bodyRequired.has(name), 'body property');
      bodyParams.push(name);
    }
  }

  const scopes = [...new Set(requirementsOf(spec, op.operation).flatMap((r) => Object.values(r).flat()))];
  const request: ToolDefinition['request'] = { method: op.method as ToolDefinition['request']['method'], path };
  if (query.length > 0) request.query = query;
  if (body) {
    request.body = body.mode;
    request.body_params = bodyParams;
  } else if (op.method !== 'GET' && op.method !== 'DELETE') request.body = 'none';
  if (Object.keys(headers).length > 0) request.headers = headers;

  return {
    slug: `${prefix}_${upperSnake(op.id)}`,
    ...describe(op),
    tags: tagsFor(op.method),
    ...(scopes.length > 0 ? { scopes } : {}),
    input_parameters: {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      // the engine sends only declared arguments, so an undeclared one would be dropped silently: refuse it
      additionalProperties: false,
    },
    request,
    source: { spec: specId, operation: op.id },
  };
}
