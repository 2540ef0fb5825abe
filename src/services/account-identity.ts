import type { ToolkitFile } from '../catalogue/schema.ts';
import { atDotPath } from '../dot-path.ts';
import type { Deps } from '../deps.ts';
import type { PreparedRequest } from '../execution/build-request.ts';
import { templateValues, type ToolConnection } from '../execution/connection.ts';
import { schemeFor } from '../schemes/registry.ts';
import { sendUpstream } from '../execution/send.ts';
import { fillBaseUrl } from '../execution/templates.ts';

export type IdentityResult = { ok: true; identity: string | undefined } | { ok: false; status?: number };

/**
 * Asks the provider who the connected account is (the GitHub login, the Gmail address), with the
 * account's own credential, so a user with two accounts can tell them apart. Also the credential check
 * for `validate_credentials`: a refusal means the key is wrong.
 */
export async function fetchIdentity(deps: Deps, toolkit: ToolkitFile, connection: ToolConnection): Promise<IdentityResult> {
  const scheme = schemeFor(toolkit, connection.mode);
  const identity = scheme && 'identity' in scheme ? scheme.identity : undefined;
  if (!identity) return { ok: true, identity: undefined };
  try {
    const base = fillBaseUrl(identity.base_url ?? toolkit.base_url, templateValues(connection), true);
    const request: PreparedRequest = {
      method: identity.method,
      url: new URL(base.href.replace(/\/+$/, '') + identity.path),
      headers: { Accept: 'application/json', ...toolkit.headers },
    };
    connection.inject(toolkit, request);
    const response = await sendUpstream(deps.exchange, request, {
      timeoutMs: Math.min(deps.config.toolTimeoutMs, 10_000),
      maxResponseBytes: 256 * 1024,
    });
    if (response.status < 200 || response.status >= 300) return { ok: false, status: response.status };
    const value = atDotPath(JSON.parse(response.text), identity.field);
    return { ok: true, identity: value === undefined || value === null ? undefined : String(value).slice(0, 256) };
  } catch {
    return { ok: false };
  }
}
