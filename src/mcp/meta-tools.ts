import { newId } from '../ids.ts';
import type { ToolkitFile } from '../catalogue/schema.ts';
import type { Deps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { ToolInputError, type ToolResult } from '../execution/execute.ts';
import { isNoAuth } from '../schemes/registry.ts';
import { connectionDataOf } from '../services/account-state.ts';
import { connectedToolkits, usableAccounts } from '../services/session-accounts.ts';
import { META_TOOLS, sessionToolkits, sessionTools, type Session } from '../services/sessions.ts';
import { offerLink, outcomeEnvelope, runSessionTool } from '../sessions/run-tool.ts';

/**
 * Composio's meta tools, with the documented input and output shapes. Each returns the envelope
 * `{data, error, successful}`; the MCP and REST layers only wrap it.
 */

export interface MetaToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  annotations: Record<string, boolean>;
}

const strings = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'array', items: { type: 'string' }, description, ...extra });

export const META_DEFINITIONS: Record<string, MetaToolDefinition> = {
  [META_TOOLS.SEARCH]: {
    name: META_TOOLS.SEARCH,
    description:
      'Find the tools that can do a task. Give one query per task ("send an email", "list my open GitHub issues"); the answer ranks tools from the toolkits of this session, with their input schemas and whether the user has connected each toolkit.',
    inputSchema: {
      type: 'object',
      properties: {
        queries: {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          items: {
            type: 'object',
            properties: { use_case: { type: 'string', maxLength: 1024, description: 'The task, in plain words' }, known_fields: { type: 'string', description: 'Known values, "key:value, key:value"' } },
            required: ['use_case'],
          },
        },
        toolkits: { type: 'array', items: { type: 'string' }, maxItems: 100, description: 'Search only these toolkits (slugs)' },
        session: { type: 'object', description: 'Workflow session (optional)' },
      },
      required: ['queries'],
    },
    annotations: { readOnlyHint: true, openWorldHint: true },
  },
  [META_TOOLS.SCHEMAS]: {
    name: META_TOOLS.SCHEMAS,
    description: 'Get the full input schema of tools by slug, before calling them.',
    inputSchema: {
      type: 'object',
      properties: { tool_slugs: strings('Tool slugs', { minItems: 1, maxItems: 50 }), include: strings('input_schema and/or output_schema') },
      required: ['tool_slugs'],
    },
    annotations: { readOnlyHint: true },
  },
  [META_TOOLS.MULTI_EXECUTE]: {
    name: META_TOOLS.MULTI_EXECUTE,
    description:
      "Run up to 50 tools in parallel, each with its arguments, as the user of this session and with the user's connected accounts. A toolkit the user has not connected answers with a Connect Link to show the user.",
    inputSchema: {
      type: 'object',
      properties: {
        tools: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: {
            type: 'object',
            properties: {
              tool_slug: { type: 'string' },
              arguments: { type: 'object' },
              account: { type: 'string', description: 'Which of the user\'s accounts to use (id or alias), when they have several' },
            },
            required: ['tool_slug', 'arguments'],
          },
        },
        sync_response_to_workbench: { type: 'boolean', description: 'Not supported here; leave false' },
        thought: { type: 'string' },
        current_step: { type: 'string' },
      },
      required: ['tools'],
    },
    annotations: { openWorldHint: true, destructiveHint: true },
  },
  [META_TOOLS.MANAGE]: {
    name: META_TOOLS.MANAGE,
    description:
      'Check or start the connection of toolkits for this user. For a toolkit that is not connected it returns a Connect Link: show it to the user, and retry the task after they connect.',
    inputSchema: {
      type: 'object',
      properties: { toolkits: strings('Toolkit slugs, e.g. ["github"]', { minItems: 1, maxItems: 20 }), reinitiate_all: { type: 'boolean', default: false } },
      required: ['toolkits'],
    },
    annotations: { openWorldHint: true, destructiveHint: true },
  },
  [META_TOOLS.WAIT]: {
    name: META_TOOLS.WAIT,
    description: 'Wait (up to 60 seconds) until the user finishes connecting the given toolkits.',
    inputSchema: {
      type: 'object',
      properties: {
        toolkits: strings('Toolkit slugs', { minItems: 1, maxItems: 20 }),
        mode: { type: 'string', enum: ['any', 'all'], default: 'any' },
        timeout_seconds: { type: 'integer', minimum: 1, maximum: 60, default: 60 },
      },
      required: ['toolkits'],
    },
    annotations: { readOnlyHint: true, idempotentHint: true },
  },
};

function toolkitsOf(deps: Deps, session: Session, slugs: unknown): ToolkitFile[] {
  if (!Array.isArray(slugs) || slugs.length === 0 || slugs.some((s) => typeof s !== 'string')) {
    throw new ToolInputError('toolkits must be a non-empty list of toolkit slugs', [{ field: 'arguments.toolkits', message: 'must be a non-empty array of strings' }]);
  }
  const allowed = sessionToolkits(deps, session.config);
  return (slugs as string[]).map((slug) => {
    const toolkit = allowed.find((t) => t.slug === slug.toLowerCase());
    if (!toolkit) throw new ToolInputError(`${slug} is not a toolkit of this session`, [{ field: 'arguments.toolkits', message: `unknown toolkit ${slug}` }]);
    return toolkit;
  });
}

async function connectionStatus(deps: Deps, session: Session, toolkit: ToolkitFile) {
  if (isNoAuth(toolkit)) return { has_active_connection: true, account: null };
  const usable = await usableAccounts(deps, session.config, toolkit);
  return { has_active_connection: usable.length > 0, account: usable[0] ?? null };
}

function ok(data: Record<string, unknown>): ToolResult {
  return { data, error: null, successful: true };
}

/**
 * `toolkits` narrows a search to those toolkits of the session (what `session.search({toolkits})` of
 * @composio/core sends); slugs are matched case-insensitively, and an empty list means no filter.
 */
function searchToolkitFilter(value: unknown): Set<string> | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ToolInputError('toolkits must be a list of toolkit slugs', [{ field: 'arguments.toolkits', message: 'must be an array of strings' }]);
  }
  return value.length === 0 ? null : new Set(value.map((v: string) => v.toLowerCase()));
}

/**
 * The text a query is ranked by: the use case, plus the names (not the values) of its `known_fields`
 * ("channel:eng, thread_ts:123" adds "channel thread_ts"): a value such as an email address would add
 * words (a domain) that match unrelated tools.
 */
function searchText(query: { use_case: string; known_fields?: unknown }): string {
  if (typeof query.known_fields !== 'string') return query.use_case;
  const names = query.known_fields.split(',').map((pair) => pair.split(':')[0]!.trim()).filter(Boolean);
  return [query.use_case, ...names].join(' ');
}

/**
 * "connect my GitHub", "reconnect gmail", "log in to Notion": the user wants an account connected, which
 * no toolkit tool does. Such a request naming toolkits of the session is answered with the meta tool
 * that makes the Connect Link.
 */
const CONNECT_REQUEST = /\b(re-?connect|connect|authori[sz]e|hook up|link (my|our|an?|the)|sign (in|into)|log (in|into)|login to)\b/i;

function connectionRequest(deps: Deps, session: Session, useCase: string, candidates: Array<{ toolkit: ToolkitFile }>): string[] {
  if (!session.config.manageConnections.enabled || !CONNECT_REQUEST.test(useCase)) return [];
  const offered = new Set(candidates.map((c) => c.toolkit.slug));
  return deps.catalogue.search.toolkitsNamedIn(useCase).filter((slug) => offered.has(slug));
}

async function search(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const queries = args.queries;
  if (!Array.isArray(queries) || queries.length === 0 || queries.some((q) => typeof q?.use_case !== 'string')) {
    throw new ToolInputError('queries must be a list of {use_case}', [{ field: 'arguments.queries', message: 'must be a non-empty array of {use_case: string}' }]);
  }
  const only = searchToolkitFilter(args.toolkits);
  const candidates = sessionTools(deps, session.config).filter((c) => !only || only.has(c.toolkit.slug));
  const schemas: Record<string, unknown> = {};
  const toolkitsSeen = new Set<string>();
  // a near tie goes to a toolkit the user has connected: the call will run without a Connect Link
  const prefer = await connectedToolkits(deps, session.config);
  const guidance = [`Call the primary tools with ${META_TOOLS.MULTI_EXECUTE} using the input schemas above.`];
  const results = (queries as Array<{ use_case: string; known_fields?: unknown }>).map((q, index) => {
    const hits = deps.catalogue.search.rank(searchText(q), { within: candidates, prefer }).slice(0, 8);
    for (const hit of hits) {
      toolkitsSeen.add(hit.toolkit.slug);
      schemas[hit.tool.slug] = { tool_slug: hit.tool.slug, toolkit: hit.toolkit.slug, description: hit.tool.description, input_schema: hit.tool.input_parameters, hasFullSchema: true };
    }
    const toConnect = connectionRequest(deps, session, q.use_case, candidates);
    if (toConnect.length > 0) {
      for (const slug of toConnect) toolkitsSeen.add(slug);
      guidance.push(`To connect ${toConnect.join(', ')}, call ${META_TOOLS.MANAGE} with toolkits ${JSON.stringify(toConnect)} and show the user the link it returns.`);
      return {
        index,
        use_case: q.use_case,
        primary_tool_slugs: [META_TOOLS.MANAGE],
        related_tool_slugs: hits.map((h) => h.tool.slug),
        toolkits: toConnect,
      };
    }
    return {
      index,
      use_case: q.use_case,
      primary_tool_slugs: hits.slice(0, 3).map((h) => h.tool.slug),
      related_tool_slugs: hits.slice(3).map((h) => h.tool.slug),
      toolkits: [...new Set(hits.map((h) => h.toolkit.slug))],
    };
  });
  const statuses = [];
  for (const slug of toolkitsSeen) {
    const toolkit = deps.catalogue.toolkit(slug)!;
    const status = await connectionStatus(deps, session, toolkit);
    statuses.push({
      toolkit: slug,
      description: toolkit.description,
      has_active_connection: status.has_active_connection,
      status_message: status.has_active_connection
        ? `${toolkit.name} is connected.`
        : `${toolkit.name} is not connected: call ${META_TOOLS.MANAGE} with toolkits ["${slug}"] to get a link for the user (or just call the tool: it answers with the link).`,
      ...(status.account ? { connection_details: { connected_account_id: status.account.id, identity: connectionDataOf(status.account).identity ?? null } } : {}),
    });
  }
  const now = new Date(deps.clock.now());
  return ok({
    success: true,
    error: null,
    results,
    tool_schemas: schemas,
    toolkit_connection_statuses: statuses,
    next_steps_guidance: guidance,
    session: { id: session.row.id, generate_id: false, instructions: 'Pass this session id to later meta tool calls.' },
    time_info: { current_time_utc: now.toISOString(), current_time_utc_epoch_seconds: Math.floor(now.getTime() / 1000), message: 'Current UTC time' },
  });
}

function schemasTool(deps: Deps, session: Session, args: Record<string, unknown>): ToolResult {
  const slugs = args.tool_slugs;
  if (!Array.isArray(slugs) || slugs.some((s) => typeof s !== 'string')) {
    throw new ToolInputError('tool_slugs must be a list of tool slugs', [{ field: 'arguments.tool_slugs', message: 'must be an array of strings' }]);
  }
  const available = new Map(sessionTools(deps, session.config).map((e) => [e.tool.slug, e]));
  const withOutput = Array.isArray(args.include) && args.include.includes('output_schema');
  const toolSchemas: Record<string, unknown> = {};
  const notFound: string[] = [];
  for (const slug of slugs as string[]) {
    const entry = available.get(slug.toUpperCase());
    if (!entry) notFound.push(slug);
    else
      toolSchemas[entry.tool.slug] = {
        toolkit: entry.toolkit.slug,
        tool_slug: entry.tool.slug,
        description: entry.tool.description,
        input_schema: entry.tool.input_parameters,
        ...(withOutput && entry.tool.output_parameters ? { output_schema: entry.tool.output_parameters } : {}),
      };
  }
  return ok({ success: notFound.length === 0, tool_schemas: toolSchemas, ...(notFound.length ? { not_found: notFound, not_found_message: `Unknown in this session: ${notFound.join(', ')}` } : {}) });
}

async function multiExecute(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const tools = args.tools;
  if (!Array.isArray(tools) || tools.length === 0 || tools.length > 50 || tools.some((t) => typeof t?.tool_slug !== 'string')) {
    throw new ToolInputError('tools must be a list of 1 to 50 {tool_slug, arguments}', [{ field: 'arguments.tools', message: 'must hold 1 to 50 {tool_slug, arguments}' }]);
  }
  const results = await Promise.all(
    (tools as Array<{ tool_slug: string; arguments?: unknown; account?: string }>).map(async (call, index) => {
      try {
        const response = outcomeEnvelope(await runSessionTool(deps, session, call.tool_slug, call.arguments ?? {}, call.account));
        return { index, tool_slug: call.tool_slug, response: { ...response, log_id: newId('log') }, error: response.error };
      } catch (error) {
        if (error instanceof ToolInputError || error instanceof AppError) return { index, tool_slug: call.tool_slug, response: null, error: error.message };
        throw error;
      }
    }),
  );
  const failed = results.filter((r) => r.error !== null).length;
  return {
    data: { results, total_count: results.length, success_count: results.length - failed, error_count: failed },
    error: failed > 0 ? `${failed} out of ${results.length} tools failed` : null,
    successful: failed === 0,
  };
}

async function manageConnections(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const toolkits = toolkitsOf(deps, session, args.toolkits);
  const results: Record<string, unknown> = {};
  let active = 0;
  let initiated = 0;
  let failed = 0;
  // each toolkit answers for itself: one that cannot be connected does not lose the others' links
  for (const toolkit of toolkits) {
    const status = await connectionStatus(deps, session, toolkit);
    if (status.has_active_connection && args.reinitiate_all !== true) {
      active += 1;
      results[toolkit.slug] = {
        toolkit: toolkit.slug,
        status: 'active',
        has_active_connection: true,
        connected_account_id: status.account?.id ?? null,
        current_user_info: status.account ? { identity: connectionDataOf(status.account).identity ?? null } : null,
      };
      continue;
    }
    const offer = await offerLink(deps, session, toolkit);
    if ('problem' in offer) {
      failed += 1;
      results[toolkit.slug] = { toolkit: toolkit.slug, status: 'failed', has_active_connection: false, error_message: offer.problem };
      continue;
    }
    const { link } = offer;
    initiated += 1;
    results[toolkit.slug] = {
      toolkit: toolkit.slug,
      status: 'initiated',
      has_active_connection: false,
      connected_account_id: link.account.id,
      redirect_url: link.redirectUrl,
      instruction: `Show the user this link to connect ${toolkit.name}: ${link.redirectUrl}`,
      was_reinitiated: status.has_active_connection,
    };
  }
  return ok({
    message: [
      initiated > 0 ? 'Show each redirect_url to the user; retry the task once they have connected.' : failed === 0 ? 'All toolkits are connected.' : '',
      failed > 0 ? 'Some toolkits cannot be connected: see error_message.' : '',
    ]
      .filter(Boolean)
      .join(' '),
    results,
    summary: { total_toolkits: toolkits.length, active_connections: active, initiated_connections: initiated, failed_connections: failed },
    session: { id: session.row.id, instructions: '' },
  });
}

async function waitForConnections(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  const toolkits = toolkitsOf(deps, session, args.toolkits);
  const mode = args.mode === 'all' ? 'all' : 'any';
  const timeout = Math.min(Math.max(Number(args.timeout_seconds ?? 60), 1), 60) * 1000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const statuses = await Promise.all(toolkits.map(async (t) => ({ toolkit: t, status: await connectionStatus(deps, session, t) })));
    const connected = statuses.filter((s) => s.status.has_active_connection).length;
    const done = mode === 'all' ? connected === toolkits.length : connected > 0;
    if (done || Date.now() >= deadline) {
      const results = Object.fromEntries(
        statuses.map(({ toolkit, status }) => [
          toolkit.slug,
          {
            toolkit: toolkit.slug,
            status: status.has_active_connection ? 'ACTIVE' : 'INITIATED',
            has_active_connection: status.has_active_connection,
            connected_account_id: status.account?.id ?? null,
            current_user_info: status.account ? { identity: connectionDataOf(status.account).identity ?? null } : null,
          },
        ]),
      );
      return ok({ message: done ? 'Connected.' : 'Timed out waiting for the user to connect.', results, session: { id: session.row.id } });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Runs a meta tool; the caller has already checked that the session exposes it. */
export async function runMetaTool(deps: Deps, session: Session, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  switch (name) {
    case META_TOOLS.SEARCH:
      return search(deps, session, args);
    case META_TOOLS.SCHEMAS:
      return schemasTool(deps, session, args);
    case META_TOOLS.MULTI_EXECUTE:
      return multiExecute(deps, session, args);
    case META_TOOLS.MANAGE:
      return manageConnections(deps, session, args);
    case META_TOOLS.WAIT:
      return waitForConnections(deps, session, args);
    default:
      throw new AppError('TOOL_NOT_FOUND', { message: `${name} is not a meta tool.` });
  }
}
