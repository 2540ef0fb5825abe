import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import type { ToolResult } from '../../../execution/execute.ts';
import { MAX_PROXY_PARAMETERS, proxyParameter, proxyRequestShape } from '../../../execution/proxy.ts';
import type { Session } from '../../session.ts';
import type { ToolCallContext } from '../../call-context.ts';
import { PROXY_TOOL } from '../../approval-policy.ts';
import { proxyAsSessionUser, proxyEnvelope } from '../../toolkits.ts';
import type { MetaTool } from '../meta-tool.ts';

const NAME = PROXY_TOOL;

// Composio's SDK spells a parameter's place `in`, its REST bodies `type`: either is taken
const parameter = z.union([proxyParameter.omit({ type: true }).extend({ in: proxyParameter.shape.type }), proxyParameter]);

// the limits are the REST proxy's (execution/proxy.ts); the JSON Schema the registry checks is derived from them
const input = z.object({
  toolkit: z.string().min(1).max(100).describe('Slug of the toolkit whose API to call, e.g. github'),
  ...proxyRequestShape,
  endpoint: proxyRequestShape.endpoint.describe("A path under the toolkit's API base URL (/user/repos), or an absolute URL on that origin"),
  body: proxyRequestShape.body.describe('The JSON body, for POST, PUT and PATCH'),
  parameters: z
    .array(parameter)
    .max(MAX_PROXY_PARAMETERS)
    .optional()
    .describe('Headers and query parameters to add. Authorization is not one of them: the credential is added for you'),
  account: z.string().min(1).max(200).optional().describe("Which of the user's accounts to use (id or alias), when they have several"),
});
const { $schema: _draft, ...inputSchema } = z.toJSONSchema(input, { target: 'draft-7', io: 'input' });

async function proxyExecute(deps: Deps, session: Session, args: Record<string, unknown>, context: ToolCallContext): Promise<ToolResult> {
  // the registry checked the arguments against the schema derived from `input`
  const { toolkit, parameters, ...request } = args as z.infer<typeof input>;
  const placed = parameters?.map((p) => ({ name: p.name, value: p.value, type: 'in' in p ? p.in : p.type }));
  return proxyEnvelope(await proxyAsSessionUser(deps, session, { ...request, toolkit_slug: toolkit, parameters: placed }, context));
}

export const proxyExecuteTool: MetaTool = {
  name: NAME,
  description:
    "Send a raw HTTP request to a connected app's own API, authenticated with the user's connected account for that toolkit. " +
    "Use it when no tool of the session does what is needed. The request goes only to the toolkit's own API origin; " +
    "do not set Authorization. The answer carries the API's status and body; a toolkit the user has not connected answers with a Connect Link to show the user.",
  inputSchema,
  annotations: { openWorldHint: true, destructiveHint: true },
  listed: (config) => config.proxyExecute === true,
  run: proxyExecute,
};
