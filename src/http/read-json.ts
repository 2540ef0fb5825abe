import type { Context } from 'hono';
import { z } from 'zod';
import { AppError, type FieldError } from '../errors.ts';
import { nestsDeeperThan } from '../json-depth.ts';

/**
 * Deeper than any request body of the API (tool arguments, bounded at 64 levels themselves, sit three
 * or four levels down); what nests deeper is refused before anything walks it recursively.
 */
const MAX_BODY_DEPTH = 128;

function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Validates a value against a schema; a failure is a 400 naming every bad field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    const summary = errors
      .slice(0, 3)
      .map((e) => `${e.field}: ${e.message}`)
      .join('; ');
    throw new AppError('VALIDATION_FAILED', { message: `Invalid ${what}: ${summary}`, errors });
  }
  return parsed.data;
}

/**
 * Reads and validates a JSON body: malformed JSON, a non-JSON content type and schema mismatches are
 * 4xx answers, never exceptions that reach the 500 handler. An empty body counts as `{}`.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('content-type');
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new AppError('INVALID_JSON');
    }
  }
  if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
    throw new AppError('VALIDATION_FAILED', {
      message: `Invalid request body: it nests deeper than ${MAX_BODY_DEPTH} levels`,
      errors: [{ field: '(body)', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` }],
    });
  }
  return validate(schema, body, 'request body');
}

/** Query strings as Composio's SDK sends them: arrays comma-joined in one parameter (`user_ids=a,b`). */
export function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length > 0 ? items : undefined;
}

/**
 * An optional id in a request body. Composio's SDKs send `""` for "none chosen" (a provider's
 * `executeToolCall` passes `connected_account_id: ""` when the app picked no account), and Composio
 * treats it as absent; so does latchkey.
 */
export function optionalId(max = 256) {
  return z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).max(max).optional());
}
