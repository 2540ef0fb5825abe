import { ACTION_TAGS, type ToolDefinition } from './schema.ts';

/**
 * The action tag of a tool (Composio's tool tags): what it does, one of ACTION_TAGS. Sessions ask a
 * human before a write by this tag, so a write tagged as a read would run unasked; the lint below
 * refuses the tags a request plainly contradicts.
 */
export type ActionTag = (typeof ACTION_TAGS)[number];

const isAction = (tag: string): tag is ActionTag => (ACTION_TAGS as readonly string[]).includes(tag);

/** Whether a tool carries a tag a caller named (a session's or a query's filter, any string). */
export function hasTag(tool: ToolDefinition, tag: string): boolean {
  return (tool.tags as readonly string[]).includes(tag);
}

/** The one action tag of a linted tool. */
export function actionTag(tool: ToolDefinition): ActionTag | undefined {
  return tool.tags.find(isAction);
}

// the words of a slug that name a read done with POST because its request needs a body
const READ_WORDS = new Set(['SEARCH', 'QUERY', 'LIST']);
// an RPC-style endpoint whose own name says it reads: every Dropbox API v2 call is a POST
// (`/2/files/get_metadata`, `/2/users/get_space_usage`), named by what it does
const READ_ENDPOINT = /^(get|list|search|query)(_|$)/;

// how a GraphQL executable document starts: an operation type, or the query shorthand `{` (GraphQL spec 2.3)
const GRAPHQL_OPERATION = /^(query|mutation|subscription)\b|^\{/;

/** The fixed GraphQL document a tool sends (a `const` `query` argument); undefined when the caller writes it. */
function graphqlDocument(tool: ToolDefinition): string | undefined {
  const query = tool.input_parameters.properties.query as { const?: unknown } | undefined;
  return typeof query?.const === 'string' ? query.const.trim() : undefined;
}

/**
 * Why the request may write, if it may. GET is safe (RFC 9110 9.2.1); PUT, PATCH and DELETE change
 * what they name. A POST reads only when the tool says so: a GraphQL query, read-only where a mutation
 * writes (GraphQL spec 2.3), or a search, query or list endpoint that takes its criteria in a body.
 */
function mayWrite(tool: ToolDefinition): string | undefined {
  const { method, path } = tool.request;
  if (method === 'GET') return undefined;
  if (method !== 'POST') return `a ${method} request changes what it names`;
  const document = graphqlDocument(tool);
  // a fixed GraphQL operation (spec 2.3) marks a GraphQL endpoint whatever its path (monday.com serves `/v2`)
  if (/graphql/i.test(path) || (document !== undefined && GRAPHQL_OPERATION.test(document))) {
    if (document === undefined) return 'a GraphQL request whose document the caller writes may be a mutation';
    return /^(query\b|\{)/.test(document) ? undefined : 'a GraphQL mutation writes';
  }
  if (tool.slug.split('_').some((word) => READ_WORDS.has(word))) return undefined;
  if (READ_ENDPOINT.test(path.split('/').pop() ?? '')) return undefined;
  return 'a POST reads only at a search, query or list endpoint (SEARCH, QUERY or LIST in the slug, or an RPC endpoint named get_…, list_…, search_…) or as a GraphQL query';
}

/** What is wrong with a tool's action tag, if anything: the lint reports it at the tool's `tags`. */
export function actionTagProblem(tool: ToolDefinition): string | undefined {
  const actions = tool.tags.filter(isAction);
  if (actions.length !== 1) return `needs exactly one action tag of ${ACTION_TAGS.join(', ')}; has ${actions.join(', ') || 'none'}`;
  const [action] = actions;
  if (tool.request.method === 'DELETE' && action !== 'destructiveHint')
    return `a DELETE request deletes: tag it destructiveHint, not ${action}`;
  const write = action === 'readOnlyHint' ? mayWrite(tool) : undefined;
  if (write) return `readOnlyHint, but ${write}: tag what it does (createHint, updateHint or destructiveHint)`;
  return undefined;
}
