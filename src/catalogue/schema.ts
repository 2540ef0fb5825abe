import { z } from 'zod';
import { COMPOSER_NAMES } from '../execution/composers/registry.ts';

/**
 * The toolkit file format (`tools/<slug>.json`). This schema is the single source: it types the code
 * (`z.infer`), validates every file at start-up, and generates `tools/_schema.json` for editors.
 * Unknown keys are rejected everywhere so that a typo fails loudly instead of being ignored.
 */

const TEMPLATE_HINT = '`{{name}}` placeholders take connection fields and credential fields';

/**
 * What a tool does, as Composio tags it (docs.composio.dev/docs/tool-tags): it reads, adds something new,
 * changes something that exists, or deletes (or can delete). Every tool carries exactly one; sessions
 * filter and ask for approval by it.
 */
export const ACTION_TAGS = ['readOnlyHint', 'createHint', 'updateHint', 'destructiveHint'] as const;
/** Every tag a tool may carry: its action and the MCP ToolAnnotations hints that are not actions. */
export const TOOL_TAGS = [...ACTION_TAGS, 'idempotentHint', 'openWorldHint'] as const;

const fieldSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'field names are snake_case'),
    display_name: z.string().min(1),
    description: z.string().optional(),
    type: z.enum(['string', 'url']).default('string'),
    secret: z.boolean().default(false),
    required: z.boolean().default(true),
    default: z.string().optional(),
    pattern: z.string().optional().describe('a regular expression the value must match, checked on the Connect page'),
  })
  .strict();

const injectSchema = z
  .object({
    headers: z.record(z.string(), z.string()).optional().describe(TEMPLATE_HINT),
    query: z.record(z.string(), z.string()).optional().describe(TEMPLATE_HINT),
    basic: z
      .object({ username: z.string(), password: z.string() })
      .strict()
      .optional()
      .describe('HTTP Basic: the engine sends `Authorization: Basic base64(username:password)` after filling placeholders'),
  })
  .strict();

const identitySchema = z
  .object({
    method: z.enum(['GET', 'POST']).default('GET'),
    path: z.string().startsWith('/'),
    field: z.string().min(1).describe('dot path into the JSON response, e.g. `login` or `user.email`'),
    base_url: z.string().optional().describe('when the identity endpoint lives outside the toolkit base_url'),
  })
  .strict()
  .describe('how to name a connected account (the GitHub login, the Gmail address) after it connects');

const tokenResponseFields = z
  .array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'field names are snake_case'))
  .optional()
  .describe(
    'non-secret fields of the token response kept as connection data (Salesforce `instance_url`); no other field of the response is kept',
  );

const oauth2Schema = z
  .object({
    mode: z.literal('OAUTH2'),
    issuer: z
      .string()
      .optional()
      .describe('the `iss` the provider sends in its authorization response (RFC 9207); default: the origin of authorization_url'),
    authorization_url: z.string(),
    token_url: z.string(),
    revocation_url: z.string().optional(),
    default_scopes: z.array(z.string()).default([]),
    scope_separator: z.string().default(' '),
    pkce: z.boolean().default(true),
    token_endpoint_auth: z.enum(['client_secret_post', 'client_secret_basic']).default('client_secret_post'),
    token_request_body: z
      .enum(['form', 'json'])
      .default('form')
      .describe(
        'how token, refresh and revocation requests carry their parameters: a form (RFC 6749 4.1.3, RFC 7009 2.1), or one JSON object for providers that document only that (Notion)',
      ),
    authorization_params: z.record(z.string(), z.string()).optional(),
    token_params: z.record(z.string(), z.string()).optional(),
    token_response_fields: tokenResponseFields,
    access_token_path: z
      .string()
      .optional()
      .describe('dot path of the access token in the token response when it is not `access_token` (Slack user tokens)'),
    inject: injectSchema,
    identity: identitySchema.optional(),
  })
  .strict();

const oauth1Schema = z
  .object({
    mode: z.literal('OAUTH1'),
    request_token_url: z.string(),
    authorization_url: z.string(),
    access_token_url: z.string(),
    signature_method: z.literal('HMAC-SHA1').default('HMAC-SHA1'),
    token_response_fields: tokenResponseFields,
    authorization_params: z.record(z.string(), z.string()).optional(),
    identity: identitySchema.optional(),
  })
  .strict();

const credentialSchemeShape = {
  fields: z.array(fieldSchema).min(1),
  inject: injectSchema,
  identity: identitySchema.optional(),
};

const apiKeySchema = z.object({ mode: z.literal('API_KEY'), ...credentialSchemeShape }).strict();
const bearerSchema = z.object({ mode: z.literal('BEARER_TOKEN'), ...credentialSchemeShape }).strict();
const basicSchema = z.object({ mode: z.literal('BASIC'), ...credentialSchemeShape }).strict();
const noAuthSchema = z.object({ mode: z.literal('NO_AUTH') }).strict();

const googleServiceAccountSchema = z
  .object({
    mode: z.literal('GOOGLE_SERVICE_ACCOUNT'),
    default_scopes: z
      .array(z.string())
      .default([])
      .describe('the scopes the signed assertion asks for, unless the auth config names its own'),
    inject: injectSchema.describe('`{{access_token}}` is the token the key was exchanged for'),
    identity: identitySchema.optional(),
  })
  .strict()
  .describe(
    'a service account key (JSON) the user pastes, exchanged for access tokens with a signed JWT (RFC 7523 2.1), as Google service accounts are',
  );

const basicWithJwtSchema = z
  .object({
    mode: z.literal('BASIC_WITH_JWT'),
    login_url: z
      .string()
      .describe('where the username and password are exchanged for a JWT (POST); `{{placeholders}}` take connection fields'),
    login_body: z.enum(['json', 'form']).default('json'),
    username_param: z.string().min(1).default('username'),
    password_param: z.string().min(1).default('password'),
    token_path: z.string().min(1).default('access_token').describe('dot path of the JWT in the login answer, e.g. `token` or `data.jwt`'),
    inject: injectSchema.describe('`{{access_token}}` is the JWT of the last login'),
    identity: identitySchema.optional(),
  })
  .strict()
  .describe('a username and password exchanged at a login endpoint for a JWT, logged in again when it expires');

export const authSchemeSchema = z.discriminatedUnion('mode', [
  oauth2Schema,
  oauth1Schema,
  apiKeySchema,
  bearerSchema,
  basicSchema,
  noAuthSchema,
  googleServiceAccountSchema,
  basicWithJwtSchema,
]);

const jsonSchemaObject = z
  .object({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()).default({}) })
  .passthrough()
  .describe('a JSON Schema (draft-07) object; checked again by ajv at load');

const requestSchema = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z.string().startsWith('/').describe('`{param}` takes a tool argument; `{{field}}` a connection field'),
    base_url: z
      .string()
      .optional()
      .describe(
        `when this one endpoint lives outside the toolkit base_url (Hacker News' front page is on its search API); ${TEMPLATE_HINT}`,
      ),
    query: z.array(z.string()).optional().describe('arguments sent in the query string (default for GET/DELETE: all non-path ones)'),
    body: z.enum(['json', 'form', 'none']).optional().describe('default: json for POST/PUT/PATCH, none for GET/DELETE'),
    body_params: z.array(z.string()).optional().describe('arguments sent in the body (default: all non-path, non-query ones)'),
    headers: z.record(z.string(), z.string()).optional().describe('extra headers; `{param}` takes a tool argument'),
    compose: z
      .enum(COMPOSER_NAMES)
      .optional()
      .describe(
        'a composer (src/execution/composers/) that turns some arguments into the ones the request sends, where a template cannot (rfc5322_message: an email as Gmail `raw`)',
      ),
    wire_names: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        "the name a query or body argument is sent under where the API's is no name a model can use (Microsoft Graph's `$top` for `top`): tool clients accept only property names of letters, digits, `_`, `.` and `-`",
      ),
  })
  .strict();

/**
 * Where a tool comes from (issue 20): the provider's machine-readable description and the operation in
 * it, which `npm run toolkit:verify` checks the tool against; or, where the provider publishes none, the
 * documentation page the tool was reviewed from. Required: a tool that cannot say where it comes from
 * does not load.
 */
const sourceSchema = z.union(
  [
    z
      .object({
        spec: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'spec ids are lower-kebab-case keys of tools/_specs.json'),
        operation: z
          .string()
          .min(1)
          .describe(
            'the operation in that spec: an OpenAPI operationId, a Discovery method id, `Mutation.field` / `Query.field` in GraphQL',
          ),
      })
      .strict(),
    z.object({ docs: z.url().describe('the documentation page of the endpoint, where the provider publishes no spec') }).strict(),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'every tool names where it comes from: `{"spec": "<id in tools/_specs.json>", "operation": "..."}` or `{"docs": "<url of the endpoint\'s documentation>"}`'
        : undefined,
  },
);

export const toolSchema = z
  .object({
    slug: z.string().regex(/^[A-Z0-9]+(_[A-Z0-9]+)+$/, 'tool slugs are UPPER_SNAKE_CASE, prefixed by the toolkit'),
    name: z.string().min(1),
    description: z.string().min(20, 'write a description a model can choose the tool by'),
    tags: z
      .array(
        z.enum(TOOL_TAGS, { error: (issue) => `unknown tag ${JSON.stringify(issue.input)}: a tool's tags are ${TOOL_TAGS.join(', ')}` }),
      )
      .default([])
      .describe(
        'exactly one action tag (readOnlyHint, createHint, updateHint, destructiveHint), and idempotentHint, openWorldHint when true',
      ),
    synonyms: z
      .array(z.string().min(2).max(60))
      .max(20)
      .optional()
      .describe(
        'words and short phrases people use for what this tool does or acts on, beyond its name ("PR", "DM", "bin it"); searched, never shown',
      ),
    examples: z
      .array(z.string().min(8).max(160))
      .max(4)
      .optional()
      .describe('requests as a user would phrase them to an assistant, that this tool answers; searched, never shown'),
    scopes: z.array(z.string()).optional(),
    input_parameters: jsonSchemaObject,
    output_parameters: z.record(z.string(), z.unknown()).optional(),
    request: requestSchema,
    source: sourceSchema,
  })
  .strict();

export const toolkitSchema = z
  .object({
    $schema: z.string().optional(),
    slug: z.string().regex(/^[a-z0-9_]+$/, 'toolkit slugs are lower_snake_case'),
    name: z.string().min(1),
    description: z.string().min(1),
    logo: z.string().optional(),
    aliases: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9 .-]*$/, 'aliases are lower case words'))
      .max(10)
      .optional()
      .describe('other names people call the app by ("gh", "sfdc", "gcal"); a query naming one counts as naming the toolkit'),
    categories: z.array(z.string()).optional(),
    docs_url: z.string().optional(),
    base_url: z.string().describe(TEMPLATE_HINT),
    headers: z.record(z.string(), z.string()).optional().describe('headers every request of this toolkit carries'),
    connection_fields: z.array(fieldSchema).optional(),
    response: z
      .object({
        success_field: z.string().describe('a boolean field that is false when the call failed although the status is 2xx (Slack `ok`)'),
        error_field: z.string().optional().describe('the field that then names the error'),
      })
      .strict()
      .optional(),
    auth_schemes: z.array(authSchemeSchema).min(1),
    tools: z.array(toolSchema).min(1),
  })
  .strict();

export type ToolkitFile = z.infer<typeof toolkitSchema>;
export type ToolDefinition = z.infer<typeof toolSchema>;
export type AuthScheme = z.infer<typeof authSchemeSchema>;
export type AuthMode = AuthScheme['mode'];
export type FieldDefinition = z.infer<typeof fieldSchema>;
export type InjectRule = z.infer<typeof injectSchema>;
