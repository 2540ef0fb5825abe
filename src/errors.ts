/**
 * The one error table. Every failure a client can see has a code here; REST answers Composio's
 * envelope `{"error": {message, code, slug, status, request_id, suggested_fix, errors}}` and MCP tools
 * answer a result with `isError`. Messages must never carry a secret: they reach clients and models.
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400, code: 10400, slug: 'HTTP_BadRequest', message: 'The request is invalid.' },
  INVALID_JSON: {
    status: 400,
    code: 10401,
    slug: 'HTTP_InvalidJson',
    message: 'The request body is not valid JSON.',
    suggestedFix: 'Send a JSON body with Content-Type: application/json.',
  },
  VALIDATION_FAILED: {
    status: 400,
    code: 10402,
    slug: 'HTTP_ValidationFailed',
    message: 'The request failed validation.',
    suggestedFix: 'Fix the fields listed in `errors`.',
  },
  UNAUTHORIZED: {
    status: 401,
    code: 10410,
    slug: 'APIKey_Missing',
    message: 'No API key was sent.',
    suggestedFix: 'Send the project API key in the x-api-key header.',
  },
  INVALID_API_KEY: {
    status: 401,
    code: 10411,
    slug: 'APIKey_Invalid',
    message: 'The API key is not valid or was revoked.',
    suggestedFix: 'Check the x-api-key header; create a key with `npm run api-keys -- create`.',
  },
  METRICS_TOKEN_INVALID: {
    status: 401,
    code: 10412,
    slug: 'Metrics_Unauthorized',
    message: 'The metrics endpoint needs its bearer token.',
    suggestedFix: 'Send Authorization: Bearer <LATCHKEY_METRICS_TOKEN>.',
  },
  INVALID_CURSOR: {
    status: 400,
    code: 10420,
    slug: 'HTTP_InvalidCursor',
    message: 'The cursor is not one this server issued.',
    suggestedFix: 'Pass back `next_cursor` from the previous page unchanged.',
  },
  TOOL_NOT_FOUND: {
    status: 404,
    code: 1404,
    slug: 'Tool_NotFound',
    message: 'No such tool.',
    suggestedFix: 'List tools with GET /api/v3.1/tools.',
  },
  TOOLKIT_NOT_FOUND: {
    status: 404,
    code: 1405,
    slug: 'Toolkit_NotFound',
    message: 'No such toolkit.',
    suggestedFix: 'List toolkits with GET /api/v3.1/toolkits.',
  },
  CONNECTED_ACCOUNT_NOT_FOUND: { status: 404, code: 604, slug: 'ConnectedAccount_NotFound', message: 'No such connected account.' },
  NO_CONNECTED_ACCOUNT: {
    status: 400,
    code: 601,
    slug: 'ConnectedAccount_NoActiveConnection',
    message: 'The user has no active connected account for this toolkit.',
    suggestedFix: 'Connect an account first (POST /api/v3.1/connected_accounts/link), then retry.',
  },
  TOOL_ARGUMENTS_INVALID: {
    status: 400,
    code: 1400,
    slug: 'Tool_InvalidArguments',
    message: 'The tool arguments failed validation.',
    suggestedFix: 'Fix the fields listed in `errors`; GET /api/v3.1/tools/{slug} shows the input schema.',
  },
  REQUEST_STATE_INVALID: {
    status: 400,
    code: 1410,
    slug: 'ToolRouter_InvalidRequestState',
    message: 'The request_state is not one this server issued for this call, has expired, or was already used.',
    suggestedFix: 'Send the request_state of the last input_required answer to this same call, unchanged, once; or call again without it.',
  },
  AUTH_CONFIG_NOT_FOUND: { status: 404, code: 304, slug: 'AuthConfig_NotFound', message: 'No such auth config.' },
  AUTH_CONFIG_DISABLED: {
    status: 400,
    code: 305,
    slug: 'AuthConfig_Disabled',
    message: 'The auth config is disabled.',
    suggestedFix: 'Enable it with PATCH /api/v3.1/auth_configs/{id}/ENABLED.',
  },
  OPERATOR_APP_MISSING: {
    status: 400,
    code: 306,
    slug: 'AuthConfig_ManagedAuthUnavailable',
    message: 'This server has no OAuth app for the toolkit.',
    suggestedFix:
      'Set LATCHKEY_OAUTH_<TOOLKIT>_CLIENT_ID and _CLIENT_SECRET on the server, or create a use_custom_auth config with your own client_id and client_secret.',
  },
  CONNECTED_ACCOUNT_BAD_REQUEST: {
    status: 400,
    code: 600,
    slug: 'ConnectedAccount_BadRequest',
    message: 'The connected account request is invalid.',
  },
  CREDENTIALS_REJECTED: {
    status: 400,
    code: 607,
    slug: 'ConnectedAccount_CredentialsRejected',
    message: 'The provider refused these credentials.',
    suggestedFix: 'Check the key or token and try again.',
  },
  REVOKE_NOT_SUPPORTED: {
    status: 400,
    code: 608,
    slug: 'ConnectedAccount_RevokeNotSupported',
    message: 'This connected account cannot be revoked.',
  },
  VERIFICATION_NOT_FOUND: {
    status: 404,
    code: 609,
    slug: 'ConnectedAccount_SessionUriNotFound',
    message: 'This session_uri is unknown, expired (they last 10 minutes) or was already used.',
    suggestedFix: 'Send the session_uri your verifier received, once, within 10 minutes; otherwise start the connection again.',
  },
  VERIFICATION_USER_MISMATCH: {
    status: 400,
    code: 610,
    slug: 'ConnectedAccount_UserMismatch',
    message: 'The user_id is not the user this connection was started for; the connection is marked FAILED.',
    suggestedFix:
      "Call complete_auth with the user signed in to your app; a flow finished by someone else (a connection, or an MCP client's authorization) must be started again by its owner.",
  },
  VERIFICATION_NEEDS_USER: {
    status: 400,
    code: 611,
    slug: 'ConnectedAccount_UserIdRequired',
    message: 'With LATCHKEY_USER_VERIFIER_URL set, a connection needs a real user_id (not empty, not "default").',
    suggestedFix: 'Pass the id of the user in your app, the one your verifier will name in complete_auth.',
  },
  SESSION_NOT_FOUND: { status: 404, code: 4304, slug: 'ToolRouter_SessionNotFound', message: 'No such session.' },
  SESSION_CONFIG_CONFLICT: {
    status: 409,
    code: 4309,
    slug: 'ToolRouter_ConfigVersionConflict',
    message: 'The session changed since you read it.',
    suggestedFix: 'Read the session again and retry with its config_version.',
  },
  SESSION_TOKEN_INVALID: {
    status: 401,
    code: 4311,
    slug: 'ToolRouter_InvalidSessionToken',
    message: 'This credential does not open this session.',
  },
  MCP_SERVER_NOT_FOUND: {
    status: 404,
    code: 4404,
    slug: 'MCP_ServerNotFound',
    message: 'No such MCP server.',
    suggestedFix: 'List MCP servers with GET /api/v3.1/mcp/servers.',
  },
  MCP_SERVER_NAME_TAKEN: {
    status: 409,
    code: 4409,
    slug: 'MCP_ServerNameTaken',
    message: 'An MCP server with this name exists.',
    suggestedFix: 'Choose another name, or update the existing server with PATCH /api/v3.1/mcp/{id}.',
  },
  MCP_SERVER_INSTANCE_SESSION: {
    status: 409,
    code: 4410,
    slug: 'MCP_InstanceSessionFollowsServer',
    message: 'This session is an MCP server instance: it follows its server.',
    suggestedFix:
      'Change the server with PATCH /api/v3.1/mcp/{id}, or delete the instance with DELETE /api/v3.1/mcp/servers/{id}/instances/{user_id}.',
  },
  FORBIDDEN: { status: 403, code: 10403, slug: 'HTTP_Forbidden', message: 'This credential may not do that.' },
  NOT_FOUND: { status: 404, code: 10404, slug: 'HTTP_NotFound', message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, code: 10405, slug: 'HTTP_MethodNotAllowed', message: 'Method not allowed.' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    code: 10413,
    slug: 'HTTP_PayloadTooLarge',
    message: 'The request body is too large.',
    suggestedFix: 'Send a smaller body (the limit is LATCHKEY_MAX_BODY_BYTES).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    code: 10415,
    slug: 'HTTP_UnsupportedMediaType',
    message: 'The request body must be JSON.',
    suggestedFix: 'Send Content-Type: application/json.',
  },
  INTERNAL: { status: 500, code: 10500, slug: 'HTTP_InternalServerError', message: 'Something went wrong on our side.' },
  UNAVAILABLE: { status: 503, code: 10503, slug: 'HTTP_ServiceUnavailable', message: 'The server is shutting down.' },
} as const satisfies Record<string, ErrorSpec>;

/**
 * The OAuth endpoints (`/oauth/*`, latchkey as the authorization server of its MCP endpoints) answer
 * RFC 6749 §5.2 error bodies, not Composio's envelope: these are the codes they use and their statuses.
 * (RFC 6749 §5.2: 401 for invalid_client; RFC 7591 §3.2.2 for registration; RFC 8707 §2 invalid_target.)
 */
export const OAUTH_ERROR_STATUS = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  access_denied: 403,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_token: 401,
} as const;

export type OAuthErrorName = keyof typeof OAUTH_ERROR_STATUS;

/** An OAuth protocol error (RFC 6749 §5.2 shape); the description reaches the client, so it never carries a secret. */
export class OAuthProtocolError extends Error {
  override name = 'OAuthProtocolError';
  constructor(
    readonly error: OAuthErrorName,
    readonly description: string,
  ) {
    super(description);
  }

  get status(): number {
    return OAUTH_ERROR_STATUS[this.error];
  }

  toBody(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export interface ErrorSpec {
  status: number;
  code: number;
  slug: string;
  message: string;
  suggestedFix?: string;
}

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  field: string;
  message: string;
}

export interface ErrorEnvelope {
  error: {
    message: string;
    code: number;
    slug: string;
    status: number;
    request_id: string;
    suggested_fix: string;
    errors: FieldError[];
  };
}

export class AppError extends Error {
  override name = 'AppError';
  readonly spec: ErrorSpec;
  readonly errors: FieldError[];

  constructor(
    readonly code: ErrorCode,
    options: { message?: string; errors?: FieldError[]; cause?: unknown } = {},
  ) {
    super(options.message ?? ERRORS[code].message, { cause: options.cause });
    this.spec = ERRORS[code];
    this.errors = options.errors ?? [];
  }

  get status(): number {
    return this.spec.status;
  }

  /** The wire body. `cause` is never serialised: it may hold upstream bodies with tokens in them. */
  toEnvelope(requestId: string): ErrorEnvelope {
    return {
      error: {
        message: this.message,
        code: this.spec.code,
        slug: this.spec.slug,
        status: this.spec.status,
        request_id: requestId,
        suggested_fix: this.spec.suggestedFix ?? '',
        errors: this.errors,
      },
    };
  }
}
