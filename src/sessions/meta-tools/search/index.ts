import type { Deps } from '../../../deps.ts';
import type { ToolResult } from '../../../execution/execute.ts';
import { connectedToolkits } from '../../accounts.ts';
import type { Session } from '../../session.ts';
import { sessionTools } from '../../tool-lists.ts';
import { connectionStatus } from '../connection-status.ts';
import { manageConnectionsTool } from '../manage-connections/index.ts';
import { ok, type MetaTool } from '../meta-tool.ts';
import { multiExecuteTool } from '../multi-execute/index.ts';

// the meta tools the answer's guidance names
const META_TOOLS = { MANAGE: manageConnectionsTool.name, MULTI_EXECUTE: multiExecuteTool.name };

/**
 * `toolkits` narrows a search to those toolkits of the session (what `session.search({toolkits})` of
 * @composio/core sends); slugs are matched case-insensitively, and an empty list means no filter. The
 * tool's JSON Schema has checked the shape of every argument before this runs.
 */
function searchToolkitFilter(value: string[] | undefined): Set<string> | null {
  return !value || value.length === 0 ? null : new Set(value.map((v) => v.toLowerCase()));
}

/**
 * The text a query is ranked by: the use case, plus the names (not the values) of its `known_fields`
 * ("channel:eng, thread_ts:123" adds "channel thread_ts"): a value such as an email address would add
 * words (a domain) that match unrelated tools.
 */
function searchText(query: { use_case: string; known_fields?: unknown }): string {
  if (typeof query.known_fields !== 'string') return query.use_case;
  const names = query.known_fields
    .split(',')
    .map((pair) => pair.split(':')[0]!.trim())
    .filter(Boolean);
  return [query.use_case, ...names].join(' ');
}

/**
 * "connect my GitHub", "reconnect gmail", "log in to Notion": the user wants an account connected, which
 * no toolkit tool does. Such a request naming toolkits of the session is answered with the meta tool
 * that makes the Connect Link.
 */
const CONNECT_REQUEST = /\b(re-?connect|connect|authori[sz]e|hook up|link (my|our|an?|the)|sign (in|into)|log (in|into)|login to)\b/i;

function connectionRequest(deps: Deps, session: Session, useCase: string, candidates: Array<{ toolkit: { slug: string } }>): string[] {
  if (!session.config.manageConnections.enabled || !CONNECT_REQUEST.test(useCase)) return [];
  const offered = new Set(candidates.map((c) => c.toolkit.slug));
  return deps.catalogue.search.toolkitsNamedIn(useCase).filter((slug) => offered.has(slug));
}

async function search(deps: Deps, session: Session, args: Record<string, unknown>): Promise<ToolResult> {
  // the schema has checked: 1 to 10 queries, each with a use_case string
  const queries = args.queries as Array<{ use_case: string; known_fields?: string }>;
  const only = searchToolkitFilter(args.toolkits as string[] | undefined);
  const candidates = sessionTools(deps, session.config).filter((c) => !only || only.has(c.toolkit.slug));
  const schemas: Record<string, unknown> = {};
  const toolkitsSeen = new Set<string>();
  // a near tie goes to a toolkit the user has connected: the call will run without a Connect Link
  const prefer = await connectedToolkits(deps, session.config);
  const guidance = [`Call the primary tools with ${META_TOOLS.MULTI_EXECUTE} using the input schemas above.`];
  const results = queries.map((q, index) => {
    const hits = deps.catalogue.search.rank(searchText(q), { within: candidates, prefer }).slice(0, 8);
    for (const hit of hits) {
      toolkitsSeen.add(hit.toolkit.slug);
      schemas[hit.tool.slug] = {
        tool_slug: hit.tool.slug,
        toolkit: hit.toolkit.slug,
        description: hit.tool.description,
        input_schema: hit.tool.input_parameters,
        hasFullSchema: true,
      };
    }
    const toConnect = connectionRequest(deps, session, q.use_case, candidates);
    if (toConnect.length > 0) {
      for (const slug of toConnect) toolkitsSeen.add(slug);
      guidance.push(
        `To connect ${toConnect.join(', ')}, call ${META_TOOLS.MANAGE} with toolkits ${JSON.stringify(toConnect)} and show the user the link it returns.`,
      );
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
      ...(status.account
        ? { connection_details: { connected_account_id: status.account.id, identity: status.account.connectionData.identity ?? null } }
        : {}),
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
    session: { id: session.id, generate_id: false, instructions: 'Pass this session id to later meta tool calls.' },
    time_info: {
      current_time_utc: now.toISOString(),
      current_time_utc_epoch_seconds: Math.floor(now.getTime() / 1000),
      message: 'Current UTC time',
    },
  });
}

export const searchTool: MetaTool = {
  name: 'COMPOSIO_SEARCH_TOOLS',
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
          properties: {
            use_case: { type: 'string', maxLength: 1024, description: 'The task, in plain words' },
            known_fields: { type: 'string', maxLength: 2000, description: 'Known values, "key:value, key:value"' },
          },
          required: ['use_case'],
        },
      },
      toolkits: { type: 'array', items: { type: 'string' }, maxItems: 100, description: 'Search only these toolkits (slugs)' },
      session: { type: 'object', description: 'Workflow session (optional)' },
    },
    required: ['queries'],
  },
  annotations: { readOnlyHint: true, openWorldHint: true },
  listed: (config) => config.searchEnabled,
  run: search,
};
