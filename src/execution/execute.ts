import type { CatalogueTool } from '../catalogue/catalogue.ts';
import { describeInputErrors, type InputValidator } from '../catalogue/input-validator.ts';
import type { FieldError } from '../errors.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import { buildToolRequest, PathArgumentError, type PreparedRequest } from './build-request.ts';
import { ComposeArgumentError } from './composers/argument-error.ts';
import { buildProxyRequest, ProxyParameterError, type ProxyInput } from './proxy.ts';
import { secretValues, type ToolConnection } from './connection.ts';
import { maskListOf, scrub } from './masking.ts';
import type { Exchange } from './exchange.ts';
import { sendUpstream, UpstreamFailure, type SendLimits, type UpstreamResponse } from './send.ts';
import { TemplateError } from './templates.ts';
import { nestsDeeperThan } from '../json-depth.ts';
import { isPlainObject } from '../json-object.ts';

/** Composio's execution envelope, plus what the refresh logic needs to know about the upstream's answer. */
export interface ToolResult {
  data: Record<string, unknown>;
  error: string | null;
  successful: boolean;
  upstreamStatus?: number;
  /** the upstream refused the credential (401): the caller may refresh and retry once */
  upstreamUnauthorized?: boolean;
}

export class ToolInputError extends Error {
  override name = 'ToolInputError';
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

export interface ExecutionOptions extends SendLimits {
  exchange: Exchange;
  allowHttpLoopback: boolean;
}

/** Deeper than any real API's arguments; the copy, the validator and JSON.stringify all recurse. */
export const MAX_ARGUMENT_DEPTH = 64;

declare const checked: unique symbol;
/** Arguments prepareArguments has checked against the tool's schema and copied: run as they are. */
export type PreparedArguments = Record<string, unknown> & { readonly [checked]: true };

/** Validates (and fills defaults into a copy of) the arguments; a bad argument names its field. */
export function prepareArguments(entry: CatalogueTool, args: unknown): PreparedArguments {
  if (nestsDeeperThan(args, MAX_ARGUMENT_DEPTH)) {
    throw new ToolInputError(`arguments nest deeper than ${MAX_ARGUMENT_DEPTH} levels`, [
      { field: 'arguments', message: `must not nest deeper than ${MAX_ARGUMENT_DEPTH} levels` },
    ]);
  }
  const copy = structuredClone(args ?? {}) as Record<string, unknown>;
  if (typeof copy !== 'object' || Array.isArray(copy))
    throw new ToolInputError('arguments must be an object', [{ field: 'arguments', message: 'must be an object' }]);
  checkArguments(entry.validate, entry.tool.slug, copy);
  return copy as PreparedArguments;
}

/** Arguments against a tool's JSON Schema; a refusal names every field at fault (`arguments.owner`). */
export function checkArguments(validate: InputValidator, slug: string, args: Record<string, unknown>): void {
  if (validate(args)) return;
  const messages = describeInputErrors(validate.errors);
  const errors = messages.map((m) => {
    const [field, ...rest] = m.split(': ');
    return { field: `arguments.${field}`, message: rest.join(': ') };
  });
  throw new ToolInputError(`Invalid arguments for ${slug}: ${messages.join('; ')}`, errors);
}

const EXCERPT = 500;

function parseBody(response: UpstreamResponse): unknown {
  if (response.text === '') return null;
  try {
    return JSON.parse(response.text);
  } catch {
    return undefined;
  }
}

function asData(parsed: unknown, text: string): Record<string, unknown> {
  if (parsed === undefined) return { text };
  if (isPlainObject(parsed)) return parsed;
  return { result: parsed };
}

function toResult(toolkit: ToolkitFile, response: UpstreamResponse, secrets: string[]): ToolResult {
  const text = scrub(response.text, secrets);
  const parsed = parseBody({ ...response, text });
  if (response.status >= 200 && response.status < 300) {
    const data = asData(parsed, text);
    const flag = toolkit.response;
    if (flag && data[flag.success_field] === false) {
      const reason = flag.error_field ? String(data[flag.error_field] ?? 'unknown error') : 'unknown error';
      return { data, error: `${toolkit.name} reported an error: ${reason}`, successful: false, upstreamStatus: response.status };
    }
    return { data, error: null, successful: true, upstreamStatus: response.status };
  }
  const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
  return {
    data: { status_code: response.status, body: parsed === undefined ? excerpt : parsed },
    error: `${toolkit.name} answered HTTP ${response.status}: ${excerpt || '(empty body)'}`,
    successful: false,
    upstreamStatus: response.status,
    upstreamUnauthorized: response.status === 401,
  };
}

/**
 * Runs one tool as one HTTP call with the connection's credential injected. Every failure of the
 * upstream (timeout, refusal, 5xx, oversized answer, foreign redirect) comes back as a result with
 * `successful: false`, never as an exception; only bad arguments throw (ToolInputError).
 */
export async function executeTool(
  entry: CatalogueTool,
  rawArgs: unknown,
  connection: ToolConnection,
  options: ExecutionOptions,
): Promise<ToolResult> {
  return executePrepared(entry, prepareArguments(entry, rawArgs), connection, options);
}

/** executeTool for arguments already prepared: a session call checks them before its hooks and approvals see them. */
export async function executePrepared(
  entry: CatalogueTool,
  args: PreparedArguments,
  connection: ToolConnection,
  options: ExecutionOptions,
): Promise<ToolResult> {
  let request;
  try {
    request = buildToolRequest(entry.toolkit, entry.tool, args, connection, options);
  } catch (error) {
    if (error instanceof PathArgumentError || error instanceof ComposeArgumentError)
      throw new ToolInputError(`Invalid arguments for ${entry.tool.slug}: ${error.message}`, [
        { field: `arguments.${error.argument}`, message: error.message },
      ]);
    if (error instanceof TemplateError)
      return { data: {}, error: `Cannot build the request for ${entry.tool.slug}: ${error.message}`, successful: false };
    throw error;
  }
  return send(entry.toolkit, request, connection, options);
}

async function send(
  toolkit: ToolkitFile,
  request: PreparedRequest,
  connection: ToolConnection,
  options: ExecutionOptions,
): Promise<ToolResult> {
  try {
    const response = await sendUpstream(options.exchange, request, options);
    // what was injected is known now; its encodings are derived only when answered, and once for a
    // connection while it injects the same values (maskListOf)
    return toResult(toolkit, response, maskListOf(connection, [...secretValues(connection), ...(request.injected ?? [])]));
  } catch (error) {
    if (error instanceof UpstreamFailure)
      return { data: { failure: error.kind }, error: `${toolkit.name}: ${error.message}`, successful: false };
    throw error;
  }
}

/** A raw call to the toolkit's API (`/tools/execute/proxy`), answered in the same envelope as a tool. */
export async function executeProxy(
  toolkit: ToolkitFile,
  input: ProxyInput,
  connection: ToolConnection,
  options: ExecutionOptions,
): Promise<ToolResult> {
  if (nestsDeeperThan(input.body, MAX_ARGUMENT_DEPTH)) {
    throw new ToolInputError(`body nests deeper than ${MAX_ARGUMENT_DEPTH} levels`, [
      { field: 'body', message: `must not nest deeper than ${MAX_ARGUMENT_DEPTH} levels` },
    ]);
  }
  let request;
  try {
    request = buildProxyRequest(toolkit, connection, input, options);
  } catch (error) {
    if (error instanceof ProxyParameterError) throw new ToolInputError(error.message, [{ field: error.field, message: error.message }]);
    if (error instanceof TemplateError) return { data: {}, error: `Cannot build the proxy request: ${error.message}`, successful: false };
    throw error;
  }
  return send(toolkit, request, connection, options);
}

/**
 * What a proxied call answers, as Composio's proxy gives it: the upstream's status and body as they
 * came (credentials masked), whether or not the status was a success. No status means the call never
 * got an answer (refused, unreachable, timed out): 502.
 */
export function proxyAnswer(result: ToolResult): { status: number; data: unknown; headers: Record<string, string> } {
  const data = result.successful ? result.data : ((result.data as { body?: unknown }).body ?? result.data);
  return { status: result.upstreamStatus ?? 502, data, headers: {} };
}
